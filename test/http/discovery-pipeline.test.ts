import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { routeLabel } from '../../src/http/route-label.js'
import { assertApiError, atlasAccept } from '../helpers/api-errors.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { bearerCall, callAs, getToken, revokeToken } from '../helpers/oauth.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

/** The discovery routes take the checkpoint routes' pipeline: order of checks, access lists, rate limits, credentials, versions. */

const V2 = '/api/atlas/v2'
const V1 = '/api/atlas/v1.0'
const OM = '/api/public/v1.0'
const UNKNOWN = 'ffffffffffffffffffffffff'
const LISTED = { publicKey: 'listedkk', privateKey: '5e0a8f1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b' }
const ACCOUNT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5f7', clientSecret: 'mdb_sa_sk_discovery-0001' }
const FIXTURE = {
  apiKeys: [{ ...LISTED, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }], accessList: ['10.0.0.0/8'] }],
  serviceAccounts: [{ ...ACCOUNT, orgId: IDS.orgA, roles: [{ groupId: IDS.projectA2, roleName: 'GROUP_READ_ONLY' }] }],
}

const limit = (res: CallResult): [unknown, unknown] => [res.headers['ratelimit-limit'], res.headers['ratelimit-remaining']]

describe('discovery: the pipeline', () => {
  let t: TestApp
  before(async () => {
    // A still clock, so that no token comes back between two calls of a test (the clusters bucket refills one every 12 ms).
    const still = Date.now()
    t = await startTestApp({ fixtures: [FIXTURE], now: () => still })
  })
  after(() => t.close())

  test('route, then authentication: 404 and 405 first, then the challenge whatever else is wrong', async () => {
    assertApiError(await t.call(`${V2}/orgz`, { key: null }), 404, 'RESOURCE_NOT_FOUND')
    const post = await t.call(`${OM}/groups`, { key: null, method: 'POST' })
    assertApiError(post, 405, 'METHOD_NOT_ALLOWED', `Method POST is not allowed for resource ${OM}/groups.`)
    assert.equal(post.headers['allow'], 'GET, HEAD')
    const head = await t.call(`${OM}/groups/byName/Demo%20Project`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    for (const url of [`${V2}/groups/x?pageNum=0`, `${V2}/orgs/${UNKNOWN}`, `${OM}/groups/byName/Demo%20Project`, `${V1}/clusters`]) {
      const res = await t.call(url, { key: null, accept: null })
      assert.equal(res.status, 401, url)
      assert.match(String(res.headers['www-authenticate']), /^Digest realm="MMS Public API"/)
    }
  })

  test('media type, then path, then query, then the access list, then existence and role, then the rate limit', async () => {
    assertApiError(await t.call(`${V2}/groups/x`, { accept: null }), 406, 'INVALID_VERSION_DATE')
    assertApiError(await t.call(`${V2}/groups/x?pageNum=0`), 404, 'INVALID_GROUP_ID')
    assertApiError(await t.call(`${V2}/groups/${UNKNOWN}/clusters?pageNum=0`), 400, 'INVALID_QUERY_PARAMETER', undefined, ['pageNum'])
    assertApiError(await t.call(`${V2}/groups/${UNKNOWN}?pretty=maybe`), 400, 'INVALID_QUERY_PARAMETER', undefined, ['pretty'])
    for (const url of [`${V2}/groups/${UNKNOWN}`, `${V2}/groups`, `${OM}/orgs/${UNKNOWN}`, `${V1}/groups/byName/Nope`]) {
      assertApiError(await t.call(url, { key: LISTED }), 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', 'IP address 127.0.0.1 is not allowed to access this resource.')
    }
    assert.equal((await callAs(t, `${V2}/groups`, { key: LISTED }, { remoteAddress: '10.1.2.3' })).status, 200)
    // Refused before the rate limit: no RateLimit-* headers; refused after it: with them.
    const unknown = await t.call(`${V2}/groups/${UNKNOWN}`)
    assertApiError(unknown, 404, 'GROUP_NOT_FOUND')
    assert.equal(unknown.headers['ratelimit-limit'], undefined)
    const foreign = await t.call(`${V2}/orgs/${IDS.orgB}`)
    assertApiError(foreign, 401, 'USER_UNAUTHORIZED')
    assert.equal(foreign.headers['ratelimit-limit'], undefined)
    const cluster = await t.call(`${V2}/groups/${IDS.projectA}/clusters/Nope`)
    assertApiError(cluster, 404, 'CLUSTER_NOT_FOUND')
    assert.equal(cluster.headers['ratelimit-limit'], '10000')
    const byName = await t.call(`${V2}/groups/byName/Nope`)
    assertApiError(byName, 404, 'GROUP_NAME_NOT_FOUND')
    assert.equal(byName.headers['ratelimit-limit'], '1200', 'the by-name lookup comes after the rate limit')
  })

  test('Atlas v2 buckets per endpoint set: projects by project and by caller, clusters, all clusters, organizations', async () => {
    // A still clock: no token comes back between two calls (the clusters bucket refills one every 12 ms).
    const still = Date.now()
    const frozen = await startTestApp({ now: () => still })
    try {
      await bucketsPerSet(frozen)
    } finally {
      await frozen.close()
    }
  })

  async function bucketsPerSet(t: TestApp): Promise<void> {
    const key = KEYS.orgowner
    const calls: [string, string][] = [
      [`${V2}/groups`, '1200'],
      [`${V2}/groups/byName/Demo%20Project`, '1200'],
      [`${V2}/groups/${IDS.projectA}`, '1200'],
      [`${V2}/groups/${IDS.projectA}/clusters`, '10000'],
      [`${V2}/groups/${IDS.projectA}/clusters/Cluster0`, '10000'],
      [`${V2}/clusters`, '300'],
      [`${V2}/orgs`, '300'],
      [`${V2}/orgs/${IDS.orgA}`, '500'],
      [`${V2}/orgs/${IDS.orgA}/groups`, '500'],
    ]
    const seen: Record<string, number[]> = {}
    for (const [url, capacity] of calls) {
      const res = await t.call(url, { key })
      assert.equal(res.status, 200, `${url}: ${res.body}`)
      assert.equal(res.headers['ratelimit-limit'], capacity, url)
      ;(seen[capacity] ??= []).push(Number(res.headers['ratelimit-remaining']))
    }
    // The caller's projects bucket (list, by name) is not the project's; the cluster list and one cluster
    // share the project's bucket, the organization and its projects the organization's.
    const [list = 0, byName = 0, project = 0] = seen['1200'] ?? []
    assert.equal(byName, list - 1)
    assert.equal(project, 1199)
    const [clusters = 0, cluster = 0] = seen['10000'] ?? []
    assert.equal(cluster, clusters - 1)
    const [org = 0, orgGroups = 0] = seen['500'] ?? []
    assert.equal(orgGroups, org - 1)
    // Atlas v1.0 and Ops Manager discovery answers carry none.
    for (const url of [`${V1}/groups`, `${OM}/groups/${IDS.projectA}/clusters`, `${OM}/groups/${IDS.projectA}/backupConfigs`]) {
      const res = await t.call(url, { key })
      assert.deepEqual(limit(res), [undefined, undefined], url)
    }
  }

  test('an empty bucket answers 429 with Retry-After, for that scope only; the checkpoint bucket is its own', async () => {
    const small = await startTestApp({ env: { WAYMARK_RATE_LIMIT_PROJECTS: '2/1/60', WAYMARK_RATE_LIMIT_ORGANIZATION_LIST: '1/1/60' } })
    try {
      assert.equal((await small.call(`${V2}/groups`)).status, 200)
      assert.equal((await small.call(`${V2}/groups/byName/Demo%20Project`)).status, 200)
      const refused = await small.call(`${V2}/groups`)
      assertApiError(refused, 429, 'RATE_LIMITED_TOKEN_BUCKET', 'Rate limit exceeded for api/atlas/v2/groups. Please retry after 60 seconds. Request capacity: 2. Refill rate: 1 per 60 seconds.')
      assert.equal(refused.headers['retry-after'], '60')
      assert.deepEqual(limit(refused), ['2', '0'])
      assert.equal((await small.call(`${V2}/groups`, { key: KEYS.orgowner })).status, 200, 'another caller has its own bucket')
      assert.equal((await small.call(`${V2}/groups/${IDS.projectA}`)).status, 200, 'the project bucket is not the caller\'s')
      assert.equal((await small.call(`${V2}/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`)).headers['ratelimit-limit'], '1200')
      assert.equal((await small.call(`${V2}/orgs`)).status, 200)
      assertApiError(await small.call(`${V2}/orgs?pretty=false`), 429, 'RATE_LIMITED_TOKEN_BUCKET')
      assert.equal((await small.call(`${V1}/orgs`)).status, 200, 'v1.0 has no discovery bucket')
    } finally {
      await small.close()
    }
  })

  test('a repeated call (a remembered answer) takes its token and keeps its deprecation headers', async () => {
    const url = `${V2}/groups/${IDS.projectA2}/clusters`
    const accept = atlasAccept('2023-02-01')
    const first = await t.call(url, { key: KEYS.orgreado, accept })
    const second = await t.call(url, { key: KEYS.orgreado, accept })
    assert.equal(second.body, first.body)
    assert.equal(second.headers['deprecation'], 'Mon, 5 Aug 2024 00:00:00 GMT')
    assert.equal(second.headers['sunset'], 'Thu, 1 Jul 2027 00:00:00 GMT')
    assert.equal(Number(second.headers['ratelimit-remaining']), Number(first.headers['ratelimit-remaining']) - 1)
  })

  test('service accounts: a bearer token discovers what its roles reach; a revoked one gets the bearer challenge', async () => {
    const token = await getToken(t, ACCOUNT.clientId, ACCOUNT.clientSecret)
    const groups = await bearerCall(t, `${V2}/groups`, token)
    assert.deepEqual(groups.json().results.map((p: { name: string }) => p.name), ['Second Project'])
    const byName = await bearerCall(t, `${OM}/groups/byName/Second%20Project`, token)
    assert.equal(byName.json().id, IDS.projectA2)
    assert.equal((await bearerCall(t, `${OM}/groups/${IDS.projectA2}/clusters`, token)).json().totalCount, 1)
    await revokeToken(t, ACCOUNT.clientId, ACCOUNT.clientSecret, token)
    const revoked = await bearerCall(t, `${V2}/groups`, token)
    assert.equal(revoked.status, 401)
    assert.equal(revoked.headers['www-authenticate'], 'Bearer error="invalid_token"')
  })

  test('WAYMARK_ENFORCE_SUNSET answers 410 VERSION_GONE for a version past its sunset; by default it is still served', async () => {
    const after = Date.parse('2027-07-01T00:00:00Z')
    const gone = await startTestApp({ env: { WAYMARK_ENFORCE_SUNSET: 'on' }, now: () => after })
    const served = await startTestApp({ now: () => after })
    try {
      const url = `${V2}/groups/${IDS.projectA}/clusters`
      for (const version of ['2023-01-01', '2023-02-01']) {
        const res = await gone.call(url, { accept: atlasAccept(version) })
        assertApiError(res, 410, 'VERSION_GONE', 'This happens when a resource is marked for sunset and the sunset date is in the past.', [])
        assert.equal(res.json().reason, 'Gone')
        assert.equal(res.headers['sunset'], 'Thu, 1 Jul 2027 00:00:00 GMT')
        assert.equal((await served.call(url, { accept: atlasAccept(version) })).status, 200)
      }
      assert.equal((await gone.call(url, { accept: atlasAccept('2024-08-05') })).status, 200)
      assert.equal((await gone.call(`${V2}/groups`)).status, 200)
    } finally {
      await gone.close()
      await served.close()
    }
  })

  test('settings: bucket figures and the connection domain are checked; host names use the domain', async () => {
    assert.throws(() => loadConfig({}, { WAYMARK_RATE_LIMIT_CLUSTERS: '10/0/60' }), /WAYMARK_RATE_LIMIT_CLUSTERS must be CAPACITY\/REFILL\/PERIOD_SECONDS/)
    assert.throws(() => loadConfig({}, { WAYMARK_ENFORCE_SUNSET: 'yes' }), /WAYMARK_ENFORCE_SUNSET must be on or off/)
    assert.throws(() => loadConfig({}, { WAYMARK_CONNECTION_DOMAIN: 'Not A Domain' }), /WAYMARK_CONNECTION_DOMAIN/)
    assert.equal(loadConfig({}, { WAYMARK_RATE_LIMIT: 'off' }).discoveryRateLimits, undefined)
    const custom = await startTestApp({ env: { WAYMARK_CONNECTION_DOMAIN: 'db.example.test' } })
    try {
      const cluster = (await custom.call(`${V1}/groups/${IDS.projectA}/clusters/ReplicaSet0`)).json()
      assert.match(cluster.srvAddress, /^mongodb\+srv:\/\/replicaset0\.[0-9a-z]{6}\.db\.example\.test$/)
    } finally {
      await custom.close()
    }
  })

  test('metrics and access log: the discovery routes have a route label of their own per dialect', () => {
    const g = IDS.projectA
    assert.equal(routeLabel(`${V2}/groups`, undefined), 'atlas_v2_discovery')
    assert.equal(routeLabel(`${V2}/groups/${g}/clusters/Cluster0?pretty=true`, undefined), 'atlas_v2_discovery')
    assert.equal(routeLabel(`${V1}/orgs/${IDS.orgA}/groups`, undefined), 'atlas_v1_discovery')
    assert.equal(routeLabel(`${OM}/groups/${g}/backupConfigs/${IDS.cluster0}`, undefined), 'ops_manager_discovery')
    assert.equal(routeLabel(`${OM}/groups/${g}/clusters/${IDS.cluster0}/checkpoints?pageNum=2`, undefined), 'ops_manager_checkpoints')
    assert.equal(routeLabel(`${V2}/groups/${g}/clusters/Cluster0/backupCheckpoints/${IDS.scccCheckpoint1}`, undefined), 'atlas_v2_checkpoint')
    assert.equal(routeLabel(`${V2}/groupz`, 'RESOURCE_NOT_FOUND'), 'unknown')
  })
})
