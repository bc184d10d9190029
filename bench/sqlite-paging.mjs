// Loads N checkpoints of one sharded cluster into a fresh SQLite file through Store.apply, in batches,
// then times the first page, a page near the end, a count, a single get and an out-of-order insert.
// Usage: npm run build && node bench/sqlite-paging.mjs [count=1000000] [batch=10000]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../dist/src/storage/sqlite/sqlite-store.js'
import { BIG, bigClusterSkeleton, checkpoint, loadCheckpoints } from './lib/big-cluster.mjs'

const count = Number(process.argv[2] ?? 1_000_000)
const batch = Number(process.argv[3] ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'))
const file = join(dir, 'bench.sqlite')
const cluster = BIG.cluster
const empty = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }
/** Another checkpoint at the i-th one's time: same timestamp, an id no generated checkpoint has. */
const twin = (i, n) => ({ ...checkpoint(i), id: checkpoint(i).id.slice(0, 8) + n.toString(16).padStart(16, '0') })
const store = SqliteStore.open(file)
await store.apply(bigClusterSkeleton())

const time = async (label, fn, runs = 1) => {
  const t0 = process.hrtime.bigint()
  let result
  for (let r = 0; r < runs; r++) result = await fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs
  console.log(`${label}: ${ms < 10 ? ms.toFixed(3) : ms.toFixed(0)} ms${runs > 1 ? ` (mean of ${runs})` : ''}`)
  return result
}

const loadMs = await loadCheckpoints(store, count, { batch })
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

const late = twin(count - 50, count + 1)
await time('apply 1 out-of-order checkpoint 50 from the end', () => store.apply({ ...empty, checkpoints: [late] }))
const old = twin(10, count + 2)
await time('apply 1 out-of-order checkpoint 10 from the start', () => store.apply({ ...empty, checkpoints: [old] }))
await time(`re-apply ${batch} unchanged checkpoints`, () =>
  store.apply({ ...empty, checkpoints: Array.from({ length: batch }, (_, i) => checkpoint(i)) }),
)
const check = await store.pageCheckpoints(cluster, { offset: count - 10, limit: 100 })
console.log(`after inserts: totalCount ${check.totalCount}, tail page ${check.items.length} items`)

await store.close()
rmSync(dir, { recursive: true, force: true })
