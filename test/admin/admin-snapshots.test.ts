import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { assertAdminError, assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { callWithBody } from '../helpers/legacy-call.js'
import { assertLegacySchema } from '../helpers/legacy-openapi.js'

/**
 * The admin API's snapshot schedule and snapshots (docs/admin-api.md, "Snapshots and the snapshot
 * schedule"): every answer validated against the admin OpenAPI document (startAdminApp does), what it sets
 * seen through the real API, and deleting a base snapshot turning checkpoints non-restorable in Atlas v2.
 */

const NOW = Date.parse(DEMO_END)
const G = IDS.projectA
const CLUSTER = '5f0a0000000000000000e001'
const ADMIN = `/groups/${G}/clusters/${CLUSTER}`
const V2 = `/api/atlas/v2/groups/${G}/clusters/Snapshots0`
const BASE = '5f0a0000000000000000e101'
const NEWER = '5f0a0000000000000000e102'
const CHECKPOINTS = ['5f0a0000000000000000e201', '5f0a0000000000000000e202', '5f0a0000000000000000e203']

const at = (hoursFromNow: number): string => new Date(NOW + hoursFromNow * 3_600_000).toISOString().slice(0, 19) + 'Z'
const sizes = { dataSizeBytes: 10, fileSizeBytes: 30, storageSizeBytes: 20 }
const snapshotParts = [
  { typeName: 'REPLICA_SET', replicaSetName: 'snap-rs', clusterId: '5f0a0000000000000000e091', ...sizes },
  { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'snap-cfg', clusterId: '5f0a0000000000000000e092', ...sizes },
]
const checkpoint = (id: string, hours: number) => ({
  id,
  started: at(hours),
  completed: at(hours),
  timestamp: at(hours),
  restorable: true,
  parts: [
    { typeName: 'REPLICA_SET', replicaSetName: 'snap-rs', shardName: 'sh0', tokenDiscovered: true, tokenTimestamp: { date: at(hours), increment: 1 } },
    { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'snap-cfg', tokenDiscovered: true, tokenTimestamp: { date: at(hours), increment: 1 } },
  ],
})

/** v2's restorable flag of each of the cluster's checkpoints, by id. */
async function v2Restorable(t: AdminApp): Promise<Record<string, boolean>> {
  const res = await callWithBody(t, `${V2}/backupCheckpoints`, { key: KEYS.demoread })
  assert.equal(res.status, 200, res.body)
  return Object.fromEntries(res.json().results.map((c: { id: string; restorable: boolean }) => [c.id, c.restorable]))
}

describe('admin API: snapshot schedule and snapshots', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp({ now: () => NOW })
    // A sharded legacy backup cluster of its own, with checkpoints 30, 20 and 5 hours old, tracked by its snapshots:
    // a kept base 36 hours old and a newer one 12 hours old.
    const res = await t.admin('POST', '/fixtures', {
      clusters: [
        {
          id: CLUSTER,
          groupId: G,
          name: 'Snapshots0',
          type: 'SHARDED',
          backup: 'LEGACY',
          featureCompatibilityVersion: '4.0',
          shards: [{ shardName: 'sh0', replicaSetName: 'snap-rs' }],
          configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'snap-cfg' },
        },
      ],
      checkpoints: [checkpoint(CHECKPOINTS[0] as string, -30), checkpoint(CHECKPOINTS[1] as string, -20), checkpoint(CHECKPOINTS[2] as string, -5)].map((c) => ({ ...c, clusterId: CLUSTER, groupId: G })),
      snapshots: [
        { id: BASE, clusterId: CLUSTER, groupId: G, created: at(-36), completedAt: at(-35.5), doNotDelete: true, parts: snapshotParts },
        { id: NEWER, clusterId: CLUSTER, groupId: G, created: at(-12), completedAt: at(-11.5), expires: at(48), parts: snapshotParts },
      ],
    })
    assert.equal(res.status, 200, res.body)
  })
  after(() => t.close())

  test('GET and PUT the schedule; the API shows what PUT stored; bad bodies are the fixture messages', async () => {
    assert.deepEqual((await t.admin('GET', `${ADMIN}/snapshotSchedule`)).json(), { clusterId: CLUSTER, groupId: G })
    const put = await t.admin('PUT', `${ADMIN}/snapshotSchedule`, { snapshotIntervalHours: 12, dailySnapshotRetentionDays: 15, referenceHourOfDay: 4, referenceMinuteOfHour: 15 })
    assert.equal(put.status, 200, put.body)
    const stored = { clusterId: CLUSTER, groupId: G, snapshotIntervalHours: 12, dailySnapshotRetentionDays: 15, referenceHourOfDay: 4, referenceMinuteOfHour: 15, referenceTimeZoneOffset: '+0000' }
    assert.deepEqual(put.json(), stored)
    assert.deepEqual((await t.admin('GET', `${ADMIN}/snapshotSchedule`)).json(), stored)
    const api = await callWithBody(t, `${V2}/snapshotSchedule`, { key: KEYS.demoread })
    assertLegacySchema('ApiAtlasSnapshotScheduleView', api.json())
    assert.deepEqual([api.json().snapshotIntervalHours, api.json().dailySnapshotRetentionDays, api.json().snapshotRetentionDays], [12, 15, 2])
    // PUT replaces: what the body leaves out is the default again.
    assert.deepEqual((await t.admin('PUT', `${ADMIN}/snapshotSchedule`, { snapshotIntervalHours: 8 })).json(), { clusterId: CLUSTER, groupId: G, snapshotIntervalHours: 8 })

    assertViolations(await t.admin('PUT', `${ADMIN}/snapshotSchedule`, { snapshotIntervalHours: 7, weeklySnapshotRetentionWeeks: 9, referenceMinuteOfHour: 5 }), [
      ['snapshotIntervalHours', 'snapshotIntervalHours must be one of 6, 8, 12, 24, not 7'],
      ['weeklySnapshotRetentionWeeks', 'weeklySnapshotRetentionWeeks must be one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 52, not 9'],
      ['referenceMinuteOfHour', 'referenceMinuteOfHour must be given with referenceHourOfDay'],
    ])
    assertViolations(await t.admin('PUT', `${ADMIN}/snapshotSchedule`, { clusterId: IDS.cluster0 }), [['clusterId', `clusterId must be the one in the path, ${CLUSTER}, or absent`]])
    const cloud = await t.admin('PUT', `/groups/${G}/clusters/${IDS.cloudCluster0}/snapshotSchedule`, {})
    assertViolations(cloud, [['clusterId', `clusterId ${IDS.cloudCluster0} is not a legacy backup cluster taking snapshots (its backup is CLOUD)`]])
    assertAdminError(await t.admin('GET', `/groups/${G}/clusters/5f0a0000000000000000eeee/snapshotSchedule`), 404, 'CLUSTER_NOT_FOUND')
    assert.equal((await t.admin('GET', `${ADMIN}/snapshotSchedule`)).json().snapshotIntervalHours, 8, 'nothing refused was stored')
  })

  test('list, create and read snapshots; the API lists the same ones', async () => {
    const list = (await t.admin('GET', `${ADMIN}/snapshots`)).json()
    assert.deepEqual(list.results.map((s: { id: string }) => s.id), [NEWER, BASE])
    assert.equal(list.totalCount, 2)
    assert.equal(list.results[1].doNotDelete, true)
    assert.equal('expiresExplicit' in list.results[0], false)

    const body = { created: at(-2), completedAt: at(-1.5), expires: at(30), incremental: true, parts: snapshotParts }
    const made = await t.admin('POST', `${ADMIN}/snapshots`, body)
    assert.equal(made.status, 201, made.body)
    const id = made.json().id as string
    assert.match(id, /^[0-9a-f]{24}$/)
    assert.deepEqual(made.json(), { id, clusterId: CLUSTER, groupId: G, ...body, doNotDelete: false })
    assert.deepEqual((await t.admin('GET', `${ADMIN}/snapshots/${id}`)).json(), made.json())
    assertAdminError(await t.admin('POST', `${ADMIN}/snapshots`, { ...body, id }), 409, 'DUPLICATE_ID', ['Snapshot', id])
    assertViolations(await t.admin('POST', `${ADMIN}/snapshots`, { ...body, expires: at(-3) }), [['expires', `expires ${at(-3)} must be after created (${at(-2)})`]])
    assertViolations(await t.admin('POST', `${ADMIN}/snapshots`, { ...body, doNotDelete: true }), [['expires', 'expires must be absent when doNotDelete is true (a kept snapshot does not expire)']])

    const api = await callWithBody(t, `${V2}/snapshots?completed=all`, { key: KEYS.demoread })
    assertLegacySchema('PaginatedSnapshotView', api.json())
    assert.deepEqual(api.json().results.map((s: { id: string }) => s.id), [id, NEWER, BASE])
    const paged = (await t.admin('GET', `${ADMIN}/snapshots?pageNum=2&itemsPerPage=2`)).json()
    assert.deepEqual([paged.results.map((s: { id: string }) => s.id), paged.totalCount], [[BASE], 3])

    assertAdminError(await t.admin('GET', `${ADMIN}/snapshots/nope`), 404, 'INVALID_SNAPSHOT_ID')
    assertAdminError(await t.admin('GET', `${ADMIN}/snapshots/5f0a0000000000000000e1ff`), 404, 'SNAPSHOT_NOT_FOUND')
    assert.deepEqual((await t.admin('DELETE', `${ADMIN}/snapshots/${id}`)).json(), { deleted: { snapshots: 1 } })
    assertAdminError(await t.admin('DELETE', `${ADMIN}/snapshots/${id}`), 404, 'SNAPSHOT_NOT_FOUND')
  })

  test('deleting the base snapshot (doNotDelete, which the API refuses to delete) turns the checkpoints on it non-restorable in v2', async () => {
    assert.deepEqual(await v2Restorable(t), { [CHECKPOINTS[0] as string]: true, [CHECKPOINTS[1] as string]: true, [CHECKPOINTS[2] as string]: true })
    const refused = await callWithBody(t, `${V2}/snapshots/${BASE}`, { method: 'DELETE', key: KEYS.grpowner })
    assert.equal(refused.status, 403, refused.body)
    assert.equal(refused.json().errorCode, 'CANNOT_MODIFY_SNAPSHOT')

    assert.deepEqual((await t.admin('DELETE', `${ADMIN}/snapshots/${BASE}`)).json(), { deleted: { snapshots: 1 } })
    // The checkpoints older than the remaining snapshot have no base now; the newest stands on it.
    assert.deepEqual(await v2Restorable(t), { [CHECKPOINTS[0] as string]: false, [CHECKPOINTS[1] as string]: false, [CHECKPOINTS[2] as string]: true })
    const one = await callWithBody(t, `${V2}/backupCheckpoints/${CHECKPOINTS[1]}`, { key: KEYS.demoread })
    assert.equal(one.json().restorable, false)
    assert.deepEqual((await t.admin('GET', `${ADMIN}/snapshots`)).json().results.map((s: { id: string }) => s.id), [NEWER])
  })
})
