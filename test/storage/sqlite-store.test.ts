import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/storage/sqlite/sqlite-migrations.js'
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js'
import { CLUSTER, GROUP, ORG, base, nth } from './sample-data.js'
import { storeConformance } from './store-conformance.js'

const dir = mkdtempSync(join(tmpdir(), 'waymark-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const shared = join(dir, 'conformance.sqlite')
storeConformance('sqlite', async () => SqliteStore.open(shared))


describe('SqliteStore', () => {
  test('records the migrations it applied', async () => {
    const file = join(dir, 'migrations.sqlite')
    const store = SqliteStore.open(file)
    await store.close()
    const db = new Database(file, { readonly: true })
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()
    db.close()
    assert.deepEqual(
      rows,
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    )
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.at(-1)?.version)
    const again = SqliteStore.open(file)
    await again.close()
  })

  test('refuses a database written by a newer Waymark', async () => {
    const file = join(dir, 'newer.sqlite')
    await SqliteStore.open(file).close()
    const db = new Database(file)
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '2030-01-01T00:00:00Z')",
    ).run(
      LATEST_SCHEMA_VERSION + 41,
    )
    db.close()
    assert.throws(
      () => SqliteStore.open(file),
      new RegExp(`newer Waymark \\(schema version ${LATEST_SCHEMA_VERSION + 41} > ${LATEST_SCHEMA_VERSION}\\)`),
    )
  })

  test('migration 4 gives the clusters of an older database checkpoints off and a 24-hour window', async () => {
    const file = join(dir, 'schema-2.sqlite')
    const db = new Database(file)
    migrate(db, MIGRATIONS.filter((m) => m.version <= 2))
    const [cluster] = base().clusters
    assert.ok(cluster)
    db.prepare('INSERT INTO organizations (id, name) VALUES (?, ?)').run(ORG, 'Org')
    db.prepare('INSERT INTO projects (id, org_id, name) VALUES (?, ?, ?)').run(GROUP, ORG, 'Project')
    db.prepare(
      `INSERT INTO clusters (id, group_id, name, type, backup, fcv, shards, config_server)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
    ).run(CLUSTER, GROUP, cluster.name, cluster.type, cluster.backup, '4.0', JSON.stringify(cluster.shards))
    db.close()
    const store = SqliteStore.open(file)
    assert.deepEqual(await store.getClusterById(GROUP, CLUSTER), cluster)
    await store.close()
  })

  test('migration 5 replaces the per-nc nonce records by leases', async () => {
    const file = join(dir, 'schema-4.sqlite')
    const db = new Database(file)
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4))
    db.prepare('INSERT INTO digest_nonce_uses (nonce, nc, expires_at) VALUES (?, ?, ?)').run('old-nonce', 1, 4_000_000_000)
    db.close()
    const store = SqliteStore.open(file)
    assert.equal(await store.claimNonceLease('old-nonce', 'owner-a', 4_000_000_000), true)
    await store.close()
    const after = new Database(file, { readonly: true })
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'digest_nonce%'").pluck().all()
    after.close()
    assert.deepEqual(tables, ['digest_nonce_leases'])
  })

  test('nonce leases are bounded: one row per nonce, dropped once expired', async () => {
    const file = join(dir, 'leases.sqlite')
    const now = Math.floor(Date.now() / 1000)
    const first = SqliteStore.open(file)
    // The first claim of a store prunes (nothing yet); these then stay until the next prune.
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.claimNonceLease(`expired-${i}`, 'owner-a', now - 1)))
    await first.claimNonceLease('live', 'owner-a', now + 300)
    await first.claimNonceLease('live', 'owner-a', now + 300)
    await first.close()
    const count = (): number => {
      const db = new Database(file, { readonly: true })
      try {
        return db.prepare('SELECT count(*) FROM digest_nonce_leases').pluck().get() as number
      } finally {
        db.close()
      }
    }
    assert.equal(count(), 51)
    const second = SqliteStore.open(file)
    assert.equal(await second.claimNonceLease('another', 'owner-b', now + 300), true)
    assert.equal(await second.claimNonceLease('live', 'owner-b', now + 300), false)
    await second.close()
    assert.equal(count(), 2)
  })

  test('keeps its data when the file is opened again', async () => {
    const file = join(dir, 'reopen.sqlite')
    const first = SqliteStore.open(file)
    await first.apply({ ...base(), checkpoints: [nth(1), nth(2)] })
    const secret = await first.getOrCreateSecret('nonce-key', () => 'abc')
    await first.close()
    const second = SqliteStore.open(file)
    assert.equal((await second.pageCheckpoints(CLUSTER, { offset: 0, limit: 10 })).totalCount, 2)
    assert.deepEqual(await second.getCheckpoint(CLUSTER, nth(2).id), nth(2))
    assert.equal(await second.getOrCreateSecret('nonce-key', () => 'other'), secret)
    await second.close()
  })

  test('stores parts positionally and reads both stored forms', async () => {
    const file = join(dir, 'parts.sqlite')
    const store = SqliteStore.open(file)
    await store.apply({ ...base(), checkpoints: [nth(1), nth(2)] })
    await store.close()
    const db = new Database(file)
    const stored = db.prepare('SELECT parts FROM checkpoints WHERE id = ?').pluck().get(nth(1).id)
    assert.deepEqual(JSON.parse(String(stored)), [
      ['REPLICA_SET', 'Cluster0', null, null, true, nth(1).timestamp, 1],
    ])
    const legacy = [
      {
        tokenTimestamp: { increment: 1, date: nth(2).timestamp },
        tokenDiscovered: true,
        replicaSetName: 'Cluster0',
        typeName: 'REPLICA_SET',
      },
    ]
    db.prepare('UPDATE checkpoints SET parts = ? WHERE id = ?').run(JSON.stringify(legacy), nth(2).id)
    db.close()
    const reopened = SqliteStore.open(file)
    const got = await reopened.getCheckpoint(CLUSTER, nth(2).id)
    assert.deepEqual(got, nth(2))
    assert.deepEqual(
      Object.keys(got?.parts[0] ?? {}),
      ['typeName', 'replicaSetName', 'tokenDiscovered', 'tokenTimestamp'],
    )
    await reopened.close()
  })

  test('creates the parent directory, and works in memory', async () => {
    const file = join(dir, 'a', 'b', 'nested.sqlite')
    const store = SqliteStore.open(file)
    assert.equal(store.engine, 'sqlite')
    await store.close()
    assert.ok(existsSync(file))
    const memory = SqliteStore.open(':memory:')
    await memory.apply({ ...base(), checkpoints: [nth(0)] })
    assert.equal((await memory.pageCheckpoints(CLUSTER, { offset: 0, limit: 1 })).totalCount, 1)
    await memory.close()
  })

  test('rejects a malformed page request', async () => {
    const store = SqliteStore.open(':memory:')
    await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: -1, limit: 10 }), RangeError)
    await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: 0, limit: 0 }), RangeError)
    await assert.rejects(store.pageCheckpoints(CLUSTER, { offset: 1.5, limit: 10 }), RangeError)
    await store.close()
  })

  test('pages 200,000 checkpoints of one cluster from both ends', async () => {
    const count = 200_000
    const store = SqliteStore.open(join(dir, 'scale.sqlite'))
    await store.apply(base())
    for (let i = 0; i < count; i += 10_000) {
      await store.apply({ ...base(), checkpoints: Array.from({ length: 10_000 }, (_, j) => nth(i + j)) })
    }
    const first = await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 100 })
    assert.equal(first.totalCount, count)
    assert.deepEqual(
      first.items.map((c) => c.id),
      Array.from({ length: 100 }, (_, k) => nth(count - 1 - k).id),
    )
    const last = await store.pageCheckpoints(CLUSTER, { offset: count - 100, limit: 100 })
    assert.deepEqual(
      last.items.map((c) => c.id),
      Array.from({ length: 100 }, (_, k) => nth(99 - k).id),
    )
    const partial = await store.pageCheckpoints(CLUSTER, { offset: count - 30, limit: 100 })
    assert.equal(partial.items.length, 30)

    const late = { ...nth(count - 3), id: 'ffffffffffffffffffffffff' }
    await store.apply({ ...base(), checkpoints: [late] })
    const top = await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 4 })
    assert.equal(top.totalCount, count + 1)
    assert.deepEqual(
      top.items.map((c) => c.id),
      [nth(count - 1).id, nth(count - 2).id, late.id, nth(count - 3).id],
    )
    const bottom = await store.pageCheckpoints(CLUSTER, { offset: count - 1, limit: 5 })
    assert.deepEqual(
      bottom.items.map((c) => c.id),
      [nth(1).id, nth(0).id],
    )
    await store.close()
  })
})
