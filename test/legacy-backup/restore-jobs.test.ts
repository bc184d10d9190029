import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { assertApiError } from '../helpers/api-errors.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { assertLegacySchema } from '../helpers/legacy-openapi.js'
import { SDK_CONTENT_TYPE, send } from '../helpers/restore-calls.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

const ADMIN_TOKEN = 'restore-admin-token-0123'
const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters`
const RS = `${V2}/ReplicaSet0/restoreJobs`
const SHARDED = `${V2}/Cluster0/restoreJobs`
const UPGRADED42 = '65a1f0c2e4b0a1b2c3d4e513'
const HOUR = 3_600_000

/** Every v2 answer of these routes validates against the upstream schemas. */
function v2(res: CallResult, status = 200): any {
  assert.equal(res.status, status, res.body)
  const body = res.json()
  assertLegacySchema('results' in body ? 'PaginatedRestoreJobView' : 'BackupRestoreJob', body)
  return body
}

describe('restore jobs (P-R1 … P-R6, P-G1 … P-G7)', () => {
  let t: TestApp
  let clock = Date.parse(DEMO_END)
  let rsSnapshot = ''
  let shardedSnapshot = ''
  let checkpoint = { id: '', timestamp: '' }
  let unrestorable = ''
  const admin = (method: string, path: string, body?: unknown) =>
    t.app.inject({ method: method as 'POST', url: `/_admin/v1${path}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(body === undefined ? {} : { payload: body as object }) })
  const post = (url: string, body: unknown, options: Parameters<typeof send>[4] = {}) => send(t, 'POST', url, body, options)
  const http = (snapshotId = rsSnapshot, delivery: object = {}) => ({ delivery: { methodName: 'HTTP', ...delivery }, snapshotId })

  before(async () => {
    t = await startTestApp({ now: () => clock, env: { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN } })
    await coverWithSnapshots(t.store, [IDS.cluster0, IDS.replicaSet0, UPGRADED42], clock)
    rsSnapshot = (await t.store.pageSnapshots(IDS.replicaSet0, 'true', DEMO_END, { offset: 0, limit: 1 })).items[0]?.id ?? ''
    shardedSnapshot = (await t.store.pageSnapshots(IDS.cluster0, 'true', DEMO_END, { offset: 0, limit: 1 })).items[0]?.id ?? ''
    const checkpoints = (await t.call(`${V2}/Cluster0/backupCheckpoints?itemsPerPage=500`)).json().results as { id: string; restorable: boolean; timestamp: string }[]
    const restorable = checkpoints.find((c) => c.restorable)
    checkpoint = { id: restorable?.id ?? '', timestamp: restorable?.timestamp ?? '' }
    unrestorable = checkpoints.find((c) => !c.restorable)?.id ?? ''
    assert.match(rsSnapshot + shardedSnapshot + checkpoint.id + unrestorable, /^[a-f0-9]{96}$/)
  })
  after(() => t.close())

  test('P-G1: DELETE of a job and other methods answer 405 with Allow', async () => {
    const one = await send(t, 'DELETE', `${RS}/${IDS.projectA}`, undefined)
    assertApiError(one, 405, 'METHOD_NOT_ALLOWED')
    assert.equal(one.headers['allow'], 'GET, HEAD')
    const list = await send(t, 'PUT', RS, {})
    assertApiError(list, 405, 'METHOD_NOT_ALLOWED')
    assert.equal(list.headers['allow'], 'GET, HEAD, POST')
  })

  test('P-G3: the body is JSON whatever the Content-Type (the SDK type, none, text/plain)', async () => {
    for (const contentType of [SDK_CONTENT_TYPE, null, 'text/plain']) {
      clock += HOUR
      v2(await post(RS, http(), { contentType }))
    }
  })

  test('P-G4: integers as JSON integers or digit strings; anything else INVALID_JSON_ATTRIBUTE; unknown fields ignored', async () => {
    const created = v2(await post(RS, { ...http(rsSnapshot, { maxDownloads: '3', expirationHours: '1' }), groupId: 'ignored', links: 7, whatever: true }))
    assert.equal(created.results[0].delivery.maxDownloads, 3)
    assert.equal(created.results[0].delivery.expirationHours, 1)
    assertApiError(await post(RS, http(rsSnapshot, { maxDownloads: 1.5 })), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['maxDownloads'])
    assertApiError(await post(RS, http(rsSnapshot, { maxDownloads: '-1' })), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['maxDownloads'])
  })

  test('P-G5: a Cloud Backup cluster points to its endpoint; a cluster without backup has nothing to restore', async () => {
    assertApiError(await t.call(`${V2}/CloudCluster0/restoreJobs`), 400, 'INCORRECT_BACKUP_API_ENDPOINT', undefined, [`/api/atlas/v2/groups/${IDS.projectA}/clusters/CloudCluster0/backup/restoreJobs`])
    assert.deepEqual(v2(await t.call(`${V2}/NoBackup0/restoreJobs`)).results, [])
    assertApiError(await post(`${V2}/NoBackup0/restoreJobs`, http()), 404, 'SNAPSHOT_NOT_FOUND', undefined, [rsSnapshot, 'NoBackup0'])
  })

  test('P-G6: writes need ORG_OWNER or GROUP_OWNER (Ops Manager: also GROUP_BACKUP_MANAGER); reads the reading roles', async () => {
    clock += HOUR
    v2(await post(RS, http(), { key: KEYS.grpowner }))
    assertApiError(await post(RS, http(), { key: KEYS.backupmg }), 401, 'USER_UNAUTHORIZED')
    assertApiError(await post(RS, http(), { key: KEYS.orgreado }), 401, 'USER_UNAUTHORIZED')
    assertApiError(await post(RS, http(), { key: KEYS.demoread }), 401, 'USER_UNAUTHORIZED')
    assert.equal((await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, http(), { key: KEYS.backupmg })).status, 200)
    v2(await t.call(RS, { key: KEYS.demoread }))
    // The order of checks (P-G2): the body's parse before the role, the role before the body's fields.
    assertApiError(await post(RS, undefined, { key: KEYS.orgreado, raw: '{' }), 400, 'MALFORMED_JSON')
    assertApiError(await post(RS, {}, { key: KEYS.orgreado }), 401, 'USER_UNAUTHORIZED')
  })

  test('P-G7: Atlas v2 restore jobs take tokens of the "Cloud Backups" bucket, not the checkpoints\'', async () => {
    const limited = await startTestApp({ env: { WAYMARK_RATE_LIMIT_CLOUD_BACKUPS: '2/1/600', WAYMARK_RATE_LIMIT_CAPACITY: '50' } })
    try {
      assert.equal((await limited.call(RS)).status, 200)
      const second = await limited.call(RS)
      assert.equal(second.headers['ratelimit-limit'], '2')
      assertApiError(await limited.call(RS), 429, 'RATE_LIMITED_TOKEN_BUCKET')
      assert.equal((await limited.call(`${V2}/Cluster0/backupCheckpoints`)).status, 200)
      assert.equal((await limited.call(`${V1}/ReplicaSet0/restoreJobs`)).headers['ratelimit-limit'], '50')
    } finally {
      await limited.close()
    }
  })

  test('P-R1: checkpoint restores are accepted in all three dialects', async () => {
    for (const [url, delivery] of [
      [SHARDED, { targetClusterName: 'NoBackup0' }],
      [`${V1}/Cluster0/restoreJobs`, { targetClusterId: IDS.noBackup }],
      [`${OM}/${IDS.cluster0}/restoreJobs`, { targetClusterId: IDS.noBackup }],
    ] as const) {
      clock += HOUR
      const created = await post(url, { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, ...delivery }, checkpointId: checkpoint.id })
      assert.equal(created.status, 200, created.body)
    }
  })

  test('P-R2 steps 1-2: delivery and its method', async () => {
    assertApiError(await post(RS, { snapshotId: rsSnapshot }), 400, 'MISSING_ATTRIBUTE', 'The required attribute delivery was not specified.', ['delivery'])
    assertApiError(await post(RS, { delivery: {}, snapshotId: rsSnapshot }), 400, 'MISSING_ATTRIBUTE', undefined, ['methodName'])
    assertApiError(await post(RS, { delivery: { methodName: 'FTP' } }), 400, 'INVALID_ENUM_VALUE', undefined, ['FTP'])
    for (const methodName of ['SCP', 'CLIENT_PIT_SCP']) assertApiError(await post(RS, { delivery: { methodName } }), 400, 'INVALID_DELIVERY_SCP')
    for (const methodName of ['QUERY', 'THIRD_PARTY_COPY', 'CLIENT_PIT_HTTP']) assertApiError(await post(RS, { delivery: { methodName } }), 400, 'UNSUPPORTED_DELIVERY_METHOD')
    assertApiError(await post(RS, undefined, { raw: '[1]' }), 400, 'INVALID_JSON')
    assertApiError(await post(RS, undefined, { raw: '' }), 400, 'MALFORMED_JSON')
  })

  test('P-R2 step 3: exactly one source', async () => {
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
    assertApiError(await post(RS, { delivery: d }), 400, 'MISSING_ONE_OF_MANY_ATTRIBUTES', undefined, ['snapshotId, checkpointId, pointInTimeUTCMillis, oplogTs'])
    assertApiError(await post(RS, { delivery: d, snapshotId: rsSnapshot, pointInTimeUTCMillis: clock }), 400, 'INVALID_ATTRIBUTE', undefined, ['pointInTimeUTCMillis'])
    assertApiError(await post(RS, { delivery: d, checkpointId: checkpoint.id, oplogTs: '1', oplogInc: 1 }), 400, 'INVALID_ATTRIBUTE', undefined, ['oplogTs'])
    assertApiError(await post(RS, { delivery: d, oplogTs: '1536610288' }), 400, 'MISSING_ATTRIBUTE', undefined, ['oplogInc'])
    assertApiError(await post(RS, { delivery: d, oplogInc: 1 }), 400, 'MISSING_ATTRIBUTE', undefined, ['oplogTs'])
  })

  test('P-R2 step 4: syntax', async () => {
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
    assertApiError(await post(RS, { delivery: d, snapshotId: 'abc' }), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['snapshotId'])
    assertApiError(await post(RS, { delivery: d, pointInTimeUTCMillis: 1199145599999 }), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['pointInTimeUTCMillis'])
    assertApiError(await post(RS, { delivery: d, oplogTs: 'yesterday', oplogInc: 1 }), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['oplogTs'])
    assertApiError(await post(RS, { delivery: d, oplogTs: '1536610288', oplogInc: 0 }), 400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', undefined, ['oplogInc'])
    assertApiError(await post(RS, http(rsSnapshot, { maxDownloads: 0 })), 400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', undefined, ['maxDownloads'])
    assertApiError(await post(RS, http(rsSnapshot, { expirationHours: -2 })), 400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', undefined, ['expirationHours'])
    assertApiError(await post(RS, { delivery: { ...d, targetGroupId: 'x' }, snapshotId: rsSnapshot }), 400, 'INVALID_JSON_ATTRIBUTE', undefined, ['targetGroupId'])
    assertApiError(await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, http(rsSnapshot, { expires: 'soon' })), 400, 'INVALID_DATE_FORMAT', undefined, ['soon'])
  })

  test('P-R2 step 5: what the method needs', async () => {
    assertApiError(await post(RS, { delivery: { methodName: 'AUTOMATED_RESTORE' }, snapshotId: rsSnapshot }), 400, 'MISSING_ATTRIBUTE', undefined, ['targetGroupId'])
    assertApiError(
      await post(RS, { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA }, snapshotId: rsSnapshot }),
      400,
      'MISSING_ONE_OF_ATTRIBUTES',
      'Either the targetClusterName attribute or the targetClusterId attribute must be specified.',
    )
    assertApiError(
      await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }, snapshotId: rsSnapshot }),
      400,
      'MISSING_ATTRIBUTE',
      undefined,
      ['targetClusterId'],
    )
    assertApiError(await post(SHARDED, { delivery: { methodName: 'HTTP' }, checkpointId: checkpoint.id }), 400, 'LEGACY_PIT_RESTORE_UNSUPPORTED')
    assertApiError(await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, http(rsSnapshot, { expires: '2026-11-02', expirationHours: 2 })), 400, 'INVALID_ATTRIBUTE', undefined, ['expires'])
  })

  test('P-R2 step 6: topology', async () => {
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
    assertApiError(await post(RS, { delivery: d, checkpointId: checkpoint.id }), 400, 'CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS')
    assertApiError(await post(SHARDED, { delivery: d, pointInTimeUTCMillis: clock - HOUR }), 400, 'PIT_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS')
    assertApiError(await post(SHARDED, { delivery: d, oplogTs: String(Math.floor(clock / 1000) - 60), oplogInc: 1 }), 400, 'OPLOG_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS')
    // FCV 4.2: a sharded cluster restores to a point in time.
    clock += HOUR
    const pit = await post(`${V2}/Upgraded42/restoreJobs`, { delivery: d, pointInTimeUTCMillis: clock - HOUR })
    assert.equal(pit.status, 200, pit.body)
  })

  test('P-R2 step 7: lookups', async () => {
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
    assertApiError(await post(RS, http(IDS.projectB)), 404, 'SNAPSHOT_NOT_FOUND', `No snapshot with ID ${IDS.projectB} exists for cluster ReplicaSet0.`)
    assertApiError(await post(RS, http(shardedSnapshot)), 404, 'SNAPSHOT_NOT_FOUND')
    const [newest] = (await t.store.pageSnapshots(IDS.replicaSet0, 'true', new Date(clock).toISOString(), { offset: 0, limit: 1 })).items
    assert.ok(newest)
    const incomplete = { ...newest, id: 'aaaaaaaaaaaaaaaaaaaaaaaa', created: new Date(clock - 60_000).toISOString().slice(0, 19) + 'Z' }
    delete (incomplete as { completedAt?: string }).completedAt
    await t.store.putSnapshots([incomplete])
    assertApiError(await post(RS, http('aaaaaaaaaaaaaaaaaaaaaaaa')), 409, 'CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT')
    assertApiError(await post(SHARDED, { delivery: d, checkpointId: IDS.projectB }), 404, 'CHECKPOINT_NOT_FOUND', undefined, [IDS.projectB, 'Cluster0'])
    assertApiError(await post(SHARDED, { delivery: d, checkpointId: unrestorable }), 409, 'NO_CHECKPOINT_FOR_PIT_RESTORE')
    assertApiError(await post(RS, { delivery: d, pointInTimeUTCMillis: clock + HOUR }), 400, 'INVALID_PIT_RESTORE_TIME')
    assertApiError(await post(RS, { delivery: d, pointInTimeUTCMillis: clock - 200 * HOUR }), 400, 'INVALID_PIT_RESTORE_TIME')
    assertApiError(await post(`${V2}/NoBackup0/restoreJobs`, { delivery: d, pointInTimeUTCMillis: clock - HOUR }), 404, 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME')
    const expires = newest.expires ?? ''
    const late = new Date(Date.parse(expires) + HOUR).toISOString()
    assertApiError(await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, http(newest.id, { expires: late })), 409, 'LINK_EXPIRATION_AFTER_SNAPSHOT_DELETION')
  })

  test('P-R2 step 8: the target of an automated restore is checked and recorded', async () => {
    const auto = (delivery: object) => ({ delivery: { methodName: 'AUTOMATED_RESTORE', ...delivery }, snapshotId: rsSnapshot })
    assertApiError(await post(RS, auto({ targetGroupId: 'bbbbbbbbbbbbbbbbbbbbbbbb', targetClusterName: 'X' })), 404, 'GROUP_NOT_FOUND')
    assertApiError(await post(RS, auto({ targetGroupId: IDS.projectB, targetClusterName: 'Cluster0' })), 403, 'CANNOT_RESTORE_TO_TARGET')
    assertApiError(await post(RS, auto({ targetGroupId: IDS.projectA, targetClusterName: 'Nope' }), { key: KEYS.grpowner }), 404, 'CLUSTER_NOT_FOUND')
    assertApiError(await post(RS, auto({ targetGroupId: IDS.projectA2, targetClusterName: 'Cluster0' }), { key: KEYS.grpowner }), 403, 'CANNOT_RESTORE_TO_TARGET')
    clock += HOUR
    const first = v2(await post(RS, auto({ targetGroupId: IDS.projectA2, targetClusterName: 'Cluster0' })))
    assert.deepEqual(first.results[0].delivery, { methodName: 'HTTP', statusName: 'NOT_STARTED', targetClusterId: IDS.a2Cluster, targetClusterName: 'Cluster0', targetGroupId: IDS.projectA2 })
    assertApiError(await post(RS, auto({ targetGroupId: IDS.projectA2, targetClusterId: IDS.a2Cluster })), 409, 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS')
    // Ops Manager has no such conflict; its view shows no target name.
    const om = await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, auto({ targetGroupId: IDS.projectA2, targetClusterId: IDS.a2Cluster }))
    assert.equal(om.status, 200, om.body)
    assert.deepEqual(om.json().results[0].delivery, { methodName: 'HTTP', statusName: 'NOT_STARTED', targetClusterId: IDS.a2Cluster, targetGroupId: IDS.projectA2 })
  })

  test('P-R3: one job for a replica set, a batch for a sharded cluster; fields per dialect', async () => {
    clock += HOUR
    const page = v2(await post(RS, http()))
    assert.deepEqual(page.links, [{ href: `http://localhost:80${RS}?pageNum=1&itemsPerPage=100`, rel: 'self' }])
    const [job] = page.results
    assert.equal(job.batchId, undefined)
    assert.equal(job.clusterId, IDS.replicaSet0)
    assert.equal(job.clusterName, 'ReplicaSet0')
    assert.equal(job.encryptionEnabled, false)
    assert.equal(job.snapshotId, rsSnapshot)
    assert.equal(job.pointInTime, undefined)
    assert.deepEqual(job.delivery, { expirationHours: 48, maxDownloads: 2147483647, methodName: 'HTTP', statusName: 'NOT_STARTED' })
    assert.deepEqual(Object.keys(job), [...Object.keys(job)].sort())
    const snapshot = (await t.store.getSnapshot(IDS.replicaSet0, rsSnapshot, new Date(clock).toISOString()))!
    assert.deepEqual(job.timestamp, { date: new Date(Date.parse(snapshot.created) - 1000).toISOString().slice(0, 19) + 'Z', increment: 1 })

    const v1 = (await post(`${V1}/ReplicaSet0/restoreJobs`, http())).json().results[0]
    assert.equal(v1.pointInTime, false)
    assert.equal(v1.clusterName, 'ReplicaSet0')
    const om = (await post(`${OM}/${IDS.replicaSet0}/restoreJobs`, http())).json().results[0]
    assert.equal(om.clusterName, undefined)

    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }
    const batch = (await post(`${OM}/${IDS.cluster0}/restoreJobs`, { delivery: d, checkpointId: checkpoint.id })).json()
    assert.equal(batch.totalCount, 4)
    assert.equal(new Set(batch.results.map((j: { batchId: string }) => j.batchId)).size, 1)
    assert.equal(new Set(batch.results.map((j: { clusterId: string }) => j.clusterId)).size, 4)
    for (const j of batch.results) {
      assert.equal(j.checkpointId, checkpoint.id)
      assert.equal(j.pointInTime, true)
      assert.deepEqual(j.timestamp, { date: checkpoint.timestamp, increment: 1 })
    }
    clock += HOUR
    const sharded = v2(await post(SHARDED, { delivery: { ...d, targetClusterId: undefined, targetClusterName: 'NoBackup0' }, checkpointId: checkpoint.id }))
    assert.ok(sharded.results.every((j: object) => !('checkpointId' in j)))

    clock += HOUR
    const oplog = v2(await post(RS, { delivery: d, oplogTs: new Date(clock - HOUR).toISOString(), oplogInc: '7' }))
    assert.deepEqual(oplog.results[0].timestamp, { date: new Date(clock - HOUR).toISOString().slice(0, 19) + 'Z', increment: 7 })
    clock += HOUR
    const pit = (await post(`${V1}/ReplicaSet0/restoreJobs`, { delivery: { ...d, targetClusterId: IDS.noBackup }, pointInTimeUTCMillis: String(clock - 2 * HOUR) })).json()
    assert.deepEqual(pit.results[0].timestamp, { date: new Date(clock - 2 * HOUR).toISOString().slice(0, 19) + 'Z', increment: 0 })
    assert.equal(pit.results[0].pointInTime, true)
  })

  test('P-G8: new ids are 24-hex; the per-part ids of a sharded cluster are the same in snapshots, in batches and on another server', async () => {
    clock += HOUR
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }
    const batch = v2(await post(SHARDED, { delivery: d, checkpointId: checkpoint.id }))
    const jobParts = batch.results.map((j: { clusterId: string }) => j.clusterId).sort()
    for (const j of batch.results) assert.match(`${j.id} ${j.batchId} ${j.clusterId}`, /^[0-9a-f]{24} [0-9a-f]{24} [0-9a-f]{24}$/)
    assert.ok(!jobParts.includes(IDS.cluster0), 'a part is not the cluster')
    const snapshot = (await t.call(`${V2}/Cluster0/snapshots/${shardedSnapshot}`)).json()
    assert.deepEqual(snapshot.parts.map((p: { clusterId: string }) => p.clusterId).sort(), jobParts)

    // Derived from the cluster id and the part's replica set name, not drawn: another server on another
    // store answers the same ids for the same parts.
    const other = await startTestApp({ now: () => clock })
    try {
      await coverWithSnapshots(other.store, [IDS.cluster0], clock)
      const again = (await send(other, 'POST', SHARDED, { delivery: d, checkpointId: checkpoint.id })).json()
      assert.deepEqual(again.results.map((j: { clusterId: string }) => j.clusterId).sort(), jobParts)
      assert.notEqual(again.results[0].batchId, batch.results[0].batchId, 'a batch id is new')
    } finally {
      await other.close()
    }
  })

  test('P-R4: the lifecycle on the clock, delivery, downloads, hashes, expiry; BROKEN and KILLED from the admin API', async () => {
    clock += HOUR
    const [job] = v2(await post(RS, http(rsSnapshot, { maxDownloads: 2, expirationHours: 1 }))).results
    const at = (ms: number) => {
      clock = ms
      return t.call(`${RS}/${job.id}`)
    }
    const created = Date.parse(job.created)
    assert.equal(v2(await at(created + 5_000)).delivery.statusName, 'NOT_STARTED')
    const running = v2(await at(created + 30_000))
    assert.deepEqual([running.statusName, running.delivery.statusName, running.delivery.url], ['IN_PROGRESS', 'IN_PROGRESS', undefined])
    const done = v2(await at(created + 60_000))
    assert.equal(done.statusName, 'FINISHED')
    assert.equal(done.delivery.statusName, 'READY')
    assert.equal(done.delivery.expires, new Date(created + 60_000 + HOUR).toISOString().slice(0, 19) + 'Z')
    assert.equal(done.hashes, undefined)
    const url = new URL(done.delivery.url)
    assert.match(url.pathname, new RegExp(`^/backup/restore/v2/pull/${job.id}/[0-9a-f]{40}/ReplicaSet0-\\d+-${job.id}\\.tar\\.gz$`))
    assert.equal(done.delivery.authHeader, 'Authorization')
    assert.match(done.delivery.authValue, /^Bearer [0-9a-f]{40}$/)
    const head = await t.app.inject({ method: 'HEAD', url: url.pathname })
    assert.equal(head.statusCode, 200)
    const file = await t.app.inject({ method: 'GET', url: url.pathname })
    assert.equal(file.statusCode, 200)
    const manifest = gunzipSync(file.rawPayload).subarray(512).toString('utf8')
    assert.match(manifest, /"note": "This archive describes what a restore of this snapshot would contain\. It holds no data\."/)
    const sha1 = createHash('sha1').update(file.rawPayload).digest('hex')
    const hashed = v2(await t.call(`${RS}/${job.id}`))
    assert.deepEqual(hashed.hashes, [{ fileName: url.pathname.split('/').at(-1), hash: sha1, typeName: 'SHA1' }])
    const adminView = JSON.parse((await admin('GET', `/groups/${IDS.projectA}/clusters/${IDS.replicaSet0}/restoreJobs/${job.id}`)).body)
    assert.equal(adminView.downloads, 1)
    // urlV2 only with its header; the same bytes.
    const v3 = new URL(done.delivery.urlV2).pathname
    assert.equal((await t.app.inject({ method: 'GET', url: v3 })).statusCode, 401)
    assert.equal((await t.app.inject({ method: 'GET', url: v3, headers: { authorization: 'Bearer 00' } })).statusCode, 404)
    const second = await t.app.inject({ method: 'GET', url: v3, headers: { authorization: done.delivery.authValue } })
    assert.deepEqual(second.rawPayload, file.rawPayload)
    assert.equal((await t.app.inject({ method: 'GET', url: url.pathname })).statusCode, 410)
    assert.equal(v2(await t.call(`${RS}/${job.id}`)).delivery.statusName, 'MAX_DOWNLOADS_EXCEEDED')

    const [other] = v2(await post(RS, http(rsSnapshot, { expirationHours: 1 }))).results
    clock = Date.parse(other.created) + 60_000 + HOUR
    const expired = v2(await t.call(`${RS}/${other.id}`))
    assert.equal(expired.delivery.statusName, 'EXPIRED')
    assert.equal((await t.app.inject({ method: 'GET', url: new URL(expired.delivery.url).pathname })).statusCode, 410)

    for (const [end, delivery] of [['BROKEN', 'FAILED'], ['KILLED', 'INTERRUPTED']] as const) {
      const [victim] = v2(await post(RS, http())).results
      const ended = await admin('POST', `/groups/${IDS.projectA}/clusters/${IDS.replicaSet0}/restoreJobs/${victim.id}/end`, { statusName: end })
      assert.equal(ended.statusCode, 200, ended.body)
      clock += HOUR
      const view = v2(await t.call(`${RS}/${victim.id}`))
      assert.deepEqual([view.statusName, view.delivery.statusName, view.delivery.url], [end, delivery, undefined])
      const again = await admin('POST', `/groups/${IDS.projectA}/clusters/${IDS.replicaSet0}/restoreJobs/${victim.id}/end`, { statusName: end })
      assert.equal(again.statusCode, 409)
    }
  })

  test('P-R5: the Go clients\' checkPointId is an unknown field: the request has no source', async () => {
    const d = { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
    for (const url of [SHARDED, `${V1}/Cluster0/restoreJobs`, `${OM}/${IDS.cluster0}/restoreJobs`]) {
      const delivery = url.includes('/public/') ? { ...d, targetClusterName: undefined, targetClusterId: IDS.noBackup } : d
      assertApiError(await post(url, { delivery, checkPointId: checkpoint.id }), 400, 'MISSING_ONE_OF_MANY_ATTRIBUTES')
    }
  })

  test('P-R6: lists by batch, newest first, self links only; one job with four links; another cluster\'s job is not found', async () => {
    assertApiError(await t.call(`${SHARDED}?batchId=xyz`), 400, 'INVALID_QUERY_PARAMETER', undefined, ['batchId'])
    assert.deepEqual(v2(await t.call(`${SHARDED}?batchId=${IDS.projectB}`)).results, [])
    const all = v2(await t.call(`${SHARDED}?itemsPerPage=500`))
    const created = all.results.map((j: { created: string }) => j.created)
    assert.deepEqual(created, [...created].sort().reverse())
    assert.ok(all.results.every((j: { links: unknown[] }) => j.links.length === 1))
    const batchId = all.results[0].batchId
    const batch = v2(await t.call(`${SHARDED}?batchId=${batchId}`))
    assert.equal(batch.totalCount, 4)
    assert.equal(batch.links[0].href, `http://localhost:80${SHARDED}?batchId=${batchId}&pageNum=1&itemsPerPage=100`)
    const id = batch.results[0].id
    const one = v2(await t.call(`${SHARDED}/${id}`))
    assert.deepEqual(
      one.links.map((l: { rel: string }) => l.rel),
      ['self', 'https://cloud.mongodb.com/cluster', 'https://cloud.mongodb.com/snapshot', 'https://cloud.mongodb.com/group'],
    )
    const v1 = (await t.call(`${V1}/Cluster0/restoreJobs/${id}`)).json()
    assert.deepEqual(v1.links.map((l: { rel: string }) => l.rel), ['self', 'http://mms.mongodb.com/cluster', 'http://mms.mongodb.com/snapshot', 'http://mms.mongodb.com/group'])
    assert.equal(v1.links[3].href, `http://localhost:80/api/public/v1.0/groups/${IDS.projectA}`)
    assertApiError(await t.call(`${RS}/${id}`), 404, 'RESTORE_JOB_NOT_FOUND', `No restore job with ID ${id} exists for cluster ReplicaSet0.`)
    assertApiError(await t.call(`${OM}/${IDS.replicaSet0}/restoreJobs/${id}`), 404, 'RESTORE_JOB_NOT_FOUND', undefined, [id, IDS.replicaSet0])
    assertApiError(await t.call(`${RS}/XYZ`), 404, 'INVALID_JOB_ID')
  })
})
