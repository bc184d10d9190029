import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { callAs, getToken, type Caller } from '../helpers/oauth.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

const T0 = Date.parse('2026-11-23T12:00:00Z')
const SMALL = { WAYMARK_RATE_LIMIT_CAPACITY: '5', WAYMARK_RATE_LIMIT_REFILL: '1', WAYMARK_RATE_LIMIT_PERIOD_SECONDS: '10' }

const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e801', clientSecret: 'mdb_sa_sk_rate-limit-reader' }
const FIXTURE = {
  apiKeys: [
    {
      publicKey: 'acllimit',
      privateKey: 'b2000000-0000-4000-8000-000000000001',
      orgId: IDS.orgA,
      roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }],
      accessList: ['203.0.113.7'],
    },
  ],
  serviceAccounts: [{ ...READER, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }] }],
}
const LISTED = { publicKey: 'acllimit', privateKey: 'b2000000-0000-4000-8000-000000000001' }

const PATH_A = `api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const V2_A = `/${PATH_A}`
const V1_A = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM_A = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
const V2_A2 = `/api/atlas/v2/groups/${IDS.projectA2}/clusters/Cluster0/backupCheckpoints`
const V2_B = `/api/atlas/v2/groups/${IDS.projectB}/clusters/Cluster0/backupCheckpoints`

const OWNER: Caller = { key: KEYS.orgowner }

function assertCounted(res: CallResult, status: number, remaining: number, limit = 5): void {
  assert.equal(res.status, status, res.body)
  assert.equal(res.headers['ratelimit-limit'], String(limit))
  assert.equal(res.headers['ratelimit-remaining'], String(remaining))
}

function assertUncounted(res: CallResult): void {
  assert.equal(res.headers['ratelimit-limit'], undefined)
  assert.equal(res.headers['ratelimit-remaining'], undefined)
  assert.equal(res.headers['retry-after'], undefined)
}

function assertLimited(res: CallResult, path: string, retryAfter: number): void {
  assertCounted(res, 429, 0)
  assert.equal(res.headers['retry-after'], String(retryAfter))
  assert.equal(res.headers['x-error-code'], 'RATE_LIMITED_TOKEN_BUCKET')
  assert.equal(res.headers['content-type'], 'application/json')
  const detail = `Rate limit exceeded for ${path}. Please retry after ${retryAfter} seconds. Request capacity: 5. Refill rate: 1 per 10 seconds.`
  assert.equal(
    res.body,
    JSON.stringify({ detail, error: 429, errorCode: 'RATE_LIMITED_TOKEN_BUCKET', parameters: [path, retryAfter, 5, 1, 10], reason: 'Too Many Requests' }),
  )
  assertSchema('ApiError', res.json())
}

function assertErrorCode(res: CallResult, status: number, errorCode: string): void {
  assert.equal(res.status, status, res.body)
  const body = res.json()
  assertSchema('ApiError', body)
  assert.equal(body.errorCode, errorCode)
}

describe('per-project rate limits', () => {
  let t: TestApp
  let clock = T0
  before(async () => {
    t = await startTestApp({ now: () => clock, env: SMALL, fixtures: [FIXTURE] })
  })
  after(() => t.close())
  beforeEach(() => {
    clock += 3_600_000
  })

  test('RateLimit headers count down; the sixth call is 429 RATE_LIMITED_TOKEN_BUCKET with Retry-After', async () => {
    for (const remaining of [4, 3, 2, 1, 0]) assertCounted(await callAs(t, V2_A, OWNER), 200, remaining)
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 10)
    assertLimited(await callAs(t, `${V2_A}?pageNum=2&itemsPerPage=1`, OWNER), PATH_A, 10)
  })

  test('the wait shrinks with the clock, and one token comes back after the refill period', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await callAs(t, V2_A, OWNER)).status, 200)
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 10)
    clock += 1_000
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 9)
    clock += 8_999
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 1)
    clock += 1
    assertCounted(await callAs(t, V2_A, OWNER), 200, 0)
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 10)
    clock += 30_000
    assertCounted(await callAs(t, V2_A, OWNER), 200, 2)
    clock += 3_600_000
    assertCounted(await callAs(t, V2_A, OWNER), 200, 4)
  })

  test('the bucket is per project: every dialect and every caller on a project share it, other projects are unaffected', async () => {
    const token = await getToken(t, READER.clientId, READER.clientSecret)
    assertCounted(await callAs(t, V2_A, OWNER), 200, 4)
    assertCounted(await callAs(t, V1_A, { token }), 200, 3)
    assertCounted(await callAs(t, OM_A, { key: KEYS.demoread }), 200, 2)
    assertCounted(await callAs(t, `${V2_A}/${'0'.repeat(24)}`, { key: KEYS.grpowner }), 404, 1)
    assertCounted(await callAs(t, V2_A, { token }), 200, 0)
    assertLimited(await callAs(t, OM_A, OWNER), OM_A.slice(1), 10)
    assertLimited(await callAs(t, V1_A, { token }), V1_A.slice(1), 10)
    assertCounted(await callAs(t, V2_A2, OWNER), 200, 4)
    assertCounted(await callAs(t, V2_A2, { token }), 200, 3)
    assertCounted(await callAs(t, V2_B, { key: KEYS.otherorg }), 404, 4)
  })

  test('errors after the limit stage carry the headers and use tokens', async () => {
    const cases: [string, number, string][] = [
      [`/api/atlas/v2/groups/${IDS.projectA}/clusters/Nope/backupCheckpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`/api/public/v1.0/groups/${IDS.projectA}/clusters/${'0'.repeat(24)}/checkpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`${V2_A}/${'0'.repeat(24)}`, 404, 'CHECKPOINT_NOT_FOUND'],
      [`/api/atlas/v2/groups/${IDS.projectA}/clusters/CloudCluster0/backupCheckpoints`, 400, 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP'],
    ]
    for (const [index, [url, status, errorCode]] of cases.entries()) {
      const res = await callAs(t, url, OWNER)
      assertErrorCode(res, status, errorCode)
      assertCounted(res, status, 4 - index)
    }
  })

  test('answers before the limit stage carry no headers and use no tokens', async () => {
    const listedFromOutside = await callAs(t, V2_A, { key: LISTED })
    assertErrorCode(listedFromOutside, 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST')
    const before: [CallResult, number, string][] = [
      [await callAs(t, V2_A, null), 401, ''],
      [await t.raw(V2_A, { authorization: 'Bearer forged.token.value' }), 401, ''],
      [await callAs(t, V2_A, { key: KEYS.demonone }), 401, 'USER_UNAUTHORIZED'],
      [await callAs(t, V2_A, { key: KEYS.otherorg }), 401, 'USER_UNAUTHORIZED'],
      [await callAs(t, '/api/atlas/v2/groups/ffffffffffffffffffffffff/clusters/Cluster0/backupCheckpoints', OWNER), 404, 'GROUP_NOT_FOUND'],
      [await callAs(t, '/api/atlas/v2/groups/nothex/clusters/Cluster0/backupCheckpoints', OWNER), 404, 'INVALID_GROUP_ID'],
      [await callAs(t, `${V2_A}/nothex`, OWNER), 404, 'INVALID_CHECKPOINT_ID'],
      [await callAs(t, `${V2_A}?itemsPerPage=501`, OWNER), 400, 'INVALID_QUERY_PARAMETER'],
      [await callAs(t, V2_A, OWNER, { accept: 'application/json' }), 406, 'INVALID_VERSION_DATE'],
      [await callAs(t, V2_A, OWNER, { method: 'POST' }), 405, 'METHOD_NOT_ALLOWED'],
      [listedFromOutside, 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST'],
    ]
    for (const [res, status, errorCode] of before) {
      assert.equal(res.status, status, res.body)
      if (errorCode !== '') assertErrorCode(res, status, errorCode)
      assertUncounted(res)
    }
    // The five refusals after authentication took OWNER's own bucket, not the project's (issue 13, item 6):
    // its next fresh nonce is refused before a lease is written, while another caller finds the project's
    // bucket full.
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 10)
    assertCounted(await callAs(t, V2_A, { key: KEYS.grpowner }), 200, 4)
  })

  test('once the bucket is empty, earlier checks still answer first', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await callAs(t, V2_A, OWNER)).status, 200)
    assertLimited(await callAs(t, V2_A, OWNER), PATH_A, 10)
    assertErrorCode(await callAs(t, V2_A, { key: KEYS.demonone }), 401, 'USER_UNAUTHORIZED')
    assertErrorCode(await callAs(t, `${V2_A}/nothex`, OWNER), 404, 'INVALID_CHECKPOINT_ID')
    const limitedMiss = await callAs(t, `${V2_A}/${'0'.repeat(24)}`, OWNER)
    assertLimited(limitedMiss, `${PATH_A}/${'0'.repeat(24)}`, 10)
  })

  test('envelope applies to the 429 body; the HTTP status stays 429', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await callAs(t, V2_A, OWNER)).status, 200)
    const res = await callAs(t, `${V2_A}?envelope=true`, OWNER)
    assert.equal(res.status, 429)
    const body = res.json()
    assert.equal(body.status, 429)
    assertSchema('ApiError', body.content)
    assert.equal(body.content.errorCode, 'RATE_LIMITED_TOKEN_BUCKET')
    assert.equal(res.headers['retry-after'], '10')
  })
})

describe('rate limits switched off', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ env: { ...SMALL, WAYMARK_RATE_LIMIT: 'off', WAYMARK_RATE_LIMIT_CAPACITY: '1' } })
  })
  after(() => t.close())

  test('WAYMARK_RATE_LIMIT=off never limits and sends no RateLimit headers', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await callAs(t, i % 2 === 0 ? V2_A : OM_A, OWNER)
      assert.equal(res.status, 200)
      assertUncounted(res)
    }
    const miss = await callAs(t, `/api/atlas/v2/groups/${IDS.projectA}/clusters/Nope/backupCheckpoints`, OWNER)
    assertErrorCode(miss, 404, 'CLUSTER_NOT_FOUND')
    assertUncounted(miss)
  })
})
