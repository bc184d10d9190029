import type Database from 'better-sqlite3'
import type { DataSet } from '../../domain/types.js'
import { lastById } from '../rank-plan.js'
import type { ApplySummary } from '../store.js'
import { SqliteCheckpoints } from './sqlite-checkpoints.js'
import { SqliteCredentials } from './sqlite-credentials.js'
import { SqliteRecords } from './sqlite-records.js'

export const NO_RECORDS: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

/** The slots that write a data set, on one connection (the store's, or a bulk load's own). */
export class SqliteWriter {
  readonly records: SqliteRecords
  readonly checkpoints: SqliteCheckpoints
  readonly credentials: SqliteCredentials

  constructor(db: Database.Database, slots?: Pick<SqliteWriter, 'records' | 'checkpoints' | 'credentials'>) {
    this.records = slots?.records ?? new SqliteRecords(db)
    this.checkpoints = slots?.checkpoints ?? new SqliteCheckpoints(db)
    this.credentials = slots?.credentials ?? new SqliteCredentials(db)
  }

  /** Writes a data set inside the caller's transaction. */
  writeSync(data: DataSet): ApplySummary {
    const records = this.records.writeSync(data)
    const checkpoints = this.checkpoints.writeSync(lastById(data.checkpoints, (c) => c.id))
    const credentials = this.credentials.writeSync(data)
    return { ...records, checkpoints, ...credentials }
  }
}

