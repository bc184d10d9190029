import type { Checkpoint, Cluster } from '../domain/types.js'
import { CheckpointPlanner, checkpointAt } from './checkpoint-plan.js'

/**
 * A schedule's slots are the multiples of its interval since the epoch (a 15-minute schedule runs at :00,
 * :15, :30 and :45 of every hour).
 */

/** The first slot at or after `t` (epoch seconds). */
export function firstSlotAtOrAfter(t: number, intervalSeconds: number): number {
  return Math.ceil(t / intervalSeconds) * intervalSeconds
}

/** How many slots lie in [from, to). */
export function countSlots(from: number, to: number, intervalSeconds: number): number {
  const first = firstSlotAtOrAfter(from, intervalSeconds)
  return first >= to ? 0 : Math.floor((to - 1 - first) / intervalSeconds) + 1
}

export interface HistoryOptions {
  readonly cluster: Cluster
  readonly seed: number
  /** Slots in [from, to), epoch seconds. */
  readonly from: number
  readonly to: number
  readonly intervalSeconds: number
  /** The moment the history is seen at (epoch seconds): later checkpoints are left out, late ones in progress. */
  readonly asOf: number
}

/**
 * The checkpoints the backup system made of a cluster over a time range, oldest first, as they stand at
 * `asOf` (restorable inside the cluster's point-in-time window back from then). Lazy, so a million of
 * them can be written in batches.
 */
export function* history(options: HistoryOptions): Generator<Checkpoint> {
  const { cluster, intervalSeconds, to, asOf } = options
  const planner = new CheckpointPlanner(cluster, options.seed)
  for (let slot = firstSlotAtOrAfter(options.from, intervalSeconds); slot < to; slot += intervalSeconds) {
    const checkpoint = checkpointAt(planner.plan(slot), asOf, cluster.pointInTimeWindowHours)
    if (checkpoint === undefined) return
    yield checkpoint
  }
}
