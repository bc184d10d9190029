import type Database from 'better-sqlite3'
import type { DataSet } from '../../domain/data-set.js'
import { lastById } from '../rank-plan.js'
import type { ApplySummary } from '../store.js'
import { SqliteCheckpoints } from './sqlite-checkpoints.js'
import { SqliteCredentials } from './sqlite-credentials.js'
import { SqliteRecords } from './sqlite-records.js'
import { SqliteRestoreJobs } from './sqlite-restore-jobs.js'
import { SqliteSnapshots } from './sqlite-snapshots.js'


/** The slots that write a data set, on one connection (the store's, or a bulk load's own). */
export class SqliteWriter {
  readonly records: SqliteRecords
  readonly checkpoints: SqliteCheckpoints
  readonly credentials: SqliteCredentials
  readonly snapshots: SqliteSnapshots
  readonly restoreJobs: SqliteRestoreJobs

  constructor(db: Database.Database, slots?: Pick<SqliteWriter, 'records' | 'checkpoints' | 'credentials' | 'snapshots' | 'restoreJobs'>) {
    this.records = slots?.records ?? new SqliteRecords(db)
    this.checkpoints = slots?.checkpoints ?? new SqliteCheckpoints(db)
    this.credentials = slots?.credentials ?? new SqliteCredentials(db)
    this.snapshots = slots?.snapshots ?? new SqliteSnapshots(db)
    this.restoreJobs = slots?.restoreJobs ?? new SqliteRestoreJobs(db)
  }

  /** Writes a data set inside the caller's transaction. */
  writeSync(data: DataSet): ApplySummary {
    const records = this.records.writeSync(data)
    const checkpoints = this.checkpoints.writeSync(lastById(data.checkpoints, (c) => c.id))
    const credentials = this.credentials.writeSync(data)
    const backup = this.snapshots.writeSync(data.snapshotSchedules ?? [], data.snapshots ?? [])
    const restoreJobs = this.restoreJobs.writeSync(data.restoreJobs ?? [])
    return { ...records, checkpoints, ...credentials, ...backup, restoreJobs }
  }
}

