import type { Snapshot, SnapshotSettings } from '../domain/legacy-backup/snapshot-types.js'
import type { IsoSeconds, ObjectIdHex } from '../domain/types.js'

/** Which snapshots a list shows (the `completed` query parameter). */
export type CompletedFilter = 'true' | 'false' | 'all'

/** One page of a cluster's snapshots, newest first (`created` descending, then id descending). */
export interface SnapshotPage {
  readonly items: readonly Snapshot[]
  /** How many snapshots the filter selects in all. */
  readonly totalCount: number
}

/**
 * The legacy backup part of the storage contract (part of {@link Store}). Every read takes the clock's
 * `now`: a snapshot whose `expires` is at or before it is gone from every read (docs/behaviour.md#snapshots),
 * whether or not the producer has deleted it yet.
 */
export interface SnapshotStore {
  /** Inserts or replaces (by id) snapshots, in one transaction; answers how many. */
  putSnapshots(snapshots: readonly Snapshot[]): Promise<number>
  /** One page of a cluster's snapshots not expired at `now`, newest first, filtered by completion. */
  pageSnapshots(
    clusterId: ObjectIdHex,
    filter: CompletedFilter,
    now: IsoSeconds,
    page: { readonly offset: number; readonly limit: number },
  ): Promise<SnapshotPage>
  /** A snapshot of that cluster not expired at `now`; undefined when unknown, of another cluster, or expired. */
  getSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined>
  /** Every snapshot of the cluster, expired ones included, oldest first (created, then id). */
  listSnapshotsOfCluster(clusterId: ObjectIdHex): Promise<Snapshot[]>
  /** The newest complete snapshot of the cluster not expired at `now` whose `created` ≤ `at`. */
  baseSnapshot(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined>
  /**
   * The `created` of the cluster's oldest complete snapshot not expired at `now`, or null when there is
   * none: a checkpoint has a base snapshot exactly when its timestamp is at or after it.
   */
  snapshotFloor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null>
  /** Deletes a snapshot of that cluster; false when there is none. */
  deleteSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex): Promise<boolean>
  /** Deletes at most `limit` snapshots (of any cluster) whose `expires` is at or before `now`; answers how many. */
  deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number>
  /** The earliest `expires` after `now` of any snapshot, or null (when the producer must next groom). */
  nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null>
  /** The cluster's snapshot settings as stored; undefined when never set (the defaults). */
  getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined>
  /** Sets the cluster's snapshot settings, replacing what was stored. */
  putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void>
}
