import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import type { Checkpoint, Cluster } from '../../src/domain/types.js'
import { history } from '../../src/producer/history.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { assertAdminError } from '../helpers/admin.js'
import { assertAdminResponse } from '../helpers/admin-openapi.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { basic, form } from '../helpers/oauth.js'
import type { CallResult } from '../helpers/test-app.js'

/** The admin API's clock and history on a real server: the clock, the producer and the admin API wired as `serve` wires them. */

const TOKEN = 'admin-time-test-token'
const START = '2026-12-01T00:00:00Z'
const GROUP = '5f0d00000000000000000002'
const CLUSTER = '5f0d00000000000000000003'
const REPLICA_SET = '5f0d00000000000000000004'
const KEY = { publicKey: 'timetest', privateKey: '0b6a3f56-1e1d-4c8e-9a53-2f4c5d6e7f80' }
const ACCOUNT = { clientId: 'mdb_sa_id_5f0d00000000000000000005', clientSecret: 'mdb_sa_sk_time-test-secret-01' }
const SEED = 4242

const cluster: Cluster = {
  id: CLUSTER,
  groupId: GROUP,
  name: 'ledger',
  type: 'SHARDED',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [{ shardName: 'ledger-0', replicaSetName: 'ledger-0' }],
  configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'ledger-config' },
  checkpointIntervalMinutes: 15,
  pointInTimeWindowHours: 2,
}
const FIXTURE = {
  organizations: [{ id: '5f0d00000000000000000001', name: 'Time' }],
  projects: [{ id: GROUP, orgId: '5f0d00000000000000000001', name: 'Ledger' }],
  clusters: [
    cluster,
    {
      id: REPLICA_SET,
      groupId: GROUP,
      name: 'rs',
      type: 'REPLICASET',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [{ shardName: 'rs', replicaSetName: 'rs' }],
    },
  ],
  apiKeys: [{ ...KEY, orgId: '5f0d00000000000000000001', roles: [{ groupId: GROUP, roleName: 'GROUP_READ_ONLY' }] }],
  serviceAccounts: [{ ...ACCOUNT, orgId: '5f0d00000000000000000001', roles: [{ groupId: GROUP, roleName: 'GROUP_READ_ONLY' }] }],
}

interface Served {
  readonly server: RunningServer
  admin(method: string, path: string, body?: unknown): Promise<CallResult>
  /** Every checkpoint of the cluster, newest first. */
  checkpoints(): Promise<Checkpoint[]>
}

const running: RunningServer[] = []
after(async () => {
  for (const server of running) await server.close()
})

async function serve(options: { retentionDays?: number; produce?: boolean } = {}): Promise<Served> {
  const config = loadConfig(
    { port: 0, host: '127.0.0.1', logLevel: 'silent', clock: START, freezeClock: true, produce: options.produce ?? true, adminToken: TOKEN, seed: SEED, checkpointRetentionDays: options.retentionDays ?? 90 },
    { WAYMARK_STORE: 'sqlite::memory:' },
  )
  // serve --fixtures streams files (fixtures/fixture-file.ts); this one is written in memory.
  const inline = { path: 'admin-time fixture', open: async function* () { yield Buffer.from(JSON.stringify(FIXTURE)) } }
  const server = await startServer(config, { demo: false, fixtures: [inline] })
  running.push(server)
  const admin = async (method: string, path: string, body?: unknown): Promise<CallResult> => {
    const url = `/_admin/v1${path}`
    const response = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    })
    assertAdminResponse(method, url, response.statusCode, response.body)
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
  }
  return {
    server,
    admin,
    checkpoints: async () => {
      const res = await admin('GET', `/groups/${GROUP}/clusters/${CLUSTER}/checkpoints?itemsPerPage=500`)
      assert.equal(res.status, 200, res.body)
      return res.json().results
    },
  }
}

const seconds = (iso: string): number => Date.parse(iso) / 1000

describe('the clock of the admin API', () => {
  test('reads the clock, freezes and restarts it, moves it forward only, and refuses bad bodies', async () => {
    const { admin } = await serve({ produce: false })
    assert.deepEqual((await admin('GET', '/clock')).json(), { now: '2026-12-01T00:00:00.000Z', frozen: true })
    assert.deepEqual((await admin('POST', '/clock', { advanceBy: 'P1DT2H30M' })).json(), { now: '2026-12-02T02:30:00.000Z', frozen: true })
    assert.deepEqual((await admin('POST', '/clock', { set: '2026-12-24T00:00:00+01:00' })).json(), { now: '2026-12-23T23:00:00.000Z', frozen: true })
    const backwards = await admin('POST', '/clock', { set: '2026-12-01T00:00:00Z' })
    assertAdminError(backwards, 409, 'CLOCK_CANNOT_GO_BACK', ['2026-12-01T00:00:00.000Z', '2026-12-23T23:00:00.000Z'])
    const running = (await admin('POST', '/clock', { frozen: false })).json()
    assert.equal(running.frozen, false)
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.ok(Date.parse((await admin('GET', '/clock')).json().now) > Date.parse(running.now), 'a running clock runs')
    assertAdminError(await admin('POST', '/clock', { set: '2026-12-02T00:00:00Z', frozen: true }), 409, 'CLOCK_CANNOT_GO_BACK')
    assert.equal((await admin('GET', '/clock')).json().frozen, false, 'a refused change changes nothing')
    assert.deepEqual((await admin('POST', '/clock', { set: '2027-01-01T00:00:00Z', frozen: true })).json(), { now: '2027-01-01T00:00:00.000Z', frozen: true })
    for (const [body, field] of [
      [{}, ''],
      [{ advanceBy: 'P1Y' }, 'advanceBy'],
      [{ advanceBy: '-PT1H' }, 'advanceBy'],
      [{ advanceBy: 7200 }, 'advanceBy'],
      [{ set: 'tomorrow' }, 'set'],
      [{ advanceBy: 'PT1H', set: '2030-01-01T00:00:00Z' }, 'set'],
      [{ frozen: 'yes' }, 'frozen'],
      [{ when: 'now' }, 'when'],
    ] as const) {
      const res = await admin('POST', '/clock', body)
      assertAdminError(res, 400, 'INVALID_ATTRIBUTE')
      assert.ok(res.json().badRequestDetail.fields.some((f: { field: string }) => f.field === field), `${JSON.stringify(body)}: ${res.body}`)
    }
    assertAdminError(await admin('POST', '/clock', '[1]'), 400, 'EXPECTED_JSON_OBJECT')
  })

  test('advancing makes every due checkpoint, the window and pruning happen before it answers, the same by one jump or many', async () => {
    const one = await serve({ retentionDays: 0 })
    const many = await serve({ retentionDays: 0 })
    assert.equal((await one.admin('POST', '/clock', { advanceBy: 'PT5H' })).status, 200)
    for (let i = 0; i < 20; i++) await many.admin('POST', '/clock', { advanceBy: 'PT15M' })
    const made = await one.checkpoints()
    assert.deepEqual(made, await many.checkpoints(), 'one jump of 5 hours = twenty of 15 minutes')
    // A 2-hour window and no retention: only the checkpoints of the last two hours are left, the
    // completed ones restorable unless a token was never discovered, exactly the plan of seed 4242.
    const end = seconds('2026-12-01T05:00:00Z')
    const expected = [...history({ cluster, seed: SEED, from: end - 2 * 3600 - 900, to: end, intervalSeconds: 900, asOf: end })]
      .filter((c) => seconds(c.timestamp) >= end - 2 * 3600)
      .reverse()
    assert.deepEqual(made, expected)
    assert.ok(made.filter((c) => c.restorable).length >= 6, 'most are restorable')
  })

  test('a cluster whose backup stopped, or whose FCV moved, gets no checkpoints over a jump; one created just before gets them all', async () => {
    const { admin, checkpoints } = await serve()
    await admin('POST', '/clock', { advanceBy: 'PT1H' })
    const before = (await checkpoints()).length
    assert.equal(before, 4)
    await admin('PATCH', `/groups/${GROUP}/clusters/${CLUSTER}`, { backup: 'NONE' })
    await admin('POST', '/clock', { advanceBy: 'PT2H' })
    await admin('PATCH', `/groups/${GROUP}/clusters/${CLUSTER}`, { backup: 'LEGACY', featureCompatibilityVersion: '4.2' })
    await admin('POST', '/clock', { advanceBy: 'PT2H' })
    assert.equal((await checkpoints()).length, before)
    await admin('PATCH', `/groups/${GROUP}/clusters/${CLUSTER}`, { featureCompatibilityVersion: '4.0' })
    await admin('POST', '/clock', { advanceBy: 'PT1H' })
    assert.equal((await checkpoints()).length, before + 4, 'back on: from the change on')
    const created = await admin('POST', `/groups/${GROUP}/clusters`, { ...cluster, id: undefined, name: 'fresh' })
    await admin('POST', '/clock', { advanceBy: 'PT1H' })
    assert.equal((await admin('GET', `/groups/${GROUP}/clusters/${created.json().id}/checkpoints`)).json().totalCount, 4)
  })

  test('access tokens and Digest nonces expire on the server clock', async () => {
    const { server, admin } = await serve({ produce: false })
    const list = `/api/atlas/v2/groups/${GROUP}/clusters/ledger/backupCheckpoints`
    const get = (headers: Record<string, string>) =>
      server.app.inject({ method: 'GET', url: list, headers: { accept: 'application/vnd.atlas.2023-01-01+json', ...headers } })
    const oauth = (url: string, payload: string) =>
      server.app.inject({
        method: 'POST',
        url,
        headers: { authorization: basic(ACCOUNT.clientId, ACCOUNT.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      })
    const issued = await oauth('/api/oauth/token', form({ grant_type: 'client_credentials' }))
    const bearer = { authorization: `Bearer ${issued.json().access_token}` }
    assert.equal((await get(bearer)).statusCode, 200)
    // The clock is days behind the wall clock here: a revocation is kept until the token expires by the
    // server's clock, not forgotten by the store's clean-up at the next revocation.
    const token = async (): Promise<string> => (await oauth('/api/oauth/token', 'grant_type=client_credentials')).json().access_token
    const revoked = await token()
    assert.equal((await oauth('/api/oauth/revoke', form({ token: revoked }))).statusCode, 200)
    assert.equal((await oauth('/api/oauth/revoke', form({ token: await token() }))).statusCode, 200)
    assert.equal((await get({ authorization: `Bearer ${revoked}` })).statusCode, 401, 'still revoked')
    const { nonce } = parseChallenge(String((await get({})).headers['www-authenticate']))
    const digest = (nc: number) => ({ authorization: digestAuthorization({ credentials: KEY, method: 'GET', uri: list, nonce, nc }) })
    assert.equal((await get(digest(1))).statusCode, 200)
    await admin('POST', '/clock', { advanceBy: 'PT59M' })
    assert.equal((await get(bearer)).statusCode, 200, 'the token lasts an hour')
    const stale = await get(digest(2))
    assert.equal(stale.statusCode, 401)
    assert.match(String(stale.headers['www-authenticate']), /stale=true/)
    await admin('POST', '/clock', { advanceBy: 'PT2M' })
    assert.equal((await get(bearer)).statusCode, 401, 'an hour later, by the clock, the token has expired')
  })
})

describe('the history of the admin API', () => {
  test('writes what waymark generate writes, times relative to the clock, and the producer goes on after it', async () => {
    const { admin, checkpoints } = await serve()
    const path = `/groups/${GROUP}/clusters/${CLUSTER}/history`
    const res = await admin('POST', path, { from: '-1d', to: '-1h' })
    assert.equal(res.status, 200, res.body)
    const now = seconds(START)
    const expected = [...history({ cluster, seed: SEED, from: now - 86_400, to: now - 3600, intervalSeconds: 900, asOf: now })]
    assert.deepEqual(res.json(), {
      clusterId: CLUSTER,
      from: '2026-11-30T00:00:00Z',
      to: '2026-11-30T23:00:00Z',
      seed: SEED,
      intervalMinutes: 15,
      written: 92,
      restorable: expected.filter((c) => c.restorable).length,
      alreadyThere: 0,
      oldest: expected[0]?.timestamp,
      newest: expected.at(-1)?.timestamp,
    })
    assert.deepEqual((await checkpoints()).reverse(), expected)
    // The same call again: what an interrupted one left is continued, here nothing is missing.
    assert.deepEqual((await admin('POST', path, { from: '2026-11-30T00:00:00Z', to: '2026-11-30T23:00:00Z' })).json().alreadyThere, 92)
    // The hour up to now, then time passing: one seamless history, a checkpoint every quarter hour.
    assert.equal((await admin('POST', path, { from: '-1h', seed: SEED })).json().written, 4)
    await admin('POST', '/clock', { advanceBy: 'PT1H' })
    const all = await checkpoints()
    assert.equal(all.length, 100)
    const slots = all.map((c) => Math.floor(seconds(c.started) / 900))
    slots.forEach((slot, i) => i === 0 || assert.equal(slots[i - 1]! - slot, 1))
  })

  test('refuses as waymark generate does: no checkpoints, overlaps, the future, bad times and seeds, unknown clusters', async () => {
    const { admin } = await serve({ produce: false })
    const path = (clusterId: string, groupId = GROUP) => `/groups/${groupId}/clusters/${clusterId}/history`
    const rs = await admin('POST', path(REPLICA_SET), { from: '-1d' })
    assertAdminError(rs, 409, 'CLUSTER_MAKES_NO_CHECKPOINTS', ['rs', REPLICA_SET, 'it is a replica set; checkpoints are for sharded clusters'])
    await admin('POST', path(CLUSTER), { from: '-1d' })
    const overlap = await admin('POST', path(CLUSTER), { from: '-2h', seed: 1 })
    assertAdminError(overlap, 409, 'HISTORY_OVERLAPS')
    assert.match(overlap.json().detail, /^Cluster ledger already has checkpoints up to 2026-11-30T23:45:\d\dZ; a history is only appended/)
    for (const [body, field] of [
      [{ from: '-1h', to: '2026-12-02T00:00:00Z' }, 'to'],
      [{ from: '-1h', to: '-2h' }, 'from'],
      [{ from: 'yesterday' }, 'from'],
      [{}, 'from'],
      [{ from: '-1h', seed: 1.5 }, 'seed'],
      [{ from: '-1h', seed: '7' }, 'seed'],
      [{ from: '-100000w' }, 'from'],
      [{ from: '-20000d' }, 'to'],
      [{ from: '-1h', batch: 10 }, 'batch'],
    ] as const) {
      const res = await admin('POST', path(CLUSTER), body)
      assertAdminError(res, 400, 'INVALID_ATTRIBUTE')
      assert.equal(res.json().badRequestDetail.fields[0].field, field, `${JSON.stringify(body)}: ${res.body}`)
    }
    assertAdminError(await admin('POST', path('5f0d0000000000000000ffff'), { from: '-1h' }), 404, 'CLUSTER_NOT_FOUND')
    assertAdminError(await admin('POST', path(CLUSTER, '5f0d0000000000000000ffff'), { from: '-1h' }), 404, 'GROUP_NOT_FOUND')
    assertAdminError(await admin('POST', path('nope'), { from: '-1h' }), 404, 'INVALID_CLUSTER_ID')
  })

  test('a large history does not keep other requests waiting', async () => {
    const { server, admin } = await serve({ produce: false })
    const base = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`
    // About 35,000 checkpoints: a year of a 15-minute schedule.
    const writing = fetch(`${base}/_admin/v1/groups/${GROUP}/clusters/${CLUSTER}/history`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ from: '-365d' }),
    })
    let done = false
    void writing.then(() => (done = true))
    const latencies: number[] = []
    while (!done) {
      const started = performance.now()
      assert.equal((await fetch(`${base}/healthz`)).status, 200)
      if (!done) latencies.push(performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const answer = (await (await writing).json()) as { written: number }
    assert.equal(answer.written, 35_040)
    assert.ok(latencies.length >= 3, `${latencies.length} answers while the history was written`)
    assert.ok(Math.max(...latencies) < 500, `the slowest answer meanwhile took ${Math.round(Math.max(...latencies))} ms`)
    assert.equal((await admin('GET', `/groups/${GROUP}/clusters/${CLUSTER}/checkpoints?itemsPerPage=1`)).json().totalCount, 35_040)
  })
})
