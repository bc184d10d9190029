import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** The storage engines the HTTP suites run against. */
export type TestEngine = 'sqlite' | 'postgres'

/**
 * The PostgreSQL the PostgreSQL runs of the HTTP suites use: the machine's own with trust authentication,
 * or the server WAYMARK_TEST_POSTGRES_URL names.
 */
export const POSTGRES_URL = process.env.WAYMARK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const POSTGRES_START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'

let engine: TestEngine = 'sqlite'

/**
 * Makes every later {@link freshStore} (and so every test app) use this engine. The PostgreSQL runs of
 * the HTTP suites (test/postgres/*) call it before importing the suite.
 */
export function useEngine(next: TestEngine): void {
  engine = next
}

export function currentEngine(): TestEngine {
  return engine
}

export interface FreshStore {
  /** The store URL, for openStore, loadConfig or `--store`. */
  readonly url: string
  /** Removes the database (SQLite directory or PostgreSQL schema). */
  drop(): Promise<void>
}

/**
 * A new, empty database on the current engine, private to one test: a SQLite file in a new temporary
 * directory, or a new PostgreSQL schema (`?schema=`), so runs never collide.
 */
export async function freshStore(label = 'test'): Promise<FreshStore> {
  if (engine === 'postgres') {
    const schema = `waymark_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(6).toString('hex')}`
    return {
      url: `${POSTGRES_URL}?schema=${schema}`,
      drop: () => runSql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
    }
  }
  const dir = await mkdtemp(join(tmpdir(), `waymark-${label}-`))
  return { url: `sqlite:${join(dir, 'waymark.sqlite')}`, drop: () => rm(dir, { recursive: true, force: true }) }
}

/** Runs one statement against {@link POSTGRES_URL} on its own short-lived connection. */
export async function runSql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Undefined when PostgreSQL answers at {@link POSTGRES_URL}; otherwise why not. */
export async function postgresUnreachable(): Promise<string | undefined> {
  try {
    await runSql('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error)
  }
}
