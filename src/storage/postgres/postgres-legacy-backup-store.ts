import type pg from 'pg'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { Snapshot, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import type { PageRequest } from '../store.js'
import { PostgresRestoreJobs } from './postgres-restore-jobs.js'
import { PostgresSnapshots } from './postgres-snapshots.js'

/**
 * The PostgreSQL engine's legacy backup slots (snapshots and their settings, restore jobs) and the `Store`
 * methods that hand calls to them. {@link PostgresStore} extends it.
 */
export abstract class PostgresLegacyBackupStore {
  protected readonly snapshots: PostgresSnapshots
  protected readonly restoreJobs: PostgresRestoreJobs

  constructor(pool: pg.Pool) {
    this.snapshots = new PostgresSnapshots(pool)
    this.restoreJobs = new PostgresRestoreJobs(pool)
  }

  // --- Legacy backup snapshots (postgres-snapshots.ts) ---

  putSnapshots(snapshots: readonly Snapshot[]): Promise<number> {
    return this.snapshots.put(snapshots)
  }
  pageSnapshots(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, page: PageRequest): Promise<SnapshotPage> {
    return this.snapshots.page(clusterId, filter, now, page.offset, page.limit)
  }
  getSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.get(clusterId, snapshotId, now)
  }
  listSnapshotsOfCluster(clusterId: ObjectIdHex): Promise<Snapshot[]> {
    return this.snapshots.ofCluster(clusterId)
  }
  baseSnapshot(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.base(clusterId, at, now)
  }
  snapshotFloor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.floor(clusterId, now)
  }
  deleteSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex): Promise<boolean> {
    return this.snapshots.delete(clusterId, snapshotId)
  }
  deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number> {
    return this.snapshots.deleteExpired(now, limit)
  }
  nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.nextExpiry(now)
  }
  getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    return this.snapshots.getSettings(clusterId)
  }
  putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    return this.snapshots.putSettings(clusterId, settings)
  }

  // --- Legacy backup restore jobs (postgres-restore-jobs.ts) ---

  putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number> {
    return this.restoreJobs.put(jobs)
  }
  pageRestoreJobs(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, page: PageRequest): Promise<RestoreJobPage> {
    return this.restoreJobs.page(clusterId, batchId, page.offset, page.limit)
  }
  getRestoreJob(jobId: ObjectIdHex): Promise<RestoreJob | undefined> {
    return this.restoreJobs.get(jobId)
  }
  restoreJobsIntoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]> {
    return this.restoreJobs.intoTarget(targetClusterId)
  }
  countRestoreDownload(jobId: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined> {
    return this.restoreJobs.countDownload(jobId, hash, maxDownloads)
  }
  endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    return this.restoreJobs.end(jobId, status, at)
  }
}
