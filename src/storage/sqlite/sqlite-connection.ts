import { existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { olderSchemaError } from '../schema-version.js'
import type { SchemaMigration, StoreClock } from '../store.js'
import { StoreUnavailableError } from '../store-errors.js'
import { isSqliteUnavailable, sqliteUnavailableKind } from './sqlite-errors.js'
import { DamagedStoreError, fileSize, quickCheck, SYNC_CHECK_MAX_BYTES } from './sqlite-integrity.js'
import { checkSchemaVersion, LATEST_SCHEMA_VERSION, migrate } from './sqlite-migrations.js'

/** The engine's connection slot: opening the file, its settings, the check before use and the migration. */

export interface SqliteOpenOptions {
  /** False: create and migrate nothing; the file must exist at this build's schema version. Default true. */
  readonly migrate?: boolean
  /**
   * Check a file too large to check before opening (over 64 MiB) in a worker thread while the store is in
   * use; damage found makes `ping` (readiness) fail. `waymark serve` asks for it; commands that run to an
   * end do not.
   */
  readonly checkLargeFileInBackground?: boolean
  /** The server's clock, for the revoked tokens and nonce leases it forgets once expired; the wall clock by default. */
  readonly clock?: StoreClock | undefined
}

export function isMemory(path: string): boolean {
  return path === ':memory:' || path === ''
}

/** An open database file at this build's schema, its migration, and its size when opened (0: in memory). */
export interface OpenedDatabase {
  readonly db: Database.Database
  readonly migration: SchemaMigration
  readonly size: number
}

/**
 * Opens (creating if needed, with its parent directory) the database at `path`, or an in-memory one for
 * ':memory:', and migrates it (`migrating` false: nothing created or migrated, the file must exist at this
 * build's schema version). A damaged small file is refused before anything is written to it; a file written
 * by a newer Waymark too. Errors of an unreachable file are StoreUnavailableError.
 */
export function openDatabase(path: string, migrating: boolean): OpenedDatabase {
  if (!migrating && !isMemory(path) && !existsSync(path)) throw olderSchemaError(0, LATEST_SCHEMA_VERSION)
  if (migrating && !isMemory(path)) mkdirSync(dirname(resolve(path)), { recursive: true })
  const size = isMemory(path) ? 0 : fileSize(path)
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.pragma('foreign_keys = ON')
    // A damaged file is refused before anything is written to it (a small one whole, here).
    const problem = size > 0 && size <= SYNC_CHECK_MAX_BYTES ? quickCheck(db) : undefined
    if (problem !== undefined) throw new DamagedStoreError(path, problem)
    const migration = migrating ? migrate(db) : checkSchemaVersion(db)
    return { db, migration, size }
  } catch (error) {
    db.close()
    if (error instanceof DamagedStoreError) throw error
    if (sqliteUnavailableKind(error) === 'damaged') throw new DamagedStoreError(path, (error as Error).message)
    throw isSqliteUnavailable(error) ? new StoreUnavailableError(error) : error
  }
}
