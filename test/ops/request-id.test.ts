import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { requestId } from '../../src/http/request-id.js'
import { loggedUrl } from '../../src/http/request-observer.js'
import { routeLabel } from '../../src/http/route-label.js'
import { KEYS } from '../helpers/fixtures.js'
import { ADMIN_TOKEN } from '../helpers/admin.js'
import { IDS } from '../helpers/fixtures.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`

describe('X-Request-Id', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ env: { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN } })
  })
  after(() => t.close())

  test('every kind of answer carries a generated id, a new one each time', async () => {
    const seen = new Set<string>()
    const answers = [
      await t.call(V2),
      await t.raw(V2),
      await t.raw('/healthz'),
      await t.raw('/readyz'),
      await t.raw('/metrics'),
      await t.raw('/nowhere'),
      await t.raw('/api/atlas/v2/groups/%zz/clusters/x/backupCheckpoints'),
      await t.raw('/_admin/v1/orgs'),
      await t.raw('/_admin/v1/orgs', { authorization: `Bearer ${ADMIN_TOKEN}` }),
      await t.raw('/api/oauth/token', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST'),
    ]
    for (const res of answers) {
      const id = res.headers['x-request-id']
      assert.match(String(id), UUID, `${res.status} ${res.body.slice(0, 80)}`)
      seen.add(String(id))
    }
    assert.equal(seen.size, answers.length)
  })

  test('the empty 204 of an Atlas v2 snapshot DELETE carries the id too', async () => {
    const now = new Date().toISOString().slice(0, 19) + 'Z'
    const [snapshot] = (await t.store.pageSnapshots(IDS.replicaSet0, 'true', now, { offset: 0, limit: 1 })).items
    assert.ok(snapshot)
    const res = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/ReplicaSet0/snapshots/${snapshot.id}`, { method: 'DELETE', key: KEYS.orgowner, headers: { 'x-request-id': 'abc-204' } })
    assert.equal(res.status, 204, res.body)
    assert.equal(res.headers['x-request-id'], 'abc-204')
    assert.equal(res.headers['content-type'], 'application/vnd.atlas.2023-01-01+json;charset=utf-8')
  })

  test("a caller's acceptable id is kept; anything else is replaced, never echoed", async () => {
    for (const kept of ['abc-123', '0af7651916cd43dd8448eb211c80319c', 'Root=1-67891233-abcdef012345678912345678', 'a'.repeat(128)]) {
      assert.equal((await t.raw('/healthz', { 'x-request-id': kept })).headers['x-request-id'], kept)
    }
    for (const replaced of ['', 'a'.repeat(129), 'has space', 'quote"d', 'semi;colon', '<script>', 'ünïcode']) {
      const res = await t.raw('/healthz', { 'x-request-id': replaced })
      assert.match(String(res.headers['x-request-id']), UUID, replaced)
    }
  })
})

test('requestId and routeLabel', () => {
  assert.equal(requestId(['a', 'b']).length, 36)
  assert.equal(requestId(undefined).length, 36)
  const cases: Array<[string, string | undefined, string]> = [
    [V2, undefined, 'atlas_v2_checkpoints'],
    [`${V2}?pretty=true&itemsPerPage=5`, undefined, 'atlas_v2_checkpoints'],
    [`${V2}/${IDS.scccCheckpoint1}`, 'CHECKPOINT_NOT_FOUND', 'atlas_v2_checkpoint'],
    [`/api/atlas/v1.0/groups/g/clusters/c/backupCheckpoints`, 'INVALID_GROUP_ID', 'atlas_v1_checkpoints'],
    [`/api/atlas/v1.0/groups/g/clusters/c/backupCheckpoints/x?a=/b/c`, undefined, 'atlas_v1_checkpoint'],
    [`/api/public/v1.0/groups/g/clusters/c/checkpoints`, undefined, 'ops_manager_checkpoints'],
    [`/api/public/v1.0/groups/g/clusters/c/checkpoints/x`, 'METHOD_NOT_ALLOWED', 'ops_manager_checkpoint'],
    [`/api/public/v1.0/groups/g/clusters/c/oops/x/y`, 'RESOURCE_NOT_FOUND', 'unknown'],
    ['/api/atlas/v2/groups/g/clusters/c/snapshotSchedule', undefined, 'atlas_v2_snapshot_schedule'],
    ['/api/atlas/v2/groups/g/clusters/c/snapshots?completed=all', undefined, 'atlas_v2_snapshots'],
    ['/api/atlas/v2/groups/g/clusters/c/snapshots/x', 'SNAPSHOT_NOT_FOUND', 'atlas_v2_snapshot'],
    ['/api/atlas/v2/groups/g/clusters/c/restoreJobs?batchId=b', undefined, 'atlas_v2_restore_jobs'],
    ['/api/atlas/v2/groups/g/clusters/c/restoreJobs/j', undefined, 'atlas_v2_restore_job'],
    ['/api/atlas/v1.0/groups/g/clusters/c/snapshotSchedule', undefined, 'atlas_v1_snapshot_schedule'],
    ['/api/atlas/v1.0/groups/g/clusters/c/restoreJobs', undefined, 'atlas_v1_restore_jobs'],
    ['/api/public/v1.0/groups/g/backupConfigs/c/snapshotSchedule', undefined, 'ops_manager_snapshot_schedule'],
    ['/api/public/v1.0/groups/g/backupConfigs/c', undefined, 'ops_manager_discovery'],
    ['/api/public/v1.0/groups/g/clusters/c/snapshots', undefined, 'ops_manager_snapshots'],
    ['/api/public/v1.0/groups/g/clusters/c/snapshots/s?pretty=true', undefined, 'ops_manager_snapshot'],
    ['/api/public/v1.0/groups/g/clusters/c/restoreJobs/j', undefined, 'ops_manager_restore_job'],
    // A cluster named like a collection is the discovery route it is.
    ['/api/atlas/v2/groups/g/clusters/snapshots', undefined, 'atlas_v2_discovery'],
    ['/api/atlas/v2/groups/g/clusters/restoreJobs?pretty=true', undefined, 'atlas_v2_discovery'],
    ['/backup/restore/v3/pull/j/f.tar.gz', 'RESTORE_DOWNLOAD_NOT_FOUND', 'restore_download'],
    ['/backup/restore/v9', 'RESOURCE_NOT_FOUND', 'unknown'],
    ['/api/oauth/token', undefined, 'oauth_token'],
    ['/api/oauth/token?x=1', undefined, 'oauth_token'],
    ['/api/oauth/tokens', undefined, 'unknown'],
    ['/api/oauth/revoke', undefined, 'oauth_revoke'],
    ['/_admin/v1/orgs/x', 'ORG_NOT_FOUND', 'admin'],
    ['/_admin', undefined, 'admin'],
    ['/_administrator', undefined, 'unknown'],
    ['/healthz', undefined, 'health'],
    ['/readyz?x', undefined, 'health'],
    ['/metrics', undefined, 'metrics'],
    ['/metricsx', undefined, 'unknown'],
    ['/', undefined, 'unknown'],
  ]
  for (const [target, errorCode, label] of cases) assert.equal(routeLabel(target, errorCode), label, target)
  // The legacy backup routes' query parameters show in the access log as the checkpoints' do; others are redacted.
  assert.equal(
    loggedUrl('atlas_v2_snapshots', '/api/atlas/v2/groups/g/clusters/c/snapshots?completed=all&pageNum=2&token=s3cret'),
    '/api/atlas/v2/groups/g/clusters/c/snapshots?completed=all&pageNum=2&token=[redacted]',
  )
  assert.equal(loggedUrl('ops_manager_restore_jobs', '/api/public/v1.0/groups/g/clusters/c/restoreJobs?batchId=b&x'), '/api/public/v1.0/groups/g/clusters/c/restoreJobs?batchId=b&[redacted]')
  assert.equal(loggedUrl('restore_download', '/backup/restore/v2/pull/j/t/f?x=1'), '/backup/restore/v2/pull/j/t/f')
})
