// Loads N checkpoints of one sharded cluster into a fresh SQLite file through Store.apply, in batches,
// then times the first page, a page near the end, a count, a single get and an out-of-order insert.
// Usage: npm run build && node bench/sqlite-paging.mjs [count=1000000] [batch=10000]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../dist/src/storage/sqlite/sqlite-store.js'

const count = Number(process.argv[2] ?? 1_000_000)
const batch = Number(process.argv[3] ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'))
const file = join(dir, 'bench.sqlite')
const org = '65a1f0c2e4b0a1b2c3d4e501'
const group = '65a1f0c2e4b0a1b2c3d4e502'
const cluster = '65a1f0c2e4b0a1b2c3d4e510'
const start = Date.UTC(2000, 0, 1) / 1000
const iso = (s) => new Date(s * 1000).toISOString().slice(0, 19) + 'Z'
const id = (s, i) => s.toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0')

function checkpoint(i) {
  const started = start + i * 900
  const part = (typeName, name, shard, k) => ({
    typeName,
    replicaSetName: name,
    ...(shard ? { shardName: name } : {}),
    tokenDiscovered: true,
    tokenTimestamp: { date: iso(started + 2 + k), increment: 1 + k },
  })
  return {
    id: id(started, i),
    clusterId: cluster,
    groupId: group,
    started: iso(started),
    completed: iso(started + 9),
    timestamp: iso(started + 5),
    restorable: true,
    parts: [
      part('REPLICA_SET', 'Cluster0-shard-0', true, 0),
      part('REPLICA_SET', 'Cluster0-shard-1', true, 1),
      part('REPLICA_SET', 'Cluster0-shard-2', true, 2),
      part('CONFIG_SERVER_REPLICA_SET', 'Cluster0-config-0', false, 3),
    ],
  }
}

const empty = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }
const store = SqliteStore.open(file)
await store.apply({
  ...empty,
  organizations: [{ id: org, name: 'Bench' }],
  projects: [{ id: group, orgId: org, name: 'Bench' }],
  clusters: [
    {
      id: cluster,
      groupId: group,
      name: 'Cluster0',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [0, 1, 2].map((n) => ({ shardName: `Cluster0-shard-${n}`, replicaSetName: `Cluster0-shard-${n}` })),
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Cluster0-config-0' },
    },
  ],
})

const time = async (label, fn, runs = 1) => {
  const t0 = process.hrtime.bigint()
  let result
  for (let r = 0; r < runs; r++) result = await fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs
  console.log(`${label}: ${ms < 10 ? ms.toFixed(3) : ms.toFixed(0)} ms${runs > 1 ? ` (mean of ${runs})` : ''}`)
  return result
}

let loadMs = 0
for (let i = 0; i < count; i += batch) {
  const list = []
  for (let j = i; j < Math.min(count, i + batch); j++) list.push(checkpoint(j))
  const t0 = process.hrtime.bigint()
  await store.apply({ ...empty, checkpoints: list })
  loadMs += Number(process.hrtime.bigint() - t0) / 1e6
}
console.log(`load ${count} checkpoints in batches of ${batch} (apply time only): ${loadMs.toFixed(0)} ms`)
console.log(`file size: ${(statSync(file).size / 1e6).toFixed(0)} MB`)

const first = await time('page 1 (offset 0, limit 100)', () => store.pageCheckpoints(cluster, { offset: 0, limit: 100 }), 100)
const last = await time(
  `page near the end (offset ${count - 100}, limit 100)`,
  () => store.pageCheckpoints(cluster, { offset: count - 100, limit: 100 }),
  100,
)
await time('page 1 limit 500', () => store.pageCheckpoints(cluster, { offset: 0, limit: 500 }), 100)
await time('page past the end', () => store.pageCheckpoints(cluster, { offset: count + 10, limit: 100 }), 100)
console.log(`totalCount ${first.totalCount}; first ${first.items[0]?.id}; last ${last.items.at(-1)?.id}`)
if (first.items[0]?.id !== checkpoint(count - 1).id || last.items.at(-1)?.id !== checkpoint(0).id) {
  throw new Error('wrong page contents')
}
await time('getCheckpoint', () => store.getCheckpoint(cluster, checkpoint(count >> 1).id), 100)

const late = { ...checkpoint(count - 50), id: id(start + (count - 50) * 900, count + 1) }
await time('apply 1 out-of-order checkpoint 50 from the end', () => store.apply({ ...empty, checkpoints: [late] }))
const old = { ...checkpoint(10), id: id(start + 10 * 900, count + 2) }
await time('apply 1 out-of-order checkpoint 10 from the start', () => store.apply({ ...empty, checkpoints: [old] }))
await time(`re-apply ${batch} unchanged checkpoints`, () =>
  store.apply({ ...empty, checkpoints: Array.from({ length: batch }, (_, i) => checkpoint(i)) }),
)
const check = await store.pageCheckpoints(cluster, { offset: count - 10, limit: 100 })
console.log(`after inserts: totalCount ${check.totalCount}, tail page ${check.items.length} items`)

await store.close()
rmSync(dir, { recursive: true, force: true })
