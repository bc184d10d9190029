import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import pg from 'pg'

/**
 * The PostgreSQL the tests use: the machine's own with trust authentication, or the server
 * WAYMARK_TEST_POSTGRES_URL names. Each test works in a schema of its own.
 */
export const POSTGRES_URL = process.env['WAYMARK_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
const parsed = new URL(POSTGRES_URL)
/** Where that server listens (e.g. for a relay put in front of it). */
export const POSTGRES_SERVER = {
  host: parsed.hostname,
  port: Number(parsed.port || 5432),
  database: parsed.pathname.slice(1),
} as const
export const START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'

/** Runs one statement on its own connection, with `schema` first on the search_path when given. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  schema?: string,
): Promise<R[]> {
  const client = new pg.Client({
    connectionString: POSTGRES_URL,
    connectionTimeoutMillis: 3_000,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

/** Undefined when PostgreSQL answers at {@link POSTGRES_URL}; otherwise why not. */
export async function postgresUnreachable(): Promise<string | undefined> {
  try {
    await sql('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error)
  }
}

/**
 * When PostgreSQL is unreachable (`why`), registers what stands for the suite `name`: under CI=true a
 * failing test (CI must run the PostgreSQL tests), otherwise a skipped one saying how to start it.
 */
export function reportUnreachable(name: string, why: string, ci = process.env['CI'] === 'true'): void {
  const message = `PostgreSQL is not reachable at ${POSTGRES_URL} (${why})`
  if (ci) {
    test(`PostgreSQL is reachable for ${name}`, () => {
      assert.fail(`${message}; CI must run these tests, so this fails instead of skipping`)
    })
  } else {
    test(name, { skip: `${message}; start it with: ${START_HINT}, then run npm test again` }, () => undefined)
  }
}

/** A new schema name; nothing is created until a store opens it. */
export function freshSchemaName(label = 'test'): string {
  return `waymark_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(6).toString('hex')}`
}

/** The store URL of a schema of the test database. */
export function schemaUrl(schema: string): string {
  return `${POSTGRES_URL}?schema=${schema}`
}

export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}
