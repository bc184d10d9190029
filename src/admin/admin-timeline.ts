import { checkpointState } from '../domain/checkpoint-state.js'
import { parseTimeExpression } from '../domain/time-expressions.js'
import type { IsoSeconds } from '../domain/types.js'
import { ApiError } from '../errors.js'
import type { CheckpointTally, Store } from '../storage/store.js'
import type { AdminQuery } from './admin-query.js'
import type { AdminRecords } from './admin-records.js'
import type { BucketView, StateCounts, TimelineMark, TimelineView } from './admin-timeline-schema.js'
import { snapshotFloorOf, withSnapshotRule } from '../domain/legacy-backup/restorability.js'

export type { BucketView, StateCounts, TimelineMark, TimelineView }

/** Buckets per call at most: a bucket per pixel column of a wide screen. */
export const MAX_BUCKETS = 1000
const DEFAULT_BUCKETS = 200
/** Checkpoints listed at most (zoomed in); over that the range is answered in buckets only. */
export const MAX_TIMELINE_CHECKPOINTS = 1000
const DEFAULT_TIMELINE_CHECKPOINTS = 500
/** The times a range may cover: ObjectIds date checkpoints from 1970 to 2106. */
const EARLIEST = Date.parse('1970-01-01T00:00:00Z')
const LATEST = Date.parse('2200-01-01T00:00:00Z')
const HOUR = 3_600_000

const iso = (ms: number): IsoSeconds => new Date(ms).toISOString().slice(0, 19) + 'Z'
const NONE: StateCounts = { total: 0, restorable: 0, inProgress: 0, tokenNotDiscovered: 0, outsideWindow: 0, notRestorable: 0 }

/**
 * A cluster's checkpoints over time, in buckets counted by the store's indexes
 * (`Store.tallyCheckpoints`), never by reading the checkpoints: a million cost what ten do. Zoomed in
 * far enough (at most `maxCheckpoints` in the range), the checkpoints themselves come too.
 */
export class AdminTimeline {
  constructor(
    private readonly store: Store,
    private readonly records: AdminRecords,
    private readonly now: () => number,
  ) {}

  async timeline(groupId: string | undefined, clusterId: string | undefined, query: AdminQuery): Promise<TimelineView> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const nowMs = Math.floor(this.now() / 1000) * 1000
    const parse = (text: string): number | undefined => {
      const ms = parseTimeExpression(text, nowMs)
      return ms !== undefined && ms >= EARLIEST && ms <= LATEST ? Math.floor(ms / 1000) * 1000 : undefined
    }
    const askedFrom = query.time('from', parse)
    const askedTo = query.time('to', parse)
    const buckets = query.integer('buckets', DEFAULT_BUCKETS, MAX_BUCKETS)
    const maxCheckpoints = query.integer('maxCheckpoints', DEFAULT_TIMELINE_CHECKPOINTS, MAX_TIMELINE_CHECKPOINTS, 0)
    const storedBounds = await this.store.checkpointBounds(cluster.id)
    // P-N4: before the cluster's oldest kept snapshot, nothing is restorable (legacy-backup/restorability.ts).
    const floor = await snapshotFloorOf(this.store, cluster, iso(nowMs))
    const floorMs = floor === undefined ? -Infinity : floor === null ? Infinity : Date.parse(floor)
    const bounds =
      storedBounds.newestRestorable !== null && Date.parse(storedBounds.newestRestorable) < floorMs
        ? { ...storedBounds, newestRestorable: null }
        : storedBounds

    // By default, from the oldest checkpoint to now (or the newest, if later), end included.
    const newest = bounds.newest === null ? nowMs : Math.max(nowMs, Date.parse(bounds.newest))
    const to = askedTo ?? newest + 1000
    const from = askedFrom ?? (bounds.oldest === null ? to - 24 * HOUR : Math.min(Date.parse(bounds.oldest), to - HOUR))
    if (from >= to) throw new ApiError('INVALID_QUERY_PARAMETER', [askedTo !== undefined ? 'to' : 'from'])

    // Equal buckets of whole seconds; the last may end after `to`.
    const bucketSeconds = Math.max(1, Math.ceil((to - from) / 1000 / buckets))
    const count = Math.ceil((to - from) / 1000 / bucketSeconds)
    const starts = Array.from({ length: count + 1 }, (_, i) => from + i * bucketSeconds * 1000)
    const end = starts[count] ?? to

    // The window's start splits the bucket it falls in: before it, the rest is outside the window.
    const windowStart = nowMs - cluster.pointInTimeWindowHours * HOUR
    // So does the oldest kept snapshot: before it, what the store counts restorable is not.
    const splits = [windowStart, floorMs].filter((t, i, all) => t > from && t < end && !starts.includes(t) && all.indexOf(t) === i)
    const boundaries = (splits.length > 0 ? [...starts, ...splits].sort((a, b) => a - b) : starts).map(iso)
    const tallies = await this.store.tallyCheckpoints(cluster.id, boundaries)

    const views: BucketView[] = []
    let totals: StateCounts = NONE
    let at = 0
    for (let i = 0; i < count; i++) {
      const bucketEnd = starts[i + 1] ?? end
      let counts: StateCounts = NONE
      // One range, or two when the window's start splits this bucket.
      while (at < tallies.length && Date.parse(boundaries[at] ?? '') < bucketEnd) {
        const rangeEnd = Date.parse(boundaries[at + 1] ?? '')
        counts = add(counts, classify(tallies[at] ?? NONE_TALLY, rangeEnd <= windowStart, rangeEnd <= floorMs))
        at++
      }
      totals = add(totals, counts)
      if (counts.total > 0) views.push({ start: iso(starts[i] ?? from), ...counts })
    }

    const listed = maxCheckpoints > 0 && totals.total <= maxCheckpoints
    const windowStartIso = iso(windowStart)
    const checkpoints = listed
      ? totals.total === 0
        ? []
        : (await this.store.checkpointsBetween(cluster.id, iso(from), iso(end), maxCheckpoints)).map((c) => ({
            id: c.id,
            timestamp: c.timestamp,
            state: checkpointState(withSnapshotRule(c, floor), windowStartIso),
          }))
      : null
    return {
      clusterId: cluster.id,
      now: iso(nowMs),
      window: { start: windowStartIso, end: iso(nowMs), hours: cluster.pointInTimeWindowHours },
      cluster: bounds,
      from: iso(from),
      to: iso(end),
      bucketSeconds,
      counts: totals,
      buckets: views,
      checkpoints,
    }
  }
}

const NONE_TALLY: CheckpointTally = { total: 0, restorable: 0, inProgress: 0, tokenNotDiscovered: 0 }

/** A store tally in the console's states: what is left is outside the window, or not restorable inside it. */
function classify(tally: CheckpointTally, beforeWindow: boolean, beforeFloor: boolean): StateCounts {
  const restorable = beforeFloor ? 0 : tally.restorable
  const rest = tally.total - restorable - tally.inProgress - tally.tokenNotDiscovered
  return {
    total: tally.total,
    restorable,
    inProgress: tally.inProgress,
    tokenNotDiscovered: tally.tokenNotDiscovered,
    outsideWindow: beforeWindow ? rest : 0,
    notRestorable: beforeWindow ? 0 : rest,
  }
}

function add(a: StateCounts, b: StateCounts): StateCounts {
  return {
    total: a.total + b.total,
    restorable: a.restorable + b.restorable,
    inProgress: a.inProgress + b.inProgress,
    tokenNotDiscovered: a.tokenNotDiscovered + b.tokenNotDiscovered,
    outsideWindow: a.outsideWindow + b.outsideWindow,
    notRestorable: a.notRestorable + b.notRestorable,
  }
}
