import type { UnavailableKind } from '../store-errors.js'

/**
 * Which better-sqlite3 failures mean "the database cannot serve this right now" (answered 503) rather
 * than a fault in Waymark or its data (500), and why (store-errors.ts). Extended result codes count with
 * their primary code (e.g. SQLITE_IOERR_SHORT_READ, SQLITE_BUSY_SNAPSHOT).
 * - unreachable: locked by another process past the busy timeout (SQLITE_BUSY*), cannot be opened
 *   (SQLITE_CANTOPEN*);
 * - storage: the disk is full (SQLITE_FULL), failed under it (SQLITE_IOERR*) or turned read-only
 *   (SQLITE_READONLY*, as when the file system is remounted read-only after errors);
 * - damaged: a page of the file is not what SQLite wrote (SQLITE_CORRUPT*), or the file is no database
 *   (SQLITE_NOTADB).
 */
const KINDS: ReadonlyArray<readonly [RegExp, UnavailableKind]> = [
  [/^SQLITE_(BUSY|CANTOPEN)(_[A-Z_]+)?$/, 'unreachable'],
  [/^SQLITE_(FULL|IOERR|READONLY)(_[A-Z_]+)?$/, 'storage'],
  [/^SQLITE_(CORRUPT|NOTADB)(_[A-Z_]+)?$/, 'damaged'],
]

export function sqliteUnavailableKind(error: unknown): UnavailableKind | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return undefined
  return KINDS.find(([pattern]) => pattern.test(code))?.[1]
}

/** Whether the error is one of those, of any kind. */
export function isSqliteUnavailable(error: unknown): boolean {
  return sqliteUnavailableKind(error) !== undefined
}
