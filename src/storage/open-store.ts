import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { CachedStore } from './cached-store.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'
import { markOpenFailure, StoreNotFoundError } from './store-errors.js'

/** The engines this build can open, as `openStore` URL schemes. */
export const AVAILABLE_ENGINES = ['sqlite', 'postgres'] as const

/** How each engine's URL is written, for messages. */
const URL_FORMS: Record<(typeof AVAILABLE_ENGINES)[number], string> = {
  sqlite: 'sqlite:PATH',
  postgres: 'postgres://USER@HOST:PORT/DATABASE[?schema=NAME]',
}

/**
 * How long a PostgreSQL store keeps what it cached at most, whatever its change signal says. Waymark's own
 * writes are seen elsewhere when their notification arrives (milliseconds); this bounds the rest: a
 * change made without Waymark (psql), and a listening connection that fails silently until its heartbeat
 * notices (postgres-change-listener.ts).
 */
export const POSTGRES_CACHE_TTL_MS = 1_000

let memoryStores = 0

/** A SQLite store behind its cache, which `PRAGMA data_version` keeps exact (cached-store.ts). */
function cachedSqlite(path: string, options: OpenStoreOptions): Store {
  const store = SqliteStore.open(path, { ...(options.migrate !== undefined ? { migrate: options.migrate } : {}), checkLargeFileInBackground: options.serving === true })
  const location = path === ':memory:' ? `sqlite-memory:${++memoryStores}` : `sqlite:${resolve(path)}`
  return new CachedStore(store, { kind: 'exact', changedElsewhere: () => store.changedElsewhere() }, location)
}

/**
 * A `postgres://` or `postgresql://` URL split into the connection string handed to pg and the schema its
 * optional `schema` query parameter names (removed from the connection string, which pg would misread).
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema?: string } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`The store URL "${url}" is not a valid PostgreSQL URL (${URL_FORMS.postgres})`)
  }
  const schema = parsed.searchParams.get('schema')
  if (schema === null) return { connectionString: url }
  parsed.searchParams.delete('schema')
  return { connectionString: parsed.toString(), schema }
}

export interface OpenStoreOptions {
  /**
   * False (`serve --no-migrate`): create and migrate nothing, refuse a schema that is not at this build's
   * version (docs/deployment.md, least privilege). Default true: bring the schema up to date.
   */
  readonly migrate?: boolean
  /**
   * True: create nothing. A SQLite file must exist, and a PostgreSQL schema must hold Waymark's tables;
   * otherwise a StoreNotFoundError (the CLI's reading and credential commands). Default false: a new
   * store is created where the URL points.
   */
  readonly mustExist?: boolean
  /**
   * The store is for `waymark serve`: a SQLite file too large to check before it opens is checked in the
   * background (sqlite/sqlite-integrity.ts); files up to 64 MiB are checked before opening in any case.
   */
  readonly serving?: boolean
}

/**
 * Opens the store a URL names: `sqlite:PATH` (e.g. `sqlite:./data/waymark.sqlite`, `sqlite::memory:`), a
 * bare path ending in `.sqlite`, `.sqlite3` or `.db`, or `postgres://…` / `postgresql://…` (a
 * `?schema=NAME` query parameter puts every table in that schema, created if missing). Anything else
 * throws, saying which engines exist. Whatever it throws is marked as an open failure (`isOpenFailure`).
 * This is the only module outside src/storage/<engine>/ that imports an engine.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  try {
    return await openEngine(url, options)
  } catch (error) {
    throw markOpenFailure(error)
  }
}

async function openEngine(url: string, options: OpenStoreOptions): Promise<Store> {
  const mustExist = options.mustExist === true
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    if (path === '') throw new Error('The store URL "sqlite:" names no file; try sqlite:./data/waymark.sqlite')
    return cachedSqlite(existing(path, mustExist), options)
  }
  if (/\.(sqlite3?|db)$/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return cachedSqlite(existing(url, mustExist), options)
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { connectionString, schema } = parsePostgresUrl(url)
    // Imported on demand: the pg driver costs tens of milliseconds of start-up that SQLite users never need.
    const { PostgresStore } = await import('./postgres/postgres-store.js')
    const store = await PostgresStore.open(connectionString, {
      ...(schema !== undefined ? { schema } : {}),
      ...(options.migrate !== undefined ? { migrate: options.migrate } : {}),
      mustExist,
    })
    const freshness = { kind: 'notified', signal: store.changes(), ttlMs: POSTGRES_CACHE_TTL_MS } as const
    return new CachedStore(store, freshness, url)
  }
  const available = `available engines: ${AVAILABLE_ENGINES.map((e) => URL_FORMS[e]).join(', ')}`
  throw new Error(`Unsupported store URL "${url}" (${available})`)
}

/** The SQLite path, after checking that the file exists when nothing may be created. */
function existing(path: string, mustExist: boolean): string {
  if (!mustExist) return path
  if (path === ':memory:') throw new StoreNotFoundError('an in-memory store is empty at every start')
  if (!existsSync(path)) throw new StoreNotFoundError(`the file ${resolve(path)} does not exist`)
  return path
}
