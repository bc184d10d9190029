import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import pg from 'pg'

/** The PostgreSQL every test uses (trust auth); each test works in its own fresh schema. */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'
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

/** Undefined when PostgreSQL answers at {@link POSTGRES_URL}, else why not. */
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
export function reportUnreachable(name: string, why: string, ci: boolean): void {
  const message = `PostgreSQL is not reachable at ${POSTGRES_URL} (${why})`
  if (ci) {
    test(`PostgreSQL is reachable for ${name}`, () => {
      throw new Error(`${message}; CI must run these tests, so this fails instead of skipping`)
    })
  } else {
    test(name, { skip: `${message}; start it with: ${START_HINT}` }, () => undefined)
  }
}

/** A new schema name; nothing is created until a store opens it. */
export function freshSchemaName(): string {
  return `waymark_test_${randomBytes(6).toString('hex')}`
}

/** The store URL of a schema of the test database. */
export function schemaUrl(schema: string): string {
  return `${POSTGRES_URL}?schema=${schema}`
}

export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
}
