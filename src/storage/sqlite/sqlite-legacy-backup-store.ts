import type Database from 'better-sqlite3'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { Snapshot, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import type { PageRequest } from '../store.js'
import { WriteGate } from '../write-gate.js'
import { checkLimit } from './sqlite-checkpoints.js'
import { SqliteRestoreJobs } from './sqlite-restore-jobs.js'
import { SqliteSnapshots } from './sqlite-snapshots.js'

/**
 * The SQLite engine's legacy backup slots (snapshots and their settings, restore jobs) and the `Store`
 * methods that hand calls to them, after the write gate where they write. {@link SqliteStore} extends it.
 */
export abstract class SqliteLegacyBackupStore {
  /** Where this store's writes wait while `applyInBatches` writes on a connection of its own. */
  protected readonly gate = new WriteGate()
  protected readonly snapshots: SqliteSnapshots
  protected readonly restoreJobs: SqliteRestoreJobs

  constructor(db: Database.Database) {
    this.snapshots = new SqliteSnapshots(db)
    this.restoreJobs = new SqliteRestoreJobs(db)
  }

  // --- Legacy backup snapshots (sqlite-snapshots.ts) ---

  async putSnapshots(snapshots: readonly Snapshot[]): Promise<number> {
    await this.gate.pass()
    return this.snapshots.put(snapshots)
  }
  async pageSnapshots(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, page: PageRequest): Promise<SnapshotPage> {
    return this.snapshots.page(clusterId, filter, now, page.offset, page.limit)
  }
  async getSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.get(clusterId, snapshotId, now)
  }
  async listSnapshotsOfCluster(clusterId: ObjectIdHex): Promise<Snapshot[]> {
    return this.snapshots.ofCluster(clusterId)
  }
  async baseSnapshot(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.base(clusterId, at, now)
  }
  async snapshotFloor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.floor(clusterId, now)
  }
  async deleteSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex): Promise<boolean> {
    await this.gate.pass()
    return this.snapshots.delete(clusterId, snapshotId)
  }
  async deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.snapshots.deleteExpired(now, limit)
  }
  async nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.nextExpiry(now)
  }
  async getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    return this.snapshots.getSettings(clusterId)
  }
  async putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    await this.gate.pass()
    this.snapshots.putSettings(clusterId, settings)
  }

  // --- Legacy backup restore jobs (sqlite-restore-jobs.ts) ---

  async putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number> {
    await this.gate.pass()
    return this.restoreJobs.put(jobs)
  }
  async pageRestoreJobs(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, page: PageRequest): Promise<RestoreJobPage> {
    return this.restoreJobs.page(clusterId, batchId, page.offset, page.limit)
  }
  async getRestoreJob(jobId: ObjectIdHex): Promise<RestoreJob | undefined> {
    return this.restoreJobs.get(jobId)
  }
  async restoreJobsIntoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]> {
    return this.restoreJobs.intoTarget(targetClusterId)
  }
  async countRestoreDownload(jobId: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined> {
    await this.gate.pass()
    return this.restoreJobs.countDownload(jobId, hash, maxDownloads)
  }
  async endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    await this.gate.pass()
    return this.restoreJobs.end(jobId, status, at)
  }
}
