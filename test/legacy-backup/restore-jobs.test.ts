import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { assertApiError } from '../helpers/api-errors.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { assertLegacySchema } from '../helpers/legacy-openapi.js'
import { send } from '../helpers/restore-calls.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters`

describe('restore jobs', () => {
  let t: TestApp
  let clock = Date.parse(DEMO_END)
  let snapshotId = ''
  let checkpointId = ''
  before(async () => {
    t = await startTestApp({ now: () => clock })
    await coverWithSnapshots(t.store, [IDS.cluster0, IDS.replicaSet0], clock)
    const snapshots = await t.store.pageSnapshots(IDS.replicaSet0, 'true', DEMO_END, { offset: 0, limit: 1 })
    snapshotId = snapshots.items[0]?.id ?? ''
    const checkpoints = (await t.call(`${V2}/Cluster0/backupCheckpoints?itemsPerPage=500`)).json().results as { id: string; restorable: boolean }[]
    checkpointId = checkpoints.find((c) => c.restorable)?.id ?? ''
  })
  after(() => t.close())

  test('a snapshot restore over HTTP on a replica set: one job, no batch, IN_PROGRESS then FINISHED, downloaded', async () => {
    assert.match(snapshotId, /^[a-f0-9]{24}$/)
    const created = await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'HTTP', maxDownloads: 2 }, snapshotId })
    assert.equal(created.status, 200, created.body)
    const page = created.json()
    assertLegacySchema('PaginatedRestoreJobView', page)
    assert.equal(page.totalCount, 1)
    const [job] = page.results
    assert.equal(job.statusName, 'IN_PROGRESS')
    assert.equal(job.batchId, undefined)
    assert.equal(job.delivery.statusName, 'NOT_STARTED')
    clock += 3_600_000
    const one = await t.call(`${V2}/ReplicaSet0/restoreJobs/${job.id}`)
    assert.equal(one.status, 200, one.body)
    assertLegacySchema('BackupRestoreJob', one.json())
    const finished = one.json()
    assert.equal(finished.statusName, 'FINISHED')
    assert.equal(finished.delivery.statusName, 'READY')
    const url = new URL(finished.delivery.url)
    const download = await t.app.inject({ method: 'GET', url: url.pathname })
    assert.equal(download.statusCode, 200)
    assert.equal(download.headers['content-type'], 'application/gzip')
    const again = (await t.call(`${V2}/ReplicaSet0/restoreJobs/${job.id}`)).json()
    assert.equal(again.hashes.length, 1)
    assert.equal(again.hashes[0].typeName, 'SHA1')
    const v3 = new URL(finished.delivery.urlV2)
    const refused = await t.app.inject({ method: 'GET', url: v3.pathname })
    assert.equal(refused.statusCode, 401)
    const second = await t.app.inject({ method: 'GET', url: v3.pathname, headers: { authorization: finished.delivery.authValue } })
    assert.equal(second.statusCode, 200)
    assert.deepEqual(second.rawPayload, download.rawPayload)
    const third = await t.app.inject({ method: 'GET', url: url.pathname })
    assert.equal(third.statusCode, 410)
    assert.equal((await t.call(`${V2}/ReplicaSet0/restoreJobs/${job.id}`)).json().delivery.statusName, 'MAX_DOWNLOADS_EXCEEDED')
  })

  test('a checkpoint restore of a sharded cluster: one job per shard and one for the config server, one batch', async () => {
    assert.match(checkpointId, /^[a-f0-9]{24}$/)
    for (const [base, name] of [[V2, 'Cluster0'], [V1, 'Cluster0'], [OM, IDS.cluster0]] as const) {
      const delivery = base === OM ? { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA2, targetClusterId: IDS.a2Cluster } : { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'NoBackup0' }
      const created = await send(t, 'POST', `${base}/${name}/restoreJobs`, { delivery, checkpointId }, { key: KEYS.orgowner })
      assert.equal(created.status, 200, created.body)
      const page = created.json()
      if (base === V2) assertLegacySchema('PaginatedRestoreJobView', page)
      assert.ok(page.totalCount >= 2)
      const batch = new Set(page.results.map((j: { batchId: string }) => j.batchId))
      assert.equal(batch.size, 1)
      clock += 3_600_000
      const listed = await t.call(`${base}/${name}/restoreJobs?batchId=${[...batch][0]}`)
      assert.equal(listed.status, 200, listed.body)
      assert.ok(listed.json().results.every((j: { statusName: string }) => j.statusName === 'FINISHED'))
    }
  })

  test('errors: no delivery, SCP, no source, two sources, a replica set checkpoint', async () => {
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, {}), 400, 'MISSING_ATTRIBUTE', undefined, ['delivery'])
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'SCP' } }), 400, 'INVALID_DELIVERY_SCP')
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'HTTP' } }), 400, 'MISSING_ONE_OF_MANY_ATTRIBUTES')
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'HTTP' }, snapshotId, checkpointId }), 400, 'INVALID_ATTRIBUTE', undefined, ['checkpointId'])
    assertApiError(
      await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterName: 'ReplicaSet0' }, checkpointId }),
      400,
      'CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS',
    )
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, undefined, { raw: '{not json' }), 400, 'MALFORMED_JSON')
    assertApiError(await send(t, 'POST', `${V2}/ReplicaSet0/restoreJobs`, { delivery: { methodName: 'HTTP' }, snapshotId }, { key: KEYS.orgreado }), 401, 'USER_UNAUTHORIZED')
    assertApiError(await t.call(`${V2}/ReplicaSet0/restoreJobs/xyz`), 404, 'INVALID_JOB_ID')
    assertApiError(await send(t, 'DELETE', `${V2}/ReplicaSet0/restoreJobs/${IDS.projectA}`, undefined), 405, 'METHOD_NOT_ALLOWED')
  })
})
