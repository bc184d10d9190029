import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import pg from 'pg'

/** The shared PostgreSQL of the test machine (trust auth); each test works in a schema of its own. */
export const SHARED_POSTGRES = { host: '127.0.0.1', port: 5432, database: 'test' } as const
export const SHARED_POSTGRES_URL = `postgres://postgres@${SHARED_POSTGRES.host}:${SHARED_POSTGRES.port}/${SHARED_POSTGRES.database}`
const START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'

/** Runs one statement on a connection of its own to the shared server. */
export async function sharedSql(text: string, values: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: SHARED_POSTGRES_URL, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

/** A new schema name for one test (drop it with {@link dropSchema}). */
export function freshSchemaName(): string {
  return `waymark_test_${randomBytes(6).toString('hex')}`
}

export async function dropSchema(schema: string): Promise<void> {
  await sharedSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
}

/** Undefined when the shared PostgreSQL answers, else why not. */
export async function sharedPostgresUnreachable(): Promise<string | undefined> {
  try {
    await sharedSql('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error)
  }
}

/**
 * Registers, in place of a suite that needs the shared PostgreSQL, a test that fails under CI=true
 * (CI must run it) or is skipped with the reason otherwise.
 */
export function reportNoPostgres(suite: string, why: string): void {
  const message = `PostgreSQL is not reachable at ${SHARED_POSTGRES_URL} (${why})`
  if (process.env['CI'] === 'true') {
    test(`${suite}: PostgreSQL is reachable`, () => {
      assert.fail(`${message}; CI must run these tests, so this fails instead of skipping`)
    })
  } else {
    test(suite, { skip: `${message}; start it with: ${START_HINT}` }, () => undefined)
  }
}
