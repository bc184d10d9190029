import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { validateFixture } from '../../src/fixtures/validate-fixture.js'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { assertAdminError, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'

const EXAMPLE = JSON.parse(readFileSync(new URL('../../../examples/fixture.json', import.meta.url), 'utf8'))
const NONE = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }
const NONE_LOADED = { ...NONE, snapshotSchedules: 0, snapshots: 0, restoreJobs: 0 }
const V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'

describe('admin API: fixture documents', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('a fixture loads as waymark load loads it, and loading it again changes nothing', async () => {
    const res = await t.admin('POST', '/fixtures', EXAMPLE)
    assert.equal(res.status, 200, res.body)
    const loaded = { organizations: 1, projects: 1, clusters: 1, checkpoints: 1, apiKeys: 1, serviceAccounts: 0, snapshotSchedules: 0, snapshots: 0, restoreJobs: 0 }
    assert.deepEqual(res.json(), { loaded })
    assert.deepEqual((await t.admin('POST', '/fixtures', EXAMPLE)).json(), { loaded })
    const cluster = EXAMPLE.clusters[0]
    assert.equal((await t.admin('GET', `/groups/${cluster.groupId}/clusters/${cluster.id}`)).json().name, cluster.name)
    const key = EXAMPLE.apiKeys[0]
    const api = await t.call(`/api/atlas/v2/groups/${cluster.groupId}/clusters/${cluster.name}/backupCheckpoints`, { key })
    assert.equal(api.json().totalCount, 1)
  })

  test('a refused fixture lists every problem with its path and the message waymark load prints; nothing is written', async () => {
    const doc = structuredClone(EXAMPLE)
    doc.organizations[0].id = 'acme'
    doc.checkpoints[0].parts[1].tokenTimestamp.increment = -1
    doc.extra = []
    const res = await t.admin('POST', '/fixtures', doc)
    assertAdminError(res, 400, 'INVALID_ATTRIBUTE', ['extra'])
    const expected = validateFixture(doc)
    assert.ok(!expected.ok)
    assert.deepEqual(res.json().badRequestDetail.fields, [
      { description: expected.errors[0], field: 'extra' },
      { description: expected.errors[1], field: 'organizations[0].id' },
      { description: expected.errors[2], field: 'checkpoints[0].parts[1].tokenTimestamp.increment' },
    ])
    const orphan = { projects: [{ id: '5f0a000000000000000000e1', orgId: '5f0a000000000000000000e2', name: 'Orphan' }] }
    const refused = await t.admin('POST', '/fixtures', orphan)
    assert.deepEqual(refused.json().badRequestDetail.fields, [
      { description: 'projects[0] (id 5f0a000000000000000000e1): orgId 5f0a000000000000000000e2 is not an organization in this file or the store', field: 'projects[0].orgId' },
    ])
    assert.equal(await t.store.getProject('5f0a000000000000000000e1'), undefined)
    const many = { organizations: Array.from({ length: 60 }, (_, i) => ({ id: `bad-${i}`, name: 'x' })) }
    const capped = (await t.admin('POST', '/fixtures', many)).json().badRequestDetail.fields
    assert.equal(capped.length, 51)
    assert.deepEqual(capped[50], { description: '… and 10 more', field: '' })
    assertAdminError(await t.admin('POST', '/fixtures', '[]'), 400, 'EXPECTED_JSON_OBJECT', ['an array'])
    assertAdminError(await t.admin('POST', '/fixtures', '{"organizations": ['), 400, 'INVALID_JSON')
    assert.deepEqual((await t.admin('POST', '/fixtures')).json(), { loaded: NONE_LOADED })
  })

  test('fixture documents may be far larger than other bodies', async () => {
    const cluster = EXAMPLE.clusters[0]
    const template = EXAMPLE.checkpoints[0]
    const checkpoints = Array.from({ length: 3000 }, (_, i) => ({
      ...template,
      id: `6f0a${i.toString(16).padStart(20, '0')}`,
      timestamp: new Date(Date.UTC(2021, 0, 1) + i * 900_000).toISOString(),
    }))
    const body = JSON.stringify({ checkpoints })
    assert.ok(body.length > 1024 * 1024)
    const res = await t.admin('POST', '/fixtures', body)
    assert.equal(res.status, 200, res.body.slice(0, 500))
    assert.equal(res.json().loaded.checkpoints, 3000)
    assert.equal((await t.admin('GET', `/groups/${cluster.groupId}/clusters/${cluster.id}/checkpoints?itemsPerPage=1`)).json().totalCount, 3001)
  })
})

describe('admin API: reset', () => {
  let t: AdminApp
  before(async () => {
    // The demo a reset loads is made as of the server's clock: here the reference demo's.
    t = await startAdminApp({ now: () => Date.parse(DEMO_END) })
  })
  after(() => t.close())

  test('reset deletes every record; server secrets stay, so nonces issued before still work', async () => {
    const url = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`
    const challenge = await t.raw(url)
    const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
    const res = await t.admin('POST', '/reset')
    assert.equal(res.status, 200)
    assert.deepEqual(res.json(), {
      deleted: { organizations: 2, projects: 3, clusters: 7, checkpoints: 848 + 3, apiKeys: 7, serviceAccounts: 0 },
      loaded: null,
    })
    for (const path of ['/orgs', '/groups', '/apiKeys', '/serviceAccounts']) {
      assert.deepEqual((await t.admin('GET', path)).json(), { results: [], totalCount: 0 })
    }
    assert.equal((await t.call(url, { key: KEYS.demoread })).status, 401)
    const demo = await t.admin('POST', '/reset?demo=TRUE')
    assert.deepEqual(demo.json(), {
      deleted: NONE,
      loaded: { organizations: 1, projects: 1, clusters: 4, checkpoints: 848, apiKeys: 2, serviceAccounts: 0, snapshotSchedules: 0, snapshots: 0, restoreJobs: 0 },
    })
    const authorization = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: url, nonce, nc: 1 })
    const answered = await t.raw(url, { authorization })
    assert.equal(answered.status, 200, answered.body)
    assert.equal(answered.json().totalCount, 672)
    assert.deepEqual((await t.admin('POST', '/reset?demo=false')).json().loaded, null)
    assertAdminError(await t.admin('POST', '/reset?demo=yes'), 400, 'INVALID_QUERY_PARAMETER', ['demo'])
    assert.equal((await t.admin('GET', '/orgs')).json().totalCount, 0, 'a refused reset deletes nothing more')
  })
})

describe('admin API: arrange a scenario from nothing (docs/admin-api.md)', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('an organization, a project, a sharded cluster on a schedule, two checkpoints and a reader key', async () => {
    await t.admin('POST', '/reset')
    const org = (await t.admin('POST', '/orgs', { name: 'Acme' })).json()
    const project = (await t.admin('POST', '/groups', { orgId: org.id, name: 'Payments' })).json()
    const cluster = (
      await t.admin('POST', `/groups/${project.id}/clusters`, {
        name: 'payments-prod',
        type: 'SHARDED',
        backup: 'LEGACY',
        featureCompatibilityVersion: '4.0',
        shards: [{ shardName: 'shard-0', replicaSetName: 'shard-0' }],
        configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config-0' },
        checkpointIntervalMinutes: 15,
      })
    ).json()
    const parts = (date: string) => [
      { typeName: 'REPLICA_SET', replicaSetName: 'shard-0', shardName: 'shard-0', tokenDiscovered: true, tokenTimestamp: { date, increment: 1 } },
      { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config-0', tokenDiscovered: true, tokenTimestamp: { date, increment: 2 } },
    ]
    const checkpoints = `/groups/${project.id}/clusters/${cluster.id}/checkpoints`
    const older = (await t.admin('POST', checkpoints, { started: '2026-11-01T10:00:00Z', completed: '2026-11-01T10:00:09Z', timestamp: '2026-11-01T10:00:05Z', restorable: true, parts: parts('2026-11-01T10:00:05Z') })).json()
    const newer = (await t.admin('POST', checkpoints, { started: '2026-11-01T10:15:00Z', timestamp: '2026-11-01T10:15:04Z', restorable: false, parts: parts('2026-11-01T10:15:04Z') })).json()
    const key = (await t.admin('POST', '/apiKeys', { orgId: org.id, roles: [{ groupId: project.id, roleName: 'GROUP_READ_ONLY' }] })).json()

    const credentials = { publicKey: key.publicKey, privateKey: key.privateKey }
    const v2 = await t.call(`/api/atlas/v2/groups/${project.id}/clusters/payments-prod/backupCheckpoints`, { key: credentials, accept: V2_ACCEPT })
    assert.equal(v2.status, 200, v2.body)
    assert.deepEqual(v2.json().results.map((c: { id: string }) => c.id), [newer.id, older.id])
    assert.equal(v2.json().results[0].completed, undefined)
    const om = await t.call(`/api/public/v1.0/groups/${project.id}/clusters/${cluster.id}/checkpoints/${older.id}`, { key: credentials })
    assert.equal(om.status, 200)
    assert.equal(om.json().restorable, true)
  })
})
