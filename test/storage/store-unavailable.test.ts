import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { openStore } from '../../src/storage/open-store.js'
import { isPostgresUnavailable, postgresUnavailableKind } from '../../src/storage/postgres/postgres-errors.js'
import { isSqliteUnavailable } from '../../src/storage/sqlite/sqlite-errors.js'
import { StoreUnavailableError } from '../../src/storage/store-errors.js'
import type { Store } from '../../src/storage/store.js'
import {
  POSTGRES_SERVER,
  POSTGRES_URL,
  dropSchema,
  freshSchemaName,
  reportUnreachable,
  postgresUnreachable,
} from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { CLUSTER, GROUP, base, nth } from './sample-data.js'

/** The rejection of `promise`, and how long it took to come. */
async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now()
  try {
    await promise
  } catch (error) {
    return { error, ms: performance.now() - started }
  }
  assert.fail('expected a rejection')
}

function assertUnavailable(error: unknown): void {
  assert.ok(error instanceof StoreUnavailableError, `not a StoreUnavailableError: ${String(error)}`)
  assert.ok(error.cause instanceof Error, 'the driver error is kept as the cause')
  assert.match(error.message, /^The store cannot be reached: /)
}

/** Retries `read` until it resolves (the engine reconnecting by itself), for at most `withinMs`. */
async function eventually<T>(read: () => Promise<T>, withinMs: number): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  for (;;) {
    try {
      return { value: await read(), ms: performance.now() - started }
    } catch (error) {
      if (performance.now() - started > withinMs) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

// Asked before any test runs: the SQLite busy-timeout test below blocks the event loop for 5 s.
const why = await postgresUnreachable()

describe('SQLite: which failures mean the store is unavailable', () => {
  let dir: string
  after(() => rm(dir, { recursive: true, force: true }))

  test('a file that cannot be opened (SQLITE_CANTOPEN) or is locked (SQLITE_BUSY) counts; a constraint does not', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-unavailable-'))
    let cantOpen: unknown
    try {
      new Database(dir) // a directory is no database file
    } catch (error) {
      cantOpen = error
    }
    assert.equal((cantOpen as { code?: string }).code, 'SQLITE_CANTOPEN')
    assert.equal(isSqliteUnavailable(cantOpen), true)

    const file = join(dir, 'locked.sqlite')
    const holder = new Database(file)
    const other = new Database(file, { timeout: 0 })
    try {
      holder.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)')
      holder.exec('BEGIN IMMEDIATE')
      let busy: unknown
      try {
        other.exec('BEGIN IMMEDIATE')
      } catch (error) {
        busy = error
      }
      assert.equal((busy as { code?: string }).code, 'SQLITE_BUSY')
      assert.equal(isSqliteUnavailable(busy), true)
      holder.exec('ROLLBACK')
      holder.exec('INSERT INTO t (id) VALUES (1)')
      let constraint: unknown
      try {
        holder.exec('INSERT INTO t (id) VALUES (1)')
      } catch (error) {
        constraint = error
      }
      assert.match(String((constraint as { code?: string }).code), /^SQLITE_CONSTRAINT/)
      assert.equal(isSqliteUnavailable(constraint), false)
    } finally {
      holder.close()
      other.close()
    }
    assert.equal(isSqliteUnavailable(new TypeError('The database connection is not open')), false)
    assert.equal(isSqliteUnavailable('SQLITE_BUSY'), false)
  })

  test('a store whose file another writer holds past the busy timeout fails with StoreUnavailableError', async () => {
    const file = join(dir, 'held.sqlite')
    const store = await openStore(`sqlite:${file}`)
    const holder = new Database(file)
    try {
      await store.ping()
      holder.exec('BEGIN IMMEDIATE')
      // The store waits its 5 s busy timeout (synchronously, as better-sqlite3 does), then gives up.
      const { error } = await failure(store.apply(base()))
      assertUnavailable(error)
      assert.equal((error as Error & { cause: { code: string } }).cause.code, 'SQLITE_BUSY')
      holder.exec('ROLLBACK')
      await store.apply(base())
      assert.equal((await store.getProject(GROUP))?.id, GROUP)
    } finally {
      holder.close()
      await store.close()
    }
  })

  test('other failures stay what they are', async () => {
    const store = await openStore('sqlite::memory:')
    await store.ping()
    await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: -1, limit: 1 }), RangeError)
    await store.close()
    const { error } = await failure(store.ping())
    assert.ok(!(error instanceof StoreUnavailableError))
    assert.ok(error instanceof TypeError)
  })
})

if (why !== undefined) {
  reportUnreachable('PostgreSQL: which failures mean the store is unavailable', why)
} else {
  const schemas: string[] = []
  after(async () => {
    for (const schema of schemas) await dropSchema(schema)
  })

  describe('PostgreSQL: which failures mean the store is unavailable', () => {
    test('real driver errors: refused, timed out, terminated count; SQL errors do not', async () => {
      const refused = await failure(new pg.Client({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 2_000 }).connect())
      assert.equal(isPostgresUnavailable(refused.error), true, String(refused.error))

      const victim = new pg.Client({ connectionString: POSTGRES_URL })
      victim.on('error', () => undefined)
      await victim.connect()
      try {
        const syntax = await failure(victim.query('SELEC 1'))
        assert.equal((syntax.error as { code?: string }).code, '42601')
        assert.equal(isPostgresUnavailable(syntax.error), false)
        const missing = await failure(victim.query('SELECT * FROM no_such_table_here'))
        assert.equal(isPostgresUnavailable(missing.error), false)

        await victim.query('SET statement_timeout = 50')
        const timeout = await failure(victim.query('SELECT pg_sleep(2)'))
        assert.equal((timeout.error as { code?: string }).code, '57014')
        assert.equal(isPostgresUnavailable(timeout.error), true)
        await victim.query('SET statement_timeout = 0')

        // SQLSTATE class 53 (insufficient resources): here 53400, a temporary file over temp_file_limit,
        // the nearest to a full disk a test can cause. The store cannot write: 503, not 500.
        await victim.query("SET work_mem = '64kB'")
        await victim.query("SET temp_file_limit = '64kB'")
        const tooBig = await failure(victim.query('SELECT g FROM generate_series(1, 200000) AS g ORDER BY g DESC'))
        assert.equal((tooBig.error as { code?: string }).code, '53400')
        assert.equal(postgresUnavailableKind(tooBig.error), 'storage')
        await victim.query('RESET temp_file_limit')
        await victim.query('RESET work_mem')
        assert.equal(postgresUnavailableKind(Object.assign(new Error('could not extend file'), { code: '53100' })), 'storage')
        assert.equal(postgresUnavailableKind(Object.assign(new Error('invalid page in block'), { code: 'XX001' })), 'damaged')
        assert.equal(postgresUnavailableKind(Object.assign(new Error('too many connections'), { code: '53300' })), 'unreachable')

        const [row] = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows
        const sleeping = failure(victim.query('SELECT pg_sleep(10)'))
        await new Promise((resolve) => setTimeout(resolve, 200))
        const killer = new pg.Client({ connectionString: POSTGRES_URL })
        await killer.connect()
        await killer.query('SELECT pg_terminate_backend($1)', [row?.pid])
        await killer.end()
        const terminated = await sleeping
        assert.equal((terminated.error as { code?: string }).code, '57P01')
        assert.equal(isPostgresUnavailable(terminated.error), true)
        const afterwards = await failure(victim.query('SELECT 1'))
        assert.equal(isPostgresUnavailable(afterwards.error), true, String(afterwards.error))
      } finally {
        await victim.end().catch(() => undefined)
      }
      assert.equal(isPostgresUnavailable(new Error('Connection terminated unexpectedly')), true)
      assert.equal(isPostgresUnavailable(new Error('timeout exceeded when trying to connect')), true)
      assert.equal(isPostgresUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), true)
      assert.equal(isPostgresUnavailable(new Error('Cannot use a pool after calling end on the pool')), false)
      assert.equal(isPostgresUnavailable(undefined), false)
    })

    test('a store whose server goes away fails every call with StoreUnavailableError at once, then recovers by itself', async (t) => {
      const schema = freshSchemaName()
      schemas.push(schema)
      const proxy = await startTcpProxy(POSTGRES_SERVER)
      let store: Store | undefined
      try {
        store = await openStore(`postgres://postgres@127.0.0.1:${proxy.port}/${POSTGRES_SERVER.database}?schema=${schema}`)
        const s = store
        await s.apply({ ...base(), checkpoints: [nth(0), nth(1)] })
        await s.ping()
        // Several pooled connections, all dropped by the cut below.
        await Promise.all(Array.from({ length: 5 }, () => s.pageCheckpoints(CLUSTER, { offset: 0, limit: 2 })))

        await proxy.cut()
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['ping', () => s.ping()],
          ['getProject', () => s.getProject(GROUP)],
          ['pageCheckpoints', () => s.pageCheckpoints(CLUSTER, { offset: 0, limit: 2 })],
          ['getCheckpoint', () => s.getCheckpoint(CLUSTER, nth(0).id)],
          ['getApiKey', () => s.getApiKey('nobody')],
          ['isTokenRevoked', () => s.isTokenRevoked('jti')],
          ['revokeToken', () => s.revokeToken('jti', Math.floor(Date.now() / 1000) + 60)],
          ['getOrCreateSecret', () => s.getOrCreateSecret('x', () => 'y')],
          ['apply', () => s.apply(base())],
        ]
        for (const [name, call] of calls) {
          const { error, ms } = await failure(call())
          assertUnavailable(error)
          assert.ok(ms < 1_000, `${name} took ${ms} ms with the server gone`)
        }

        await proxy.restore()
        const back = await eventually(() => s.pageCheckpoints(CLUSTER, { offset: 0, limit: 2 }), 5_000)
        t.diagnostic(`first answer ${Math.round(back.ms)} ms after the server came back`)
        assert.deepEqual(back.value.items.map((c) => c.id), [nth(1).id, nth(0).id])
        await s.ping()
      } finally {
        await store?.close()
        await proxy.close()
      }
    })

    test('a server that stops answering fails calls within the timeouts (connect 2 s, read 3.5 s), not later', async (t) => {
      const schema = freshSchemaName()
      schemas.push(schema)
      const proxy = await startTcpProxy(POSTGRES_SERVER)
      let store: Store | undefined
      try {
        store = await openStore(`postgres://postgres@127.0.0.1:${proxy.port}/${POSTGRES_SERVER.database}?schema=${schema}`)
        const s = store
        await s.apply(base())
        await s.ping()

        proxy.freeze()
        // The first call waits on the open, frozen connection (read timeout); the others open new ones
        // that never complete (connect timeout).
        const results = await Promise.all([
          failure(s.getProject(GROUP)),
          failure(s.getApiKey('nobody')),
          failure(s.pageCheckpoints(CLUSTER, { offset: 0, limit: 1 })),
          failure(s.ping()),
        ])
        for (const { error, ms } of results) {
          assertUnavailable(error)
          assert.ok(ms < 6_000, `a call took ${ms} ms against a frozen server`)
        }
        t.diagnostic(`calls against a frozen server failed after ${results.map((r) => Math.round(r.ms)).join(', ')} ms`)

        await proxy.restore()
        const back = await eventually(() => s.getProject(GROUP), 5_000)
        assert.equal(back.value?.id, GROUP)
      } finally {
        await store?.close()
        await proxy.close()
      }
    })
  })
}
