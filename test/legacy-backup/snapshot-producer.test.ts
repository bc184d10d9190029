import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { retentionExpiry } from '../../src/domain/legacy-backup/snapshot-plan.js'
import { DEFAULT_SNAPSHOT_SETTINGS } from '../../src/domain/legacy-backup/snapshot-types.js'
import { DEMO, DEMO_END, demoDataSet } from '../../src/fixtures/demo.js'
import { SnapshotProducer } from '../../src/producer/snapshot-producer.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'

const T0 = Date.parse(DEMO_END) + 3600_000 // 01:00 UTC
const HOUR = 3600_000
const id = DEMO.clusters.cluster0.id

let fresh: FreshStore
let store: Store
before(async () => {
  fresh = await freshStore('snapshot-producer')
  store = await openStore(fresh.url)
  const demo = demoDataSet(T0)
  await store.apply(demo)
  await coverWithSnapshots(store, demo.clusters.map((c) => c.id), T0)
})
after(async () => {
  await store.close()
  await fresh.drop()
})

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z'

test('P-N1: a snapshot every 6 hours from 00:00 UTC, in progress for 5 minutes, then complete; P-N2: expired ones go', async () => {
  const producer = new SnapshotProducer({ store, now: () => T0, startsAt: T0 })
  await producer.catchUp(T0)
  const before = await store.pageSnapshots(id, 'all', iso(T0), { offset: 0, limit: 500 })
  assert.equal(before.items[0]?.created, iso(Date.parse(DEMO_END)), 'the newest is the 00:00 slot')
  assert.equal(producer.nextEventAt() !== undefined && producer.nextEventAt()! <= T0 + 5 * HOUR, true)

  const at6 = Date.parse(DEMO_END) + 6 * HOUR + 60_000
  await producer.catchUp(at6)
  const inProgress = await store.pageSnapshots(id, 'false', iso(at6), { offset: 0, limit: 10 })
  assert.deepEqual(inProgress.items.map((s) => s.created), [iso(Date.parse(DEMO_END) + 6 * HOUR)])
  assert.equal(producer.nextEventAt(), Date.parse(DEMO_END) + 6 * HOUR + 5 * 60_000)
  const done = Date.parse(DEMO_END) + 6 * HOUR + 5 * 60_000
  await producer.catchUp(done)
  const complete = await store.getSnapshot(id, inProgress.items[0]!.id, iso(done))
  assert.equal(complete?.completedAt, iso(done))
  assert.equal(complete?.expires, iso(retentionExpiry(DEFAULT_SNAPSHOT_SETTINGS, (Date.parse(DEMO_END) + 6 * HOUR) / 1000) * 1000))

  // Three days on: the 2-day snapshots of the first day are gone, the daily one stays.
  const later = Date.parse(DEMO_END) + 3 * 24 * HOUR + 10 * 60_000
  await producer.catchUp(later)
  const all = await store.listSnapshotsOfCluster(id)
  assert.ok(all.every((s) => s.doNotDelete || (s.expires !== undefined && s.expires > iso(later))), 'nothing expired is kept')
  assert.ok(all.some((s) => s.created === iso(Date.parse(DEMO_END))), 'the daily snapshot of 00:00 is kept 7 days')
  assert.ok(!all.some((s) => s.created === iso(Date.parse(DEMO_END) + 6 * HOUR)), 'the 06:00 one expired after 2 days')
  const newest = await store.pageSnapshots(id, 'true', iso(later), { offset: 0, limit: 1 })
  assert.equal(newest.items[0]?.created, iso(Date.parse(DEMO_END) + 3 * 24 * HOUR))
})
