import { coverWithSnapshots } from '../domain/legacy-backup/snapshot-coverage.js'
import { whyNoCheckpoints } from '../domain/checkpoint-schedule.js'
import type { Checkpoint, Cluster } from '../domain/types.js'
import { EMPTY_DATA_SET, type DataSet } from '../domain/data-set.js'
import type { Store } from '../storage/store.js'
import { isoOf, secondsOf } from './checkpoint-plan.js'
import { countSlots, history } from './history.js'
import { resumePoint } from './resume-history.js'

/**
 * A cluster's checkpoint history written as its schedule would have made it: the one code behind
 * `waymark generate` and the admin API's `POST …/clusters/{clusterId}/history`, so both check the same
 * things and refuse with the same reasons (docs/producer.md).
 */

export interface HistoryRequest {
  readonly cluster: Cluster
  readonly seed: number
  /** Slots in [from, to), epoch seconds. */
  readonly from: number
  readonly to: number
  /** The clock's now, epoch seconds: the history is written as it stands then. */
  readonly now: number
  /** How the caller names the range's ends in messages (`--from`, or `from`). */
  readonly labels: { readonly from: string; readonly to: string }
  /** Refuse a range of more slots than this. */
  readonly maxSlots?: number
}

/** Why a history cannot be written; `params` fill the admin API's error template of the same case. */
export type HistoryRefusalKind = 'bad-range' | 'in-future' | 'too-many-slots' | 'no-checkpoints' | 'overlap'

export class HistoryRefusal extends Error {
  override readonly name = 'HistoryRefusal'
  constructor(
    readonly kind: HistoryRefusalKind,
    message: string,
    readonly params: readonly string[] = [],
  ) {
    super(message)
  }
}

/** What is to be written: the slots from `from` (after any already there) to `to`. */
export interface HistoryPlan {
  readonly cluster: Cluster
  readonly seed: number
  readonly from: number
  readonly to: number
  readonly now: number
  readonly intervalSeconds: number
  /** Checkpoints to write. */
  readonly total: number
  /** Checkpoints of this same range an interrupted earlier run already wrote (0 otherwise). */
  readonly alreadyThere: number
}

export interface HistoryWritten {
  readonly written: number
  readonly restorable: number
  /** Timestamps of the oldest and newest checkpoints written; undefined when none was. */
  readonly oldest: string | undefined
  readonly newest: string | undefined
}

/**
 * Checks a request: a range that is not empty, not after now, of a cluster that makes checkpoints, that
 * only appends after the cluster's newest checkpoint, unless what the cluster holds from `from` on is
 * exactly this range's first checkpoints (an interrupted run of the same range: it continues after them).
 */
export async function planHistory(store: Store, request: HistoryRequest): Promise<HistoryPlan> {
  const { cluster, seed, from, to, now, labels } = request
  if (from >= to) {
    throw new HistoryRefusal('bad-range', `${labels.from} (${isoOf(from)}) must be before ${labels.to} (${isoOf(to)})`)
  }
  if (from < 0) {
    throw new HistoryRefusal('bad-range', `${labels.from} ${new Date(from * 1000).toISOString()} is before 1970: checkpoint ids (ObjectIds) count seconds from then`)
  }
  if (to > now) {
    throw new HistoryRefusal('in-future', `${labels.to} ${isoOf(to)} is in the future (now is ${isoOf(now)}); the producer makes checkpoints as time passes`)
  }
  const why = whyNoCheckpoints(cluster)
  if (why !== undefined) {
    throw new HistoryRefusal('no-checkpoints', `cluster ${cluster.name} (${cluster.id}) makes no checkpoints: ${why}`, [cluster.name, cluster.id, why])
  }
  const intervalSeconds = (cluster.checkpointIntervalMinutes ?? 0) * 60
  const slots = countSlots(from, to, intervalSeconds)
  if (request.maxSlots !== undefined && slots > request.maxSlots) {
    throw new HistoryRefusal(
      'too-many-slots',
      `${labels.from} to ${labels.to} holds ${slots} slots of ${cluster.name}, more than ${request.maxSlots} in one call; split the range`,
    )
  }
  const newestPage = await store.pageCheckpoints(cluster.id, { offset: 0, limit: 1 })
  const [newest] = newestPage.items
  let start = from
  let alreadyThere = 0
  if (newest && from <= secondsOf(newest.timestamp)) {
    const resumed = await resumePoint(store, { cluster, seed, from, to, intervalSeconds }, newest, newestPage.totalCount)
    if (resumed === undefined) {
      throw new HistoryRefusal(
        'overlap',
        `cluster ${cluster.name} already has checkpoints up to ${newest.timestamp}; a history is only appended after the ` +
          `newest (inserting into one renumbers it), so give a ${labels.from} after it`,
        [cluster.name, newest.timestamp],
      )
    }
    start = resumed.from
    alreadyThere = resumed.done
  }
  const total = countSlots(start, to, intervalSeconds)
  return { cluster, seed, from: start, to, now, intervalSeconds, total, alreadyThere }
}

export interface WriteOptions {
  /** Checkpoints per transaction. */
  readonly batchSize: number
  /** Runs after each batch is stored, with the count so far (a progress bar; a turn of the event loop). */
  readonly afterBatch?: (written: number) => void | Promise<void>
}

/** Writes a planned history, oldest first, in batches of one transaction each. */
export async function writeHistory(store: Store, plan: HistoryPlan, options: WriteOptions): Promise<HistoryWritten> {
  let written = 0
  let restorable = 0
  let oldest: string | undefined
  let newest: string | undefined
  let batch: Checkpoint[] = []
  const flush = async (): Promise<void> => {
    await store.apply(onlyCheckpoints(batch))
    written += batch.length
    batch = []
    await options.afterBatch?.(written)
  }
  const { cluster, seed, from, to, intervalSeconds, now } = plan
  for (const checkpoint of history({ cluster, seed, from, to, intervalSeconds, asOf: now })) {
    batch.push(checkpoint)
    oldest ??= checkpoint.timestamp
    newest = checkpoint.timestamp
    if (checkpoint.restorable) restorable++
    if (batch.length >= options.batchSize) await flush()
  }
  if (batch.length > 0) await flush()
  // The snapshots these checkpoints are restored on (P-N4): derived from the schedule, as for fixtures.
  await coverWithSnapshots(store, [cluster.id], now * 1000)
  return { written, restorable, oldest, newest }
}

function onlyCheckpoints(checkpoints: readonly Checkpoint[]): DataSet {
  return { ...EMPTY_DATA_SET, checkpoints }
}
