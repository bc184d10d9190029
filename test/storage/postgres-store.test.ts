import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { after, describe, test } from 'node:test'
import pg from 'pg'
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/storage/postgres/postgres-migrations.js'
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js'
import { CLUSTER, GROUP, ORG, base, nth } from './sample-data.js'
import { storeConformance } from './store-conformance.js'
import { POSTGRES_URL, START_HINT as POSTGRES_START_HINT, postgresUnreachable, sql } from '../helpers/postgres.js'

const URL = POSTGRES_URL
const START_HINT = POSTGRES_START_HINT

const schemas: string[] = []

/** A new schema name, dropped after the run. */
function freshSchema(): string {
  const name = `waymark_test_${randomBytes(6).toString('hex')}`
  schemas.push(name)
  return name
}


const why = await postgresUnreachable()

if (why !== undefined) {
  const message = `PostgreSQL is not reachable at ${URL} (${why})`
  if (process.env.CI === 'true') {
    test('PostgreSQL is reachable for the postgres engine tests', () => {
      assert.fail(`${message}; CI must run the postgres engine tests, so this fails instead of skipping`)
    })
  } else {
    test('PostgresStore', { skip: `${message}; start it with: ${START_HINT}` }, () => undefined)
  }
} else {
  after(async () => {
    for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  })

  const shared = freshSchema()
  storeConformance('postgres', () => PostgresStore.open(URL, { schema: shared }))

  describe('PostgresStore', () => {
    test('records the migrations it applied, in its own schema', async () => {
      const schema = freshSchema()
      const store = await PostgresStore.open(URL, { schema })
      assert.equal(store.engine, 'postgres')
      await store.close()
      const rows = await sql('SELECT version, name FROM schema_migrations ORDER BY version', [], schema)
      assert.deepEqual(
        rows,
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      )
      assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.at(-1)?.version)
      const tables = await sql<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      )
      assert.deepEqual(
        tables.map((t) => t.table_name),
        ['api_keys', 'checkpoints', 'clusters', 'digest_nonce_leases', 'organizations', 'projects', 'restore_jobs', 'revoked_tokens',
          'schema_migrations', 'secrets', 'service_accounts', 'snapshot_settings', 'snapshots', 'write_probe'],
      )
      const again = await PostgresStore.open(URL, { schema })
      await again.close()
      assert.equal((await sql('SELECT * FROM schema_migrations', [], schema)).length, MIGRATIONS.length)
    })

    test('refuses a schema written by a newer Waymark', async () => {
      const schema = freshSchema()
      await (await PostgresStore.open(URL, { schema })).close()
      await sql(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', '2030-01-01T00:00:00Z')",
        [LATEST_SCHEMA_VERSION + 41],
        schema,
      )
      await assert.rejects(
        PostgresStore.open(URL, { schema }),
        new RegExp(`newer Waymark \\(schema version ${LATEST_SCHEMA_VERSION + 41} > ${LATEST_SCHEMA_VERSION}\\)`),
      )
    })

    test('stores opening one fresh schema at once all succeed and migrate it once', async () => {
      const schema = freshSchema()
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(URL, { schema })))
      try {
        await stores[0]?.apply({ ...base(), checkpoints: [nth(0)] })
        for (const store of stores) {
          assert.equal((await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 5 })).totalCount, 1)
        }
      } finally {
        await Promise.all(stores.map((s) => s.close()))
      }
      const rows = await sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version', [], schema)
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      )
    })

    test('concurrent applies to one cluster keep its ranks dense', async () => {
      const schema = freshSchema()
      const one = await PostgresStore.open(URL, { schema })
      const two = await PostgresStore.open(URL, { schema })
      try {
        await one.apply(base())
        const evens = Array.from({ length: 50 }, (_, i) => nth(2 * i))
        const odds = Array.from({ length: 50 }, (_, i) => nth(2 * i + 1))
        await Promise.all([
          ...evens.map((c) => one.apply({ ...base(), checkpoints: [c] })),
          ...odds.map((c) => two.apply({ ...base(), checkpoints: [c] })),
        ])
        const page = await one.pageCheckpoints(CLUSTER, { offset: 0, limit: 500 })
        assert.equal(page.totalCount, 100)
        assert.deepEqual(
          page.items.map((c) => c.id),
          Array.from({ length: 100 }, (_, k) => nth(99 - k).id),
        )
      } finally {
        await one.close()
        await two.close()
      }
    })

    test('migration 4 gives the clusters of an older schema checkpoints off and a 24-hour window', async () => {
      const schema = freshSchema()
      const pool = new pg.Pool({ connectionString: URL, options: `-c search_path=${schema}` })
      try {
        const client = await pool.connect()
        try {
          await migrate(client, { schema, migrations: MIGRATIONS.filter((m) => m.version <= 2) })
        } finally {
          client.release()
        }
      } finally {
        await pool.end()
      }
      const [cluster] = base().clusters
      assert.ok(cluster)
      await sql("INSERT INTO organizations (id, name) VALUES ($1, 'Org')", [ORG], schema)
      await sql("INSERT INTO projects (id, org_id, name) VALUES ($1, $2, 'Project')", [GROUP, ORG], schema)
      await sql(
        `INSERT INTO clusters (id, group_id, name, type, backup, fcv, shards, config_server)
         VALUES ($1, $2, $3, $4, $5, '4.0', $6, NULL)`,
        [CLUSTER, GROUP, cluster.name, cluster.type, cluster.backup, JSON.stringify(cluster.shards)],
        schema,
      )
      const store = await PostgresStore.open(URL, { schema })
      try {
        assert.deepEqual(await store.getClusterById(GROUP, CLUSTER), cluster)
      } finally {
        await store.close()
      }
    })

    test('migration 5 replaces the per-nc nonce records by leases', async () => {
      const schema = freshSchema()
      const pool = new pg.Pool({ connectionString: URL, options: `-c search_path=${schema}` })
      try {
        const client = await pool.connect()
        try {
          await migrate(client, { schema, migrations: MIGRATIONS.filter((m) => m.version <= 4) })
        } finally {
          client.release()
        }
      } finally {
        await pool.end()
      }
      await sql("INSERT INTO digest_nonce_uses (nonce, nc, expires_at) VALUES ('old-nonce', 1, 4000000000)", [], schema)
      const store = await PostgresStore.open(URL, { schema })
      try {
        assert.equal(await store.claimNonceLease('old-nonce', 'owner-a', 4_000_000_000), true)
      } finally {
        await store.close()
      }
      const tables = await sql<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'digest_nonce%'",
        [schema],
      )
      assert.deepEqual(tables.map((t) => t.table_name), ['digest_nonce_leases'])
    })

    test('nonce leases are bounded: one row per nonce, dropped once expired', async () => {
      const schema = freshSchema()
      const now = Math.floor(Date.now() / 1000)
      const first = await PostgresStore.open(URL, { schema })
      // The first claim of a store prunes (nothing yet); these then stay until the next prune.
      await first.claimNonceLease('live', 'owner-a', now + 300)
      await Promise.all(Array.from({ length: 50 }, (_, i) => first.claimNonceLease(`expired-${i}`, 'owner-a', now - 1)))
      await first.claimNonceLease('live', 'owner-a', now + 300)
      await first.close()
      const count = async (): Promise<number> =>
        Number((await sql<{ n: string }>('SELECT count(*) AS n FROM digest_nonce_leases', [], schema))[0]?.n)
      assert.equal(await count(), 51)
      const second = await PostgresStore.open(URL, { schema })
      assert.equal(await second.claimNonceLease('another', 'owner-b', now + 300), true)
      assert.equal(await second.claimNonceLease('live', 'owner-b', now + 300), false)
      await second.close()
      assert.equal(await count(), 2)
    })

    test('keeps its data when opened again', async () => {
      const schema = freshSchema()
      const first = await PostgresStore.open(URL, { schema })
      await first.apply({ ...base(), checkpoints: [nth(1), nth(2)] })
      const secret = await first.getOrCreateSecret('nonce-key', () => 'abc')
      await first.revokeToken('jti-1', Math.floor(Date.now() / 1000) + 600)
      await first.revokeToken('jti-old', Math.floor(Date.now() / 1000) - 1)
      await first.close()
      await first.close()
      const second = await PostgresStore.open(URL, { schema })
      try {
        assert.equal((await second.pageCheckpoints(CLUSTER, { offset: 0, limit: 10 })).totalCount, 2)
        assert.deepEqual(await second.getCheckpoint(CLUSTER, nth(2).id), nth(2))
        assert.equal(await second.getOrCreateSecret('nonce-key', () => 'other'), secret)
        assert.equal(await second.isTokenRevoked('jti-1'), true)
        assert.equal(await second.isTokenRevoked('jti-2'), false)
        const stored = await sql<{ parts: string }>('SELECT parts FROM checkpoints WHERE id = $1', [nth(1).id], schema)
        assert.deepEqual(JSON.parse(stored[0]?.parts ?? 'null'), [
          ['REPLICA_SET', 'Cluster0', null, null, true, nth(1).timestamp, 1],
        ])
      } finally {
        await second.close()
      }
    })

    test('rejects a malformed page request and a malformed schema name', async () => {
      const store = await PostgresStore.open(URL, { schema: shared })
      try {
        await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: -1, limit: 10 }), RangeError)
        await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: 0, limit: 0 }), RangeError)
        await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: 1.5, limit: 10 }), RangeError)
        assert.deepEqual(
          await store.pageCheckpoints(CLUSTER, { offset: Number.MAX_SAFE_INTEGER, limit: 500 }),
          { items: [], totalCount: 0 },
        )
      } finally {
        await store.close()
      }
      await assert.rejects(PostgresStore.open(URL, { schema: 'x; DROP TABLE y' }), /Invalid PostgreSQL schema name/)
    })

    test('fails fast when no server answers', async () => {
      const started = Date.now()
      await assert.rejects(PostgresStore.open('postgres://postgres@127.0.0.1:1/test', { schema: 'unused' }))
      assert.ok(Date.now() - started < 5_000)
    })

    test('loads a 100,000-checkpoint cluster and pages it from both ends', async (t) => {
      const count = 100_000
      const store = await PostgresStore.open(URL, { schema: freshSchema() })
      try {
        await store.apply(base())
        const checkpoints = Array.from({ length: count }, (_, i) => nth(i))
        let started = performance.now()
        const summary = await store.apply({ ...base(), checkpoints })
        t.diagnostic(`apply of ${count} checkpoints: ${Math.round(performance.now() - started)} ms`)
        assert.equal(summary.checkpoints, count)

        started = performance.now()
        const first = await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 100 })
        const firstMs = performance.now() - started
        assert.equal(first.totalCount, count)
        assert.deepEqual(
          first.items.map((c) => c.id),
          Array.from({ length: 100 }, (_, k) => nth(count - 1 - k).id),
        )
        started = performance.now()
        const last = await store.pageCheckpoints(CLUSTER, { offset: count - 100, limit: 100 })
        const lastMs = performance.now() - started
        assert.deepEqual(
          last.items.map((c) => c.id),
          Array.from({ length: 100 }, (_, k) => nth(99 - k).id),
        )
        assert.deepEqual(last.items.at(-1), nth(0))
        t.diagnostic(`first page: ${firstMs.toFixed(1)} ms, last page: ${lastMs.toFixed(1)} ms (100 items each)`)
        const partial = await store.pageCheckpoints(CLUSTER, { offset: count - 30, limit: 100 })
        assert.equal(partial.items.length, 30)

        const late = { ...nth(count - 3), id: 'ffffffffffffffffffffffff' }
        const early = { ...nth(0), id: '000000000000000000000000' }
        started = performance.now()
        await store.apply({ ...base(), checkpoints: [late, early] })
        const renumberMs = Math.round(performance.now() - started)
        t.diagnostic(`apply of 2 checkpoints renumbering the whole cluster: ${renumberMs} ms`)
        const top = await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 4 })
        assert.equal(top.totalCount, count + 2)
        assert.deepEqual(
          top.items.map((c) => c.id),
          [nth(count - 1).id, nth(count - 2).id, late.id, nth(count - 3).id],
        )
        const bottom = await store.pageCheckpoints(CLUSTER, { offset: count, limit: 5 })
        assert.deepEqual(
          bottom.items.map((c) => c.id),
          [nth(0).id, early.id],
        )
      } finally {
        await store.close()
      }
    })
  })
}
