import type { Checkpoint, Cluster } from '../domain/types.js'
import type { Store } from '../storage/store.js'
import { CheckpointPlanner, isoOf, secondsOf } from './checkpoint-plan.js'
import { firstSlotAtOrAfter } from './history.js'

export interface HistoryRange {
  readonly cluster: Cluster
  readonly seed: number
  /** Slots in [from, to), epoch seconds. */
  readonly from: number
  readonly to: number
  readonly intervalSeconds: number
}

/**
 * Where an interrupted `waymark generate` of this range stopped: when the cluster's checkpoints from the
 * range's first slot on are exactly the range's first n checkpoints (what a run killed between two of its
 * batches leaves, each batch being one transaction), the slot after the newest of them and n. Undefined
 * when they are not (another seed, another range, other data). Three checks, index lookups only, as
 * `waymark copy` resumes: the newest stored checkpoint is the plan of a slot of the range; the range's
 * first slot's checkpoint is stored; and the cluster holds exactly as many checkpoints from it to the newest
 * as there are slots between them.
 */
export async function resumePoint(
  store: Store,
  range: HistoryRange,
  newest: Checkpoint,
  totalCount: number,
): Promise<{ readonly from: number; readonly done: number } | undefined> {
  const { cluster, intervalSeconds } = range
  const planner = new CheckpointPlanner(cluster, range.seed)
  const first = firstSlotAtOrAfter(range.from, intervalSeconds)
  // A checkpoint starts 0-3 s after its slot.
  const slot = Math.floor(secondsOf(newest.started) / intervalSeconds) * intervalSeconds
  if (slot < first || slot >= range.to) return undefined
  const newestPlan = planner.plan(slot)
  if (newestPlan.id !== newest.id || isoOf(newestPlan.timestamp) !== newest.timestamp) return undefined
  const firstPlan = planner.plan(first)
  const firstStored = await store.getCheckpoint(cluster.id, firstPlan.id)
  if (firstStored === undefined || firstStored.timestamp !== isoOf(firstPlan.timestamp)) return undefined
  const done = (slot - first) / intervalSeconds + 1
  const before = (await store.countCheckpointsUpTo(cluster.id, firstStored)) - 1
  if (totalCount - before !== done) return undefined
  return { from: slot + intervalSeconds, done }
}
