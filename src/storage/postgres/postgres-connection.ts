import type pg from 'pg'
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg'
import { ADVISORY_LOCK_KEY } from './postgres-migrations.js'
import { NOTIFY_CHANGE, NOTIFY_CHANGE_CALL } from './postgres-change-listener.js'

/**
 * The PostgreSQL engine's connection slot: timeouts, named statements, checked-out connections, the
 * notifying write and the write transaction every slot of the engine uses.
 *
 * Per-call limits, so a stopped or unreachable server fails a request in seconds instead of hanging it:
 * getting a connection (a new one, or waiting for a pooled one) takes at most CONNECT, and a statement at
 * most QUERY on our side (STATEMENT on the server's, which cancels first when the server is alive). A
 * frozen server thus fails a store call within CONNECT + QUERY = 5.5 s; a stopped one at once.
 */
export const CONNECT_TIMEOUT_MS = 2_000
export const STATEMENT_TIMEOUT_MS = 3_000
export const QUERY_TIMEOUT_MS = 3_500
/** The readiness query's own limit on our side. */
export const PING_TIMEOUT_MS = 1_500
/** `apply` may write millions of rows: its statements get far longer. */
export const APPLY_TIMEOUT_MS = 600_000

/** A statement prepared once per connection by name (`waymark_<name>`). */
export function named(name: string, text: string, values: unknown[]): QueryConfig {
  return { name: `waymark_${name}`, text, values }
}

/** Runs a named statement on the pool and answers its rows. */
export async function readNamed<R extends QueryResultRow>(
  pool: pg.Pool,
  name: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  return (await pool.query<R>(named(name, text, values))).rows
}

/**
 * One INSERT, UPDATE or DELETE (without RETURNING) as a statement of its own that also notifies the
 * listeners of this schema when it changed any row (see postgres-change-listener.ts): answers how many.
 */
export async function notifying(pool: pg.Pool, statement: string, values: unknown[]): Promise<number> {
  const text = `WITH w AS (${statement} RETURNING 1), n AS (SELECT count(*)::int AS n FROM w)
    SELECT n.n, CASE WHEN n.n > 0 THEN ${NOTIFY_CHANGE_CALL} END AS notified FROM n`
  const [row] = (await pool.query<{ n: number }>(text, values)).rows
  return row?.n ?? 0
}

/** Swallows the 'error' a checked-out connection emits when the server drops it (see {@link checkout}). */
const ignoreLostConnection = (): void => undefined

/**
 * A pooled connection for several statements. A connection the server drops while it is checked out
 * emits 'error' on the client, which would crash the process without a listener; the statement in flight
 * rejects anyway, so the listener only has to exist. {@link release} removes it; the pool then discards a
 * connection that is no longer usable.
 */
export async function checkout(pool: pg.Pool): Promise<PoolClient> {
  const client = await pool.connect()
  client.on('error', ignoreLostConnection)
  return client
}

export function release(client: PoolClient): void {
  client.off('error', ignoreLostConnection)
  client.release()
}

/** Runs one statement of an `apply` or a delete, with the long client-side timeout. */
export async function write<R extends QueryResultRow = QueryResultRow>(
  client: PoolClient,
  text: string,
  values: unknown[],
): Promise<R[]> {
  // pg honours a per-query query_timeout; @types/pg's QueryConfig does not declare it.
  const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: APPLY_TIMEOUT_MS }
  return (await client.query<R>(config)).rows
}

/** How many rows one statement of a delete touched (with the long timeout). */
export async function changes(client: PoolClient, text: string, values: unknown[]): Promise<number> {
  const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: APPLY_TIMEOUT_MS }
  return (await client.query(config)).rowCount ?? 0
}

/** The statement that makes a transaction the schema's one writer (apply, deletes, pruning). */
export const APPLY_LOCK = `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY}, hashtext('apply:' || current_schema()))`

/**
 * Runs `work` in one transaction under the lock `apply` takes (one writer at a time per schema, as
 * SQLite's immediate transactions: rank renumbering must not interleave), with the long timeout, and
 * notifies this schema's listeners before it commits.
 */
export async function inWriteTransaction<T>(pool: pg.Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(pool)
  try {
    await client.query('BEGIN')
    try {
      await client.query(`SET LOCAL statement_timeout = ${APPLY_TIMEOUT_MS}`)
      // Waiting for the lock is bounded by the apply timeout too: a large load elsewhere may hold it a while.
      await write(client, APPLY_LOCK, [])
      const result = await work(client)
      await client.query(NOTIFY_CHANGE)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    }
  } finally {
    release(client)
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Whether a lookup key holds U+0000, which PostgreSQL refuses in text parameters (an error, not a miss).
 * No stored record can hold it (fixture validation refuses it), so such a lookup finds nothing.
 */
export function holdsNul(text: string): boolean {
  return text.includes('\u0000')
}
