import { realpathSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { parsePostgresUrl } from './open-store.js'

/**
 * Where a store URL points, in one canonical form, so that two URLs naming the same database compare
 * equal: an SQLite file by its real absolute path (symbolic links resolved), a PostgreSQL schema by host,
 * port, database and schema (`public` when none is named; the user does not matter). Undefined for an
 * in-memory SQLite database, which is never the same as another. Read from the URL alone: two different
 * host names of one server are not recognised as one.
 */
export function storeLocation(url: string): string | undefined {
  const sqlitePath = url.startsWith('sqlite:')
    ? url.slice('sqlite:'.length)
    : /\.(sqlite3?|db)$/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)
      ? url
      : undefined
  if (sqlitePath !== undefined) {
    if (sqlitePath === ':memory:' || sqlitePath === '') return undefined
    return `sqlite:${realPath(sqlitePath)}`
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { connectionString, schema } = parsePostgresUrl(url)
    const parsed = new URL(connectionString)
    const host = parsed.hostname.toLowerCase() || 'localhost'
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username)
    return `postgres://${host}:${parsed.port || '5432'}/${database}?schema=${schema ?? 'public'}`
  }
  return url
}

/** The real path of a file, or of its directory joined with its name when the file does not exist yet. */
function realPath(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync(absolute)
  } catch {
    try {
      return resolve(realpathSync(dirname(absolute)), basename(absolute))
    } catch {
      return absolute
    }
  }
}
