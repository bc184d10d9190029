import type { Cluster } from '../domain/types.js'
import type { Store } from './store.js'

/**
 * Copying the legacy backup records of each cluster (`waymark copy`, after the other records): every
 * snapshot (expired ones the producer has not deleted yet included: the target's reads hide them as the
 * source's do), every restore job as it stands (downloads counted, file hash, forced end and the download
 * secret, so URLs the source handed out keep working on the target), then its snapshot schedule. Every
 * write is an upsert by id, so running it again after an interruption ends with the same data.
 */

/** What {@link copyLegacyBackup} wrote, by kind. */
export interface LegacyBackupCopied {
  readonly snapshotSchedules: number
  readonly snapshots: number
  readonly restoreJobs: number
}

/** Restore jobs read per page; snapshots and jobs written per transaction at most `batchSize`. */
const JOB_PAGE = 500

export async function copyLegacyBackup(from: Store, to: Store, clusters: readonly Cluster[], batchSize: number): Promise<LegacyBackupCopied> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`Invalid batch size ${batchSize}`)
  let snapshotSchedules = 0
  let snapshots = 0
  let restoreJobs = 0
  for (const cluster of clusters) {
    const all = await from.listSnapshotsOfCluster(cluster.id)
    for (let i = 0; i < all.length; i += batchSize) snapshots += await to.putSnapshots(all.slice(i, i + batchSize))
    for (let offset = 0; ; offset += JOB_PAGE) {
      const page = await from.pageRestoreJobs(cluster.id, undefined, { offset, limit: JOB_PAGE })
      if (page.items.length === 0) break
      for (let i = 0; i < page.items.length; i += batchSize) restoreJobs += await to.putRestoreJobs(page.items.slice(i, i + batchSize))
      if (page.items.length < JOB_PAGE) break
    }
    // The schedule last: a cluster with one is judged by its snapshots (docs/behaviour.md#snapshots), so a
    // copy killed before they are all written leaves the cluster judged as before, not without a base.
    const settings = await from.getSnapshotSettings(cluster.id)
    if (settings !== undefined) {
      await to.putSnapshotSettings(cluster.id, settings)
      snapshotSchedules++
    }
  }
  return { snapshotSchedules, snapshots, restoreJobs }
}
