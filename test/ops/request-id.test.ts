import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { requestId } from '../../src/http/request-id.js'
import { routeLabel } from '../../src/http/route-label.js'
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
})
