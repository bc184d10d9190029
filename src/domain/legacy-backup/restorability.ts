/**
 * P-N4: a checkpoint is restorable only on a complete, unexpired snapshot of its cluster taken at or
 * before it. The stored `restorable` keeps the checkpoint's own rule (completed, every token discovered,
 * inside the point-in-time window); this adds the snapshot's, as of the clock, in every view (the three
 * dialects, the admin API, the console). Snapshots of a cluster taken at or after a snapshot exist for
 * every later instant too, so the rule is one instant per cluster: the oldest such snapshot's `created`
 * (`Store.snapshotFloor`), and a checkpoint has a base snapshot exactly when its timestamp is at or after it.
 */
import type { SnapshotStore } from '../../storage/snapshot-store.js'
import type { Checkpoint, Cluster, IsoSeconds } from '../types.js'

/** Where the snapshot rule applies: the base snapshot floor (null: no snapshot, nothing is restorable); undefined: not applicable. */
export type SnapshotFloor = IsoSeconds | null | undefined

/**
 * The cluster's floor at `now`: only legacy-backup clusters that are tracked (have a snapshot schedule
 * record, snapshot-coverage.ts) are judged by their snapshots.
 */
export async function snapshotFloorOf(store: Pick<SnapshotStore, 'snapshotFloor' | 'getSnapshotSettings'>, cluster: Cluster, now: IsoSeconds): Promise<SnapshotFloor> {
  if (cluster.backup !== 'LEGACY') return undefined
  const [settings, floor] = await Promise.all([store.getSnapshotSettings(cluster.id), store.snapshotFloor(cluster.id, now)])
  return settings === undefined ? undefined : floor
}

/** The floor, and until when (clock milliseconds) it stands if nothing is written. */
export interface SnapshotRule {
  readonly floor: SnapshotFloor
  /**
   * The next instant a snapshot expires (of any cluster: a bound that is cheap to read, never later than
   * the instant this cluster's floor moves by the clock alone); Infinity where the rule does not apply.
   * Everything else that moves a floor is a write, which the answer cache sees (http/answer-cache.ts).
   */
  readonly until: number
}

/** The floor at `now` and how long it holds, for what is remembered between calls (the API's checkpoint answers). */
export async function snapshotRuleOf(store: Pick<SnapshotStore, 'snapshotFloor' | 'getSnapshotSettings' | 'nextSnapshotExpiry'>, cluster: Cluster, now: IsoSeconds): Promise<SnapshotRule> {
  if (cluster.backup !== 'LEGACY') return { floor: undefined, until: Infinity }
  const [floor, next] = await Promise.all([snapshotFloorOf(store, cluster, now), store.nextSnapshotExpiry(now)])
  return { floor, until: floor === undefined || next === null ? Infinity : Date.parse(next) }
}

/** Whether a checkpoint at `timestamp` has a base snapshot under `floor`. */
export function hasBaseSnapshot(timestamp: IsoSeconds, floor: SnapshotFloor): boolean {
  return floor === undefined || (floor !== null && timestamp >= floor)
}

/** The checkpoint as its views show it: not restorable when it has no base snapshot. */
export function withSnapshotRule(checkpoint: Checkpoint, floor: SnapshotFloor): Checkpoint {
  if (!checkpoint.restorable || hasBaseSnapshot(checkpoint.timestamp, floor)) return checkpoint
  return { ...checkpoint, restorable: false }
}

/** Every checkpoint of a list under the rule (the same objects where nothing changes). */
export function allWithSnapshotRule(checkpoints: readonly Checkpoint[], floor: SnapshotFloor): Checkpoint[] {
  return checkpoints.map((c) => withSnapshotRule(c, floor))
}
