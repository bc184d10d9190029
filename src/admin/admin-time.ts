import { ClockBackwardsError, type ServerClock } from '../clock/server-clock.js'
import { DURATION_HELP, LATEST_CLOCK, parseDuration, parseTimeExpression, TIME_EXPRESSION_HELP } from '../domain/time-expressions.js'
import { ApiError } from '../errors.js'
import { isoOf } from '../producer/checkpoint-plan.js'
import { HistoryRefusal, planHistory, writeHistory } from '../producer/write-history.js'
import type { Store } from '../storage/store.js'
import { bodyObject, type JsonObject } from './admin-bodies.js'
import type { AdminRecords } from './admin-records.js'
import { CLOCK_CHANGE, HISTORY_REQUEST, type ClockView, type HistoryView } from './admin-openapi-time.js'
import { FieldViolationsError, type FieldViolation } from './field-violations.js'

export type { ClockView, HistoryView }

/** Checkpoints per transaction: about 20 ms of SQLite each, with a turn of the event loop between. */
const HISTORY_BATCH = 1000
/** Slots one history call writes at most (a million checkpoints is about half a minute). */
export const MAX_HISTORY_SLOTS = 1_000_000
const MAX_SEED = 0xffffffff

/**
 * The admin API's time: the server's clock (read, moved forward, frozen) and histories written as the
 * producer would have made them (docs/admin-api.md, "Time").
 */
export class AdminTime {
  constructor(
    private readonly store: Store,
    private readonly clock: ServerClock,
    private readonly seed: number,
    private readonly records: AdminRecords,
  ) {}

  view(): ClockView {
    const { now, frozen } = this.clock.state()
    return { now: new Date(now).toISOString(), frozen }
  }

  /**
   * `{advanceBy}`, `{set}` and/or `{frozen}`: moves the clock forward (everything due meanwhile happens
   * first), then freezes or restarts it. Answers the clock after the change.
   */
  async change(body: unknown): Promise<ClockView> {
    const entry = bodyObject(body)
    const violations = unknownFields(entry, Object.keys(CLOCK_CHANGE.properties))
    const { advanceBy, set, frozen } = entry
    if (advanceBy === undefined && set === undefined && frozen === undefined) {
      violations.push({ field: '', description: 'give advanceBy (an ISO 8601 duration), set (a time) or frozen (true or false)' })
    }
    if (advanceBy !== undefined && set !== undefined) violations.push({ field: 'set', description: 'give advanceBy or set, not both' })
    let by: number | undefined
    if (advanceBy !== undefined) {
      by = typeof advanceBy === 'string' ? parseDuration(advanceBy) : undefined
      if (by === undefined) violations.push({ field: 'advanceBy', description: `advanceBy must be ${DURATION_HELP}, not ${JSON.stringify(advanceBy)}` })
    }
    if (set !== undefined && (typeof set !== 'string' || parseTimeExpression(set, 0) === undefined)) {
      violations.push({ field: 'set', description: `set must be ${TIME_EXPRESSION_HELP}, not ${JSON.stringify(set)}` })
    }
    const target = by !== undefined ? this.clock.now() + by : typeof set === 'string' ? parseTimeExpression(set, this.clock.now()) : undefined
    if (target !== undefined && target > Date.parse(LATEST_CLOCK)) {
      violations.push({ field: by !== undefined ? 'advanceBy' : 'set', description: `the clock goes up to ${LATEST_CLOCK} (checkpoint ids count seconds up to 2106)` })
    }
    if (frozen !== undefined && typeof frozen !== 'boolean') {
      violations.push({ field: 'frozen', description: `frozen must be true or false, not ${JSON.stringify(frozen)}` })
    }
    if (violations.length > 0) throw new FieldViolationsError(violations)
    const now = this.clock.now()
    if (typeof set === 'string' && target !== undefined && target < now) throw backwards(new ClockBackwardsError(target, now))
    // Frozen first, so that the time answered is exactly the one moved to; restarted last.
    if (frozen === true) this.clock.setFrozen(true)
    try {
      if (by !== undefined) await this.clock.advanceBy(by)
      if (typeof set === 'string') await this.clock.jumpTo(parseTimeExpression(set, this.clock.now()) ?? NaN)
    } catch (error) {
      throw error instanceof ClockBackwardsError ? backwards(error) : error
    }
    if (frozen === false) this.clock.setFrozen(false)
    return this.view()
  }

  /**
   * Writes a cluster's history over `[from, to)` as `waymark generate` does (same generator, same checks),
   * times relative to the server's clock, in batches with a turn of the event loop between them, so other
   * requests are answered meanwhile. Runs alone with respect to the clock (no producer tick interleaves),
   * then has the producer read the cluster again, so it continues after the history's newest checkpoint.
   */
  async history(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<HistoryView> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const entry = bodyObject(body)
    const violations = unknownFields(entry, Object.keys(HISTORY_REQUEST.properties))
    const nowMs = this.clock.now()
    const time = (field: 'from' | 'to', fallback: string | undefined): number => {
      const value = entry[field] ?? fallback
      const parsed = typeof value === 'string' ? parseTimeExpression(value, nowMs) : undefined
      if (parsed === undefined) {
        const got = value === undefined ? 'missing' : `not ${JSON.stringify(value)}`
        violations.push({ field, description: `${field} must be ${TIME_EXPRESSION_HELP}; ${got}` })
        return NaN
      }
      return Math.floor(parsed / 1000)
    }
    const from = time('from', undefined)
    const to = time('to', 'now')
    const seed = entry['seed'] ?? this.seed
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      violations.push({ field: 'seed', description: `seed must be an integer from 0 to ${MAX_SEED}, not ${JSON.stringify(seed)}` })
    }
    if (violations.length > 0) throw new FieldViolationsError(violations)
    const request = { cluster, seed: seed as number, from, to, now: Math.floor(nowMs / 1000), labels: { from: 'from', to: 'to' }, maxSlots: MAX_HISTORY_SLOTS }
    return this.clock.exclusive(async () => {
      const plan = await planHistory(this.store, request).catch((error: unknown) => {
        throw error instanceof HistoryRefusal ? refusalError(error) : error
      })
      const written = await writeHistory(this.store, plan, { batchSize: HISTORY_BATCH, afterBatch: nextTurn })
      this.clock.recordsChanged(cluster.id)
      return {
        clusterId: cluster.id,
        from: isoOf(from),
        to: isoOf(to),
        seed: plan.seed,
        intervalMinutes: plan.intervalSeconds / 60,
        written: written.written,
        restorable: written.restorable,
        alreadyThere: plan.alreadyThere,
        oldest: written.oldest ?? null,
        newest: written.newest ?? null,
      }
    })
  }
}

function backwards(error: ClockBackwardsError): ApiError {
  return new ApiError('CLOCK_CANNOT_GO_BACK', [new Date(error.requested).toISOString(), new Date(error.now).toISOString()])
}

function unknownFields(entry: JsonObject, known: readonly string[]): FieldViolation[] {
  return Object.keys(entry)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: key, description: `${key} is not a known field (known: ${known.join(', ')})` }))
}

/** The admin API's answer to a refused history: the CLI's message, as an error of the catalogue. */
function refusalError(refusal: HistoryRefusal): ApiError {
  switch (refusal.kind) {
    case 'no-checkpoints':
      return new ApiError('CLUSTER_MAKES_NO_CHECKPOINTS', refusal.params)
    case 'overlap':
      return new ApiError('HISTORY_OVERLAPS', refusal.params)
    case 'bad-range':
      return new FieldViolationsError([{ field: 'from', description: refusal.message }])
    case 'in-future':
    case 'too-many-slots':
      return new FieldViolationsError([{ field: 'to', description: refusal.message }])
  }
}

/** A turn of the event loop: requests that arrived meanwhile are answered before the next batch. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
