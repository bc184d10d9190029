import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertAdminError, startAdminApp, type AdminApp } from '../helpers/admin.js'

/** GET …/clusters/{clusterId}/timeline: counts by state in buckets, the window split, the checkpoints when zoomed in. */

const NOW = '2026-12-01T12:00:00Z'
const ORG = '5f1900000000000000000001'
const GROUP = '5f1900000000000000000002'
const CLUSTER = '5f1900000000000000000003'
const EMPTY_CLUSTER = '5f1900000000000000000004'
const HOUR = 3_600_000

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + 'Z'
const at = (hoursBeforeNow: number): number => Date.parse(NOW) - hoursBeforeNow * HOUR

type Kind = 'restorable' | 'inProgress' | 'tokenNotDiscovered' | 'expired'

/** A checkpoint at `ms` of the given kind; ids count up so they sort by time. */
function checkpoint(n: number, ms: number, kind: Kind): object {
  const seconds = Math.floor(ms / 1000)
  const id = seconds.toString(16).padStart(8, '0') + n.toString(16).padStart(16, '0')
  return {
    id,
    started: iso(ms - 4000),
    ...(kind === 'inProgress' ? {} : { completed: iso(ms + 5000) }),
    timestamp: iso(ms),
    restorable: kind === 'restorable',
    parts: [
      { typeName: 'REPLICA_SET', replicaSetName: 'rs0', shardName: 'rs0', tokenDiscovered: kind !== 'tokenNotDiscovered' && kind !== 'inProgress', tokenTimestamp: { date: iso(ms), increment: 1 } },
      { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'cfg', tokenDiscovered: true, tokenTimestamp: { date: iso(ms), increment: 2 } },
    ],
  }
}

// A 6-hour window. Outside it: 10 expired checkpoints, 2 never-discovered ones, a gap of 13 hours, 1 more expired;
// inside: 5 restorable, 1 not discovered yet, 1 loaded not restorable, 1 in progress (the newest).
const KINDS: Array<[number, Kind]> = [
  ...Array.from({ length: 10 }, (_, i): [number, Kind] => [30 - i, 'expired']),
  [20.5, 'tokenNotDiscovered'],
  [19.5, 'tokenNotDiscovered'],
  [6.5, 'expired'],
  ...Array.from({ length: 5 }, (_, i): [number, Kind] => [5 - i, 'restorable']),
  [0.75, 'tokenNotDiscovered'],
  [0.5, 'expired'],
  [0.25, 'inProgress'],
]

const FIXTURE = {
  organizations: [{ id: ORG, name: 'Timeline' }],
  projects: [{ id: GROUP, orgId: ORG, name: 'Timeline' }],
  clusters: [CLUSTER, EMPTY_CLUSTER].map((id, i) => ({
    id,
    groupId: GROUP,
    name: `timeline-${i}`,
    type: 'SHARDED',
    backup: 'LEGACY',
    featureCompatibilityVersion: '4.0',
    shards: [{ shardName: 'rs0', replicaSetName: 'rs0' }],
    configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'cfg' },
    pointInTimeWindowHours: 6,
  })),
  checkpoints: KINDS.map(([hours, kind], n) => ({ ...checkpoint(n, at(hours), kind), clusterId: CLUSTER, groupId: GROUP })),
}

describe('admin API: timeline', () => {
  let t: AdminApp
  const path = `/groups/${GROUP}/clusters/${CLUSTER}/timeline`
  before(async () => {
    t = await startAdminApp({ now: () => Date.parse(NOW) })
    const loaded = await t.admin('POST', '/fixtures', FIXTURE)
    assert.equal(loaded.status, 200, loaded.body)
  })
  after(() => t.close())

  test('by default: the whole history in buckets, counted by state, the window and the clock', async () => {
    const res = await t.admin('GET', path)
    assert.equal(res.status, 200, res.body)
    const body = res.json()
    assert.equal(body.now, NOW)
    assert.deepEqual(body.window, { start: iso(at(6)), end: NOW, hours: 6 })
    assert.deepEqual(body.cluster, { count: 21, oldest: iso(at(30)), newest: iso(at(0.25)), newestRestorable: iso(at(1)) })
    assert.equal(body.from, iso(at(30)))
    assert.deepEqual(body.counts, { total: 21, restorable: 5, inProgress: 1, tokenNotDiscovered: 3, outsideWindow: 11, notRestorable: 1 })
    // 30 hours and a second in 200 buckets of 9 minutes 1 second; the gap has no buckets.
    assert.equal(body.bucketSeconds, 541)
    assert.equal(body.buckets.length, 21)
    const sum = body.buckets.reduce((n: number, b: { total: number }) => n + b.total, 0)
    assert.equal(sum, 21)
    assert.ok(!body.buckets.some((b: { start: string }) => b.start > iso(at(19.5)) && b.start < iso(at(6.7))), 'the gap is empty')
    // 21 checkpoints: listed, each with its state.
    assert.equal(body.checkpoints.length, 21)
    assert.deepEqual(
      body.checkpoints.map((c: { state: string }) => c.state),
      [...Array(10).fill('outsideWindow'), 'tokenNotDiscovered', 'tokenNotDiscovered', 'outsideWindow', ...Array(5).fill('restorable'), 'tokenNotDiscovered', 'notRestorable', 'inProgress'],
    )
  })

  test('a bucket that the window starts in is counted on both sides of it', async () => {
    // One bucket of 8 hours up to now: 2 hours outside the window, 6 inside; the not restorable
    // checkpoint at 6.5 hours is outside it, the one at half an hour inside.
    const res = await t.admin('GET', `${path}?from=-8h&to=now&buckets=1&maxCheckpoints=0`)
    const body = res.json()
    assert.equal(res.status, 200, res.body)
    assert.equal(body.bucketSeconds, 8 * 3600)
    assert.equal(body.checkpoints, null)
    assert.deepEqual(body.buckets, [{ start: iso(at(8)), total: 9, restorable: 5, inProgress: 1, tokenNotDiscovered: 1, outsideWindow: 1, notRestorable: 1 }])
    const wider = (await t.admin('GET', `${path}?from=${iso(at(26))}&to=${iso(at(2))}&buckets=3`)).json()
    assert.equal(wider.bucketSeconds, 8 * 3600)
    assert.deepEqual(
      wider.buckets.map((b: { total: number; outsideWindow: number; restorable: number; tokenNotDiscovered: number }) => [b.total, b.outsideWindow, b.restorable, b.tokenNotDiscovered]),
      [[8, 6, 0, 2], [4, 1, 3, 0]],
    )
  })

  test('over maxCheckpoints, buckets only; an empty cluster and range', async () => {
    assert.equal((await t.admin('GET', `${path}?maxCheckpoints=20`)).json().checkpoints, null)
    assert.equal((await t.admin('GET', `${path}?maxCheckpoints=21`)).json().checkpoints.length, 21)
    const empty = (await t.admin('GET', `/groups/${GROUP}/clusters/${EMPTY_CLUSTER}/timeline`)).json()
    assert.deepEqual(empty.cluster, { count: 0, oldest: null, newest: null, newestRestorable: null })
    assert.equal(empty.to, iso(Date.parse(NOW) + 1000))
    assert.deepEqual(empty.buckets, [])
    assert.deepEqual(empty.checkpoints, [])
  })

  test('bad parameters and unknown clusters answer the API\'s errors', async () => {
    for (const query of ['from=yesterday', 'to=2026-13-01T00:00:00Z', 'buckets=0', 'buckets=1001', 'maxCheckpoints=1001', 'buckets=', 'from=-1h&from=-2h', 'from=1900-01-01T00:00:00Z']) {
      const name = query.split('=')[0]
      assertAdminError(await t.admin('GET', `${path}?${query}`), 400, 'INVALID_QUERY_PARAMETER', [name])
    }
    assertAdminError(await t.admin('GET', `${path}?from=-1h&to=-2h`), 400, 'INVALID_QUERY_PARAMETER', ['to'])
    assertAdminError(await t.admin('GET', `/groups/${GROUP}/clusters/5f19000000000000000000ff/timeline`), 404, 'CLUSTER_NOT_FOUND')
    assertAdminError(await t.admin('GET', `/groups/${GROUP}/clusters/nope/timeline`), 404, 'INVALID_CLUSTER_ID')
    assertAdminError(await t.admin('POST', path, {}), 405, 'METHOD_NOT_ALLOWED')
  })
})
