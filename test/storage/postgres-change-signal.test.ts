import { strict as assert } from 'node:assert'
import { after, describe, test } from 'node:test'
import type { ApiKey, ServiceAccount } from '../../src/domain/types.js'
import { CachedStore } from '../../src/storage/cached-store.js'
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS } from '../../src/storage/postgres/postgres-change-listener.js'
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js'
import type { Store } from '../../src/storage/store.js'
import { POSTGRES_SERVER, POSTGRES_URL, dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, sql } from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { CLUSTER, GROUP, ORG, base, nth } from './sample-data.js'

/**
 * The PostgreSQL change signal (src/storage/postgres/postgres-change-listener.ts): every write of the
 * engine NOTIFYs, a listening connection of each store hears it, and a cache in front of a store trusts
 * what it holds only while that connection is known to be up. The caches here keep what they read for a
 * minute (ttlMs), so anything seen sooner was seen because of a notification, and each cache has a
 * location of its own, so no in-process invalidation helps either.
 */

/** How soon a change committed by another store must be seen (a notification's latency, with slack). */
const SEEN_WITHIN_MS = 200
const LONG_TTL_MS = 60_000

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('the PostgreSQL change signal', why)
} else {
  const schemas: string[] = []
  after(async () => {
    for (const schema of schemas) await dropSchema(schema)
  })
  const freshSchema = (): string => {
    const schema = freshSchemaName('notify')
    schemas.push(schema)
    return schema
  }
  let locations = 0
  /** A cache that only notifications (or its minute-long TTL) can refresh. */
  const cached = (store: PostgresStore): CachedStore =>
    new CachedStore(store, { kind: 'notified', signal: store.changes(), ttlMs: LONG_TTL_MS }, `change-signal-test:${++locations}`)

  /** Polls `probe` until it holds; fails after `ms`. Answers how long it took. */
  const until = async (what: string, probe: () => boolean | Promise<boolean>, ms: number): Promise<number> => {
    const started = performance.now()
    for (;;) {
      if (await probe()) return performance.now() - started
      const elapsed = performance.now() - started
      assert.ok(elapsed <= ms, `${what}: not within ${ms} ms`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  const trusted = (store: PostgresStore, ms = 5_000): Promise<number> =>
    until('the listener is trusted', () => store.changes().trusted(), ms)

  const KEY: ApiKey = {
    publicKey: 'deleteme',
    orgId: ORG,
    description: 'to delete',
    digestHa1: '0'.repeat(32),
    roles: [],
    accessList: [],
    createdAt: '2026-01-01T00:00:00Z',
  }
  const ACCOUNT: ServiceAccount = {
    clientId: `mdb_sa_id_${'0'.repeat(24)}`,
    uid: '0'.repeat(32),
    orgId: ORG,
    name: 'to delete',
    description: '',
    roles: [],
    secrets: [],
    accessList: [],
    createdAt: '2026-01-01T00:00:00Z',
  }

  describe('PostgreSQL change signal', () => {
    test('every write that changes something notifies the listeners of its schema, and only of its schema', async () => {
      const schema = freshSchema()
      const writer = await PostgresStore.open(POSTGRES_URL, { schema })
      const reader = await PostgresStore.open(POSTGRES_URL, { schema })
      const elsewhere = await PostgresStore.open(POSTGRES_URL, { schema: freshSchema() })
      try {
        await trusted(reader)
        let heard = 0
        reader.changes().subscribe(() => heard++)
        const expectHeard = async (what: string, write: () => Promise<unknown>): Promise<void> => {
          const before = heard
          await write()
          await until(`${what} notified`, () => heard > before, SEEN_WITHIN_MS)
        }
        const expectSilent = async (what: string, write: () => Promise<unknown>): Promise<void> => {
          const before = heard
          await write()
          await new Promise((resolve) => setTimeout(resolve, 100))
          assert.equal(heard, before, `${what} notified although it changed nothing`)
        }
        const now = Math.floor(Date.now() / 1000)
        const data = { ...base(), checkpoints: [nth(0), nth(1), nth(2), nth(3)], apiKeys: [KEY], serviceAccounts: [ACCOUNT] }
        await expectHeard('apply', () => writer.apply(data))
        await expectHeard('revokeToken', () => writer.revokeToken('jti-1', now + 600))
        await expectSilent('revoking a revoked token', () => writer.revokeToken('jti-1', now + 600))
        await expectHeard('putSecret', () => writer.putSecret('s', 'v'))
        await expectHeard('getOrCreateSecret creating', () => writer.getOrCreateSecret('t', () => 'w'))
        await expectHeard('expireCheckpoints', () => writer.expireCheckpoints(CLUSTER, nth(1).timestamp, 10))
        await expectSilent('expireCheckpoints with nothing to expire', () => writer.expireCheckpoints(CLUSTER, nth(1).timestamp, 10))
        await expectHeard('pruneCheckpoints', () => writer.pruneCheckpoints(CLUSTER, nth(1).timestamp, 10))
        await expectSilent('pruneCheckpoints with nothing to prune', () => writer.pruneCheckpoints(CLUSTER, nth(1).timestamp, 10))
        await expectHeard('deleteCheckpoint', () => writer.deleteCheckpoint(CLUSTER, nth(2).id))
        await expectHeard('deleteApiKey', () => writer.deleteApiKey(KEY.publicKey))
        await expectSilent('deleteApiKey of no key', () => writer.deleteApiKey(KEY.publicKey))
        await expectHeard('deleteServiceAccount', () => writer.deleteServiceAccount(ACCOUNT.clientId))
        await expectSilent('deleteServiceAccount of no account', () => writer.deleteServiceAccount(ACCOUNT.clientId))
        await expectHeard('deleteCluster', () => writer.deleteCluster(GROUP, CLUSTER))
        await expectHeard('deleteProject', () => writer.deleteProject(GROUP))
        await expectHeard('deleteOrganization', () => writer.deleteOrganization(ORG))
        await expectHeard('reset', () => writer.reset())
        // The same writes to another schema of the database are not this store's business.
        await expectSilent('a write to another schema', () => elsewhere.apply(base()))
      } finally {
        await Promise.all([writer.close(), reader.close(), elsewhere.close()])
      }
    })

    test("a cache sees another store's writes within milliseconds (checkpoints, pages, revocations, records), and caches meanwhile", async (t) => {
      const schema = freshSchema()
      const inner = await PostgresStore.open(POSTGRES_URL, { schema })
      const other = await PostgresStore.open(POSTGRES_URL, { schema })
      const cache = cached(inner)
      try {
        await other.apply({ ...base(), checkpoints: [nth(0), nth(1)] })
        await trusted(inner)
        const page = { offset: 0, limit: 10 }
        const ids = async (): Promise<string[]> => (await cache.pageCheckpoints(CLUSTER, page)).items.map((c) => c.id)
        // Warm every kind.
        assert.deepEqual(await ids(), [nth(1).id, nth(0).id])
        assert.equal((await cache.getCheckpoint(CLUSTER, nth(1).id))?.restorable, true)
        assert.equal(await cache.isTokenRevoked('jti-a'), false)
        assert.equal(await cache.isTokenRevoked('jti-q'), false)
        assert.equal((await cache.getProject(GROUP))?.name, 'Project')

        // A change made without a notification (plain SQL, as with psql) is not seen: the cache is used.
        await sql('UPDATE projects SET name = $1 WHERE id = $2', ['Renamed quietly', GROUP], schema)
        await sql("INSERT INTO revoked_tokens (jti, expires_at) VALUES ('jti-q', $1)", [Math.floor(Date.now() / 1000) + 600], schema)
        await new Promise((resolve) => setTimeout(resolve, 100))
        assert.equal((await cache.getProject(GROUP))?.name, 'Project')
        assert.equal(await cache.isTokenRevoked('jti-q'), false)

        // Changes made through another store are seen within milliseconds.
        const timings: string[] = []
        await other.revokeToken('jti-a', Math.floor(Date.now() / 1000) + 600)
        timings.push(`revocation ${Math.round(await until('the revocation', () => cache.isTokenRevoked('jti-a'), SEEN_WITHIN_MS))} ms`)
        await other.apply({ ...base(), checkpoints: [{ ...nth(1), restorable: false }] })
        timings.push(`changed checkpoint ${Math.round(await until('the changed checkpoint', async () => (await cache.getCheckpoint(CLUSTER, nth(1).id))?.restorable === false, SEEN_WITHIN_MS))} ms`)
        const newer = nth(5)
        await other.apply({ ...base(), checkpoints: [newer] })
        timings.push(`new checkpoint in the page ${Math.round(await until('the new checkpoint', async () => (await ids())[0] === newer.id, SEEN_WITHIN_MS))} ms`)
        await other.deleteCheckpoint(CLUSTER, nth(1).id)
        timings.push(`deleted checkpoint ${Math.round(await until('the deleted checkpoint', async () => (await cache.getCheckpoint(CLUSTER, nth(1).id)) === undefined, SEEN_WITHIN_MS))} ms`)
        await other.deleteProject(GROUP)
        timings.push(`deleted project ${Math.round(await until('the deleted project', async () => (await cache.getProject(GROUP)) === undefined, SEEN_WITHIN_MS))} ms`)
        assert.deepEqual(await ids(), [], 'the cluster went with its project')
        // The quiet revocation was read again along the way (every notification empties the caches).
        assert.equal(await cache.isTokenRevoked('jti-q'), true)
        t.diagnostic(timings.join(', '))
      } finally {
        await Promise.all([cache.close(), other.close()])
      }
    })

    test('a killed listening connection: nothing is served from the caches until it listens again, then they start empty', async () => {
      const schema = freshSchema()
      const inner = await PostgresStore.open(POSTGRES_URL, { schema })
      const other = await PostgresStore.open(POSTGRES_URL, { schema })
      const cache = cached(inner)
      try {
        await other.apply({ ...base(), checkpoints: [nth(0)] })
        await trusted(inner)
        assert.equal(await cache.isTokenRevoked('jti-k'), false)
        assert.equal((await cache.getCheckpoint(CLUSTER, nth(0).id))?.restorable, true)
        const pid = inner.changes().processId
        assert.ok(pid !== undefined)

        const [killed] = await sql<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])
        assert.equal(killed?.ok, true)
        await until('the listener distrusted', () => !inner.changes().trusted(), 2_000)
        // Changes made while nobody listens: no notification reaches this cache. Plain SQL here, so not
        // even a notification sent later could explain seeing them.
        await sql("INSERT INTO revoked_tokens (jti, expires_at) VALUES ('jti-k', $1)", [Math.floor(Date.now() / 1000) + 600], schema)
        assert.equal(await cache.isTokenRevoked('jti-k'), true, 'read through while not listening')
        await sql('UPDATE checkpoints SET restorable = false WHERE id = $1', [nth(0).id], schema)
        assert.equal((await cache.getCheckpoint(CLUSTER, nth(0).id))?.restorable, false, 'read through while not listening')
        await sql('UPDATE checkpoints SET restorable = true WHERE id = $1', [nth(0).id], schema)
        assert.equal((await cache.getCheckpoint(CLUSTER, nth(0).id))?.restorable, true, 'nothing kept while not listening')

        // Listening again (a new connection), and trusted only from then on.
        await trusted(inner)
        const again = inner.changes().processId
        assert.ok(again !== undefined && again !== pid, `a new listening connection (${again} after ${pid})`)
        assert.equal((await cache.getCheckpoint(CLUSTER, nth(0).id))?.restorable, true)
        await other.apply({ ...base(), checkpoints: [{ ...nth(0), restorable: false }] })
        await until('a change after reconnecting', async () => (await cache.getCheckpoint(CLUSTER, nth(0).id))?.restorable === false, SEEN_WITHIN_MS)
      } finally {
        await Promise.all([cache.close(), other.close()])
      }
    })

    test('a listening connection whose heartbeat goes unanswered is distrusted within interval + timeout, and trusted again once back', async (t) => {
      const schema = freshSchema()
      const proxy = await startTcpProxy(POSTGRES_SERVER)
      let inner: PostgresStore | undefined
      let cache: Store | undefined
      try {
        inner = await PostgresStore.open(`postgres://postgres@127.0.0.1:${proxy.port}/${POSTGRES_SERVER.database}`, { schema })
        const s = inner
        cache = cached(s)
        await s.apply(base())
        await trusted(s)
        proxy.freeze()
        const frozeAt = performance.now()
        const ms = await until('distrusted', () => !s.changes().trusted(), HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS + 500)
        t.diagnostic(`distrusted ${Math.round(performance.now() - frozeAt)} ms after the freeze (polled ${Math.round(ms)} ms)`)
        await proxy.restore()
        t.diagnostic(`trusted again ${Math.round(await trusted(s, 10_000))} ms after the restore`)
        assert.equal((await cache.getProject(GROUP))?.id, GROUP)
      } finally {
        await cache?.close()
        await proxy.close()
      }
    })

    test('close() ends the listening connection: no backend of it is left', async () => {
      const schema = freshSchema()
      const store = await PostgresStore.open(POSTGRES_URL, { schema })
      await trusted(store)
      const pid = store.changes().processId
      await store.close()
      await until('the listener gone', async () => (await sql('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 0, 2_000)
      assert.equal(store.changes().trusted(), false)
    })
  })
}
