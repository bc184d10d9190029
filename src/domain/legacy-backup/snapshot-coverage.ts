/**
 * Snapshots consistent with checkpoints written by other means than the producer (docs/behaviour.md#snapshots,
 * "Where snapshots come from"): fixtures, the admin API's records, the demo, `generate`, the history endpoint.
 */
import type { Store } from '../../storage/store.js'
import type { DataSet } from '../data-set.js'
import type { Cluster, IsoSeconds, ObjectIdHex } from '../types.js'
import { derivedSnapshots, slotAtOrBefore, snapshotAt, takesSnapshots } from './snapshot-plan.js'
import { effectiveSettings } from './snapshot-types.js'

/**
 * Of `clusterIds`, those the data set does not track itself: a data set that lists a cluster's schedule
 * or snapshots (the fixture kinds `snapshotSchedules`, `snapshots`) says what the cluster has, so it gets
 * no derived snapshots on top, not even a kept base (docs/behaviour.md, "Where snapshots come from").
 */
export function untrackedClusters(data: Pick<DataSet, 'snapshotSchedules' | 'snapshots'>, clusterIds: Iterable<ObjectIdHex>): ObjectIdHex[] {
  const tracked = new Set([...(data.snapshotSchedules ?? []).map((s) => s.clusterId), ...(data.snapshots ?? []).map((s) => s.clusterId)])
  return [...new Set(clusterIds)].filter((id) => !tracked.has(id))
}

function seconds(at: IsoSeconds): number {
  return Math.floor(Date.parse(at) / 1000)
}

function iso(s: number): IsoSeconds {
  return new Date(s * 1000).toISOString().slice(0, 19) + 'Z'
}

/**
 * A legacy-backup cluster is judged by its snapshots (P-N4) once it is tracked: once it has a snapshot
 * schedule record. Clusters written without one (a store of an older Waymark, a data set applied as is)
 * keep their checkpoints' own `restorable` until something tracks them: this function, which the fixture
 * loads, the admin API, the demo, `generate`, the history endpoint, the producer and a schedule PATCH call.
 *
 * For each cluster named (a legacy-backup cluster whose data set listed no snapshots of its own):
 * - one not tracked yet gets its schedule's snapshots still kept at `nowMs`, and a kept
 *   (`doNotDelete`) base snapshot at or before its oldest checkpoint when those do not reach back to it;
 * - one that has snapshots gets only that base snapshot, when its oldest checkpoint is restorable by its
 *   own rule but older than every kept snapshot.
 * So every checkpoint written restorable stays restorable (P-N4), and one whose base snapshot is later
 * deleted is not. Answers how many snapshots it wrote.
 */
export async function coverWithSnapshots(store: Store, clusterIds: Iterable<ObjectIdHex>, nowMs: number): Promise<number> {
  const now = Math.floor(nowMs / 1000)
  let written = 0
  for (const clusterId of new Set(clusterIds)) {
    const cluster = await store.findCluster(clusterId)
    if (cluster === undefined || !takesSnapshots(cluster)) continue
    written += await coverCluster(store, cluster, now)
  }
  return written
}

async function coverCluster(store: Store, cluster: Cluster, now: number): Promise<number> {
  const settings = await store.getSnapshotSettings(cluster.id)
  const { oldest } = await store.checkpointBounds(cluster.id)
  const coverFrom = oldest === null ? undefined : seconds(oldest)
  if (settings === undefined) {
    // Not tracked yet: its snapshots are derived, and its (default) schedule stored, which tracks it.
    const snapshots = derivedSnapshots(cluster, undefined, now, coverFrom)
    const written = snapshots.length === 0 ? 0 : await store.putSnapshots(snapshots)
    await store.putSnapshotSettings(cluster.id, {})
    return written
  }
  if (coverFrom === undefined) return 0
  const floor = await store.snapshotFloor(cluster.id, iso(now))
  if (floor !== null && seconds(floor) <= coverFrom) return 0
  const [first] = await store.checkpointsAfter(cluster.id, undefined, 1)
  if (first === undefined || !first.restorable) return 0
  const slot = slotAtOrBefore(effectiveSettings(settings), coverFrom)
  const base = snapshotAt(cluster, settings, slot, Math.max(now, slot + 3600), true)
  const { expires: _derived, ...kept } = base
  return store.putSnapshots([{ ...kept, doNotDelete: true }])
}
