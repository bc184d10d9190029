/**
 * Which better-sqlite3 failures mean "the database cannot be used right now" (answered 503) rather than a
 * fault in Waymark or its data (500): the file is locked by another process past the busy timeout
 * (SQLITE_BUSY*), cannot be opened (SQLITE_CANTOPEN*), or the disk failed under it (SQLITE_IOERR*).
 * Extended result codes count with their primary code (e.g. SQLITE_IOERR_SHORT_READ, SQLITE_BUSY_SNAPSHOT).
 */
const UNAVAILABLE = /^SQLITE_(BUSY|CANTOPEN|IOERR)(_[A-Z_]+)?$/

export function isSqliteUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && UNAVAILABLE.test(code)
}
