import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { AUTH_FAILURE_KINDS } from '../../src/http/auth-failure-kind.js'
import { ADMIN_TOKEN } from '../helpers/admin.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { bearerCall, callAs, getToken, requestToken, revokeToken } from '../helpers/oauth.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'
import { sample } from './metrics-text.js'
import { startServe } from './serve-process.js'

const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c1', clientSecret: 'mdb_sa_sk_metrics-reader-0001' }
const LISTED = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c2', clientSecret: 'mdb_sa_sk_metrics-listed-0002' }
const account = (credentials: typeof READER, accessList: string[]) => ({
  ...credentials,
  secretExpiresAt: '2099-01-01T00:00:00Z',
  orgId: IDS.orgA,
  name: credentials.clientId,
  roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }],
  accessList,
})
const ACCOUNTS = { serviceAccounts: [account(READER, []), account(LISTED, ['192.0.2.0/24'])] }

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.sccc}/checkpoints`

/** A metrics token: the scraper is trusted, and sees every kind of authentication failure. */
const METRICS_TOKEN = 'metrics-token-of-the-suite'

describe('GET /metrics', () => {
  let t: TestApp
  let clock = Date.parse('2026-11-23T12:00:00Z')
  before(async () => {
    t = await startTestApp({ now: () => clock, fixtures: [ACCOUNTS], env: { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN, WAYMARK_METRICS_TOKEN: METRICS_TOKEN } })
  })
  after(() => t.close())

  const scrape = async (): Promise<string> => {
    const res = await t.raw('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
    return res.body
  }
  const failures = async (): Promise<Record<string, number>> => {
    const text = await scrape()
    return Object.fromEntries(AUTH_FAILURE_KINDS.map((kind) => [kind, sample(text, 'waymark_auth_failures_total', { kind }) ?? NaN]))
  }

  test('every auth failure kind starts at 0 for a scraper with the metrics token, and no process metrics in-process', async () => {
    const text = await scrape()
    for (const kind of AUTH_FAILURE_KINDS) assert.equal(sample(text, 'waymark_auth_failures_total', { kind }), 0, kind)
    assert.equal(sample(text, 'waymark_rate_limited_total'), 0)
    assert.equal(sample(text, 'waymark_store_unavailable_total'), 0)
    assert.match(text, /# TYPE waymark_http_request_duration_seconds histogram/)
    assert.equal(text.includes('process_cpu'), false)
  })

  test('counts requests by route template and status, never by raw path, with a latency histogram', async () => {
    const urls = [V2, `${V2}/${IDS.scccCheckpoint1}`, V1, `${V1}/${IDS.scccCheckpoint2}`, OM, `${OM}/${IDS.scccCheckpoint1}`]
    for (const url of urls) assert.equal((await t.call(url)).status, 200, url)
    await t.raw('/healthz')
    await t.raw(`/api/atlas/v2/groups/${IDS.projectA}/nonsense/${'x'.repeat(40)}`)
    await t.raw('/totally/unknown?x=1')
    // Undecodable URLs are answered outside every Fastify route, and still counted.
    assert.equal((await t.raw(`/api/atlas/v2/groups/%zz/clusters/x/backupCheckpoints`)).status, 401)
    assert.equal((await t.raw('/%zz')).status, 404)
    await t.call(V2, { method: 'POST' })
    const text = await scrape()
    for (const route of ['atlas_v2_checkpoints', 'atlas_v2_checkpoint', 'atlas_v1_checkpoints', 'atlas_v1_checkpoint', 'ops_manager_checkpoints', 'ops_manager_checkpoint']) {
      // The Digest exchange: one 401 (challenge), one 200.
      assert.ok((sample(text, 'waymark_http_requests_total', { route, status: '200' }) ?? 0) >= 1, route)
      assert.ok((sample(text, 'waymark_http_requests_total', { route, status: '401' }) ?? 0) >= 1, route)
      const count = sample(text, 'waymark_http_request_duration_seconds_count', { route }) ?? 0
      assert.equal(sample(text, 'waymark_http_request_duration_seconds_bucket', { route, le: '+Inf' }), count)
      assert.ok(count >= 2 && (sample(text, 'waymark_http_request_duration_seconds_sum', { route }) ?? 0) > 0)
    }
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'unknown', status: '404' }), 3)
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'atlas_v2_checkpoints', status: '405' }), 1)
    assert.ok((sample(text, 'waymark_http_requests_total', { route: 'health', status: '200' }) ?? 0) >= 1)
    assert.ok((sample(text, 'waymark_http_requests_total', { route: 'metrics', status: '200' }) ?? 0) >= 1)
    assert.equal(/nonsense|totally|xxxx|65a1f0c2/.test(text), false, 'a raw path reached a label')
  })

  test('the legacy backup routes have labels of their own, not the discovery ones (schedule, snapshots, restore jobs, downloads)', async () => {
    const g = IDS.projectA
    const cases: Array<[string, string, number]> = [
      [`/api/atlas/v2/groups/${g}/clusters/Cluster0/snapshotSchedule`, 'atlas_v2_snapshot_schedule', 200],
      [`/api/atlas/v2/groups/${g}/clusters/Cluster0/snapshots?completed=all`, 'atlas_v2_snapshots', 200],
      [`/api/atlas/v2/groups/${g}/clusters/Cluster0/snapshots/${'f'.repeat(24)}`, 'atlas_v2_snapshot', 404],
      [`/api/atlas/v2/groups/${g}/clusters/Cluster0/restoreJobs`, 'atlas_v2_restore_jobs', 200],
      [`/api/atlas/v2/groups/${g}/clusters/Cluster0/restoreJobs/${'f'.repeat(24)}`, 'atlas_v2_restore_job', 404],
      [`/api/atlas/v1.0/groups/${g}/clusters/Cluster0/snapshotSchedule`, 'atlas_v1_snapshot_schedule', 200],
      [`/api/atlas/v1.0/groups/${g}/clusters/Cluster0/snapshots`, 'atlas_v1_snapshots', 200],
      [`/api/atlas/v1.0/groups/${g}/clusters/Cluster0/restoreJobs?batchId=${'f'.repeat(24)}`, 'atlas_v1_restore_jobs', 200],
      [`/api/public/v1.0/groups/${g}/backupConfigs/${IDS.cluster0}/snapshotSchedule`, 'ops_manager_snapshot_schedule', 200],
      [`/api/public/v1.0/groups/${g}/clusters/${IDS.cluster0}/snapshots`, 'ops_manager_snapshots', 200],
      [`/api/public/v1.0/groups/${g}/clusters/${IDS.cluster0}/snapshots/x`, 'ops_manager_snapshot', 404],
      [`/api/public/v1.0/groups/${g}/clusters/${IDS.cluster0}/restoreJobs/x`, 'ops_manager_restore_job', 404],
    ]
    for (const [url, , status] of cases) assert.equal((await t.call(url)).status, status, url)
    assert.equal((await t.raw(`/backup/restore/v2/pull/${'f'.repeat(24)}/token/file.tar.gz`)).status, 404)
    const text = await scrape()
    for (const [url, route, status] of cases) {
      assert.equal(sample(text, 'waymark_http_requests_total', { route, status: String(status) }), 1, `${route} ${url}`)
    }
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'restore_download', status: '404' }), 1)
    for (const route of ['atlas_v2_discovery', 'atlas_v1_discovery', 'ops_manager_discovery']) {
      assert.equal(sample(text, 'waymark_http_requests_total', { route, status: '200' }), undefined, `${route}: no discovery call was made`)
    }
  })

  test('counts every kind of authentication failure', async () => {
    const before = await failures()
    const challenge = async (url = V2): Promise<string> => parseChallenge(String((await t.raw(url, { accept: 'application/vnd.atlas.2023-01-01+json' })).headers['www-authenticate'])).nonce
    const digest = (nonce: string, nc: number, credentials: { publicKey: string; privateKey: string } = KEYS.demoread, uri = V2) =>
      t.raw(V2, { accept: 'application/vnd.atlas.2023-01-01+json', authorization: digestAuthorization({ credentials, method: 'GET', uri, nonce, nc }) })

    const nonce = await challenge() // no_credentials
    assert.equal((await digest(nonce, 1, { publicKey: 'demoread', privateKey: 'wrong' })).status, 401) // bad_digest_response
    assert.equal((await digest(nonce, 2, { publicKey: 'nosuchkey', privateKey: 'x' })).status, 401) // unknown_key
    assert.equal((await digest(nonce, 3, KEYS.demoread, `${V2}?pretty=true`)).status, 401) // uri_mismatch
    assert.equal((await digest(nonce, 4)).status, 200)
    assert.equal((await digest(nonce, 4)).status, 401) // replayed_nc
    assert.equal((await digest('not-a-nonce-at-all', 1)).status, 401) // invalid_nonce
    assert.equal((await t.raw(V2, { authorization: 'Digest ,,,' })).status, 401) // malformed_header
    assert.equal((await bearerCall(t, V2, 'not.a.token')).status, 401) // invalid_token
    const revoked = await getToken(t, READER.clientId, READER.clientSecret)
    assert.equal((await revokeToken(t, READER.clientId, READER.clientSecret, revoked)).status, 200)
    assert.equal((await bearerCall(t, V2, revoked)).status, 401) // revoked_token
    assert.equal((await requestToken(t, READER.clientId, 'mdb_sa_sk_wrong')).status, 401) // invalid_client
    const listed = await getToken(t, LISTED.clientId, LISTED.clientSecret)
    assert.equal((await bearerCall(t, V2, listed)).status, 403) // access_list
    assert.equal((await callAs(t, V2, { key: KEYS.demonone })).status, 401) // no_credentials + role
    assert.equal((await t.raw('/_admin/v1/orgs', { authorization: 'Bearer wrong-admin-token' })).status, 401) // admin_token
    const expiring = await getToken(t, READER.clientId, READER.clientSecret)
    const stale = await challenge()
    clock += 3_601_000
    assert.equal((await bearerCall(t, V2, expiring)).status, 401) // expired_token
    assert.equal((await digest(stale, 1)).status, 401) // stale_nonce

    const after = await failures()
    const delta = Object.fromEntries(AUTH_FAILURE_KINDS.map((kind) => [kind, (after[kind] ?? 0) - (before[kind] ?? 0)]))
    assert.deepEqual(delta, {
      no_credentials: 3,
      malformed_header: 1,
      unknown_key: 1,
      uri_mismatch: 1,
      bad_digest_response: 1,
      stale_nonce: 1,
      nonce_leased_elsewhere: 0,
      invalid_nonce: 1,
      replayed_nc: 1,
      invalid_token: 1,
      expired_token: 1,
      revoked_token: 1,
      access_list: 1,
      role: 1,
      invalid_client: 1,
      admin_token: 1,
      metrics_token: 0,
    })
    const text = await scrape()
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'oauth_token', status: '401' }), 1)
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'oauth_revoke', status: '200' }), 1)
    assert.equal(sample(text, 'waymark_http_requests_total', { route: 'admin', status: '401' }), 1)
  })
})

describe('an open /metrics is no oracle (issue 13, item 6)', () => {
  test('a stranger cannot tell an unknown key from a wrong password, nor a revoked token from an expired one', async () => {
    let clock = Date.parse('2026-11-23T12:00:00Z')
    const t = await startTestApp({ now: () => clock, fixtures: [ACCOUNTS] })
    try {
      const kinds = async (): Promise<Map<string, number>> => {
        const text = (await t.raw('/metrics')).body
        const found = new Map<string, number>()
        for (const match of text.matchAll(/^waymark_auth_failures_total\{kind="([a-z_]+)"\} (\d+)$/gm)) found.set(match[1]!, Number(match[2]))
        return found
      }
      const nonce = parseChallenge(String((await t.raw(V2, { accept: 'application/vnd.atlas.2023-01-01+json' })).headers['www-authenticate'])).nonce
      const digest = (credentials: { publicKey: string; privateKey: string }, nc: number) =>
        t.raw(V2, { accept: 'application/vnd.atlas.2023-01-01+json', authorization: digestAuthorization({ credentials, method: 'GET', uri: V2, nonce, nc }) })
      const start = await kinds()
      for (const hidden of ['unknown_key', 'bad_digest_response', 'uri_mismatch', 'invalid_token', 'expired_token', 'revoked_token']) {
        assert.equal(start.has(hidden), false, `${hidden} is shown to a stranger`)
      }
      assert.equal((await digest({ publicKey: 'nosuchkey', privateKey: 'x' }, 1)).status, 401)
      const afterUnknown = await kinds()
      assert.equal((await digest({ publicKey: 'demoread', privateKey: 'wrong' }, 2)).status, 401)
      const afterWrong = await kinds()
      // Each moved the same series by one: nothing tells which happened.
      assert.equal(afterUnknown.get('bad_credentials'), (start.get('bad_credentials') ?? NaN) + 1)
      assert.equal(afterWrong.get('bad_credentials'), (afterUnknown.get('bad_credentials') ?? NaN) + 1)

      const revoked = await getToken(t, READER.clientId, READER.clientSecret)
      assert.equal((await revokeToken(t, READER.clientId, READER.clientSecret, revoked)).status, 200)
      const expiring = await getToken(t, READER.clientId, READER.clientSecret)
      const beforeTokens = (await kinds()).get('bad_token') ?? NaN
      assert.equal((await bearerCall(t, V2, revoked)).status, 401)
      assert.equal((await kinds()).get('bad_token'), beforeTokens + 1)
      clock += 3_601_000
      assert.equal((await bearerCall(t, V2, expiring)).status, 401)
      const end = await kinds()
      assert.equal(end.get('bad_token'), beforeTokens + 2)
      assert.deepEqual([...end.keys()], [...start.keys()], 'the same series, whatever happened')
    } finally {
      await t.close()
    }
  })
})

describe('GET /metrics: rate limits, switches and the metrics token', () => {
  test('counts 429s', async () => {
    const t = await startTestApp({ env: { WAYMARK_RATE_LIMIT_CAPACITY: '2', WAYMARK_RATE_LIMIT_REFILL: '1', WAYMARK_RATE_LIMIT_PERIOD_SECONDS: '3600' } })
    try {
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await t.call(V2)).status)
      assert.deepEqual(statuses, [200, 200, 429, 429])
      const text = (await t.raw('/metrics')).body
      assert.equal(sample(text, 'waymark_rate_limited_total'), 2)
      assert.equal(sample(text, 'waymark_http_requests_total', { route: 'atlas_v2_checkpoints', status: '429' }), 2)
    } finally {
      await t.close()
    }
  })

  test('WAYMARK_METRICS=off: /metrics is an unknown path', async () => {
    const t = await startTestApp({ env: { WAYMARK_METRICS: 'off' } })
    try {
      const res = await t.raw('/metrics')
      assert.equal(res.status, 404)
      assert.equal(res.headers['x-error-code'], 'RESOURCE_NOT_FOUND')
      assert.equal(typeof res.headers['x-request-id'], 'string')
    } finally {
      await t.close()
    }
  })

  test('WAYMARK_METRICS_TOKEN guards /metrics with a bearer token and counts refusals', async () => {
    const token = 'metrics-token-5e1d0c'
    const t = await startTestApp({ env: { WAYMARK_METRICS_TOKEN: token } })
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-123', `Basic ${token}`, token]) {
        const res = await t.raw('/metrics', authorization === undefined ? {} : { authorization })
        assert.equal(res.status, 401)
        assert.equal(res.headers['x-error-code'], 'METRICS_UNAUTHORIZED')
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="Waymark metrics"')
        assert.deepEqual(res.json(), {
          detail: 'The metrics need the metrics token as a bearer token.',
          error: 401,
          errorCode: 'METRICS_UNAUTHORIZED',
          parameters: [],
          reason: 'Unauthorized',
        })
      }
      const res = await t.raw('/metrics', { authorization: `Bearer ${token}` })
      assert.equal(res.status, 200)
      assert.equal(sample(res.body, 'waymark_auth_failures_total', { kind: 'metrics_token' }), 4)
      assert.equal(sample(res.body, 'waymark_http_requests_total', { route: 'metrics', status: '401' }), 4)
    } finally {
      await t.close()
    }
  })
})

describe('GET /metrics of a real waymark serve', () => {
  test('has the process metrics (CPU seconds counted from start-up) and its own series', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-metrics-'))
    const serve = await startServe(['--demo', '--store', join(dir, 'store.sqlite')])
    t.after(async () => {
      serve.child.kill('SIGTERM')
      await serve.exited
      await rm(dir, { recursive: true, force: true })
    })
    const first = await (await fetch(`${serve.url}/metrics`)).text()
    for (const series of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_total_bytes']) {
      assert.ok((sample(first, series) ?? 0) > 0, series)
    }
    // Starting Node, loading the demo and listening take well over 0.05 s of CPU: counted from start-up.
    assert.ok((sample(first, 'process_cpu_user_seconds_total') ?? 0) + (sample(first, 'process_cpu_system_seconds_total') ?? 0) > 0.05)
    assert.equal(sample(first, 'waymark_auth_failures_total', { kind: 'no_credentials' }), 0)
    await fetch(`${serve.url}${OM}`)
    const second = await (await fetch(`${serve.url}/metrics`)).text()
    assert.equal(sample(second, 'waymark_auth_failures_total', { kind: 'no_credentials' }), 1)
    assert.ok((sample(second, 'process_cpu_user_seconds_total') ?? 0) >= (sample(first, 'process_cpu_user_seconds_total') ?? 0))
  })
})
