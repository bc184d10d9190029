import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { assertAdminError, assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { bearerCall, getToken, requestToken } from '../helpers/oauth.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`
const READ_A = [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }]
const T0 = Date.parse('2026-11-23T12:00:00Z')

describe('admin API: API keys', () => {
  let t: AdminApp
  let generated: { publicKey: string; privateKey: string }
  before(async () => {
    t = await startAdminApp({ now: () => T0 })
  })
  after(() => t.close())

  test('list every key by public key, or those of one organization; never a hash or a private key', async () => {
    const all = (await t.admin('GET', '/apiKeys')).json()
    assert.deepEqual(all.results.map((k: { publicKey: string }) => k.publicKey), ['backupmg', 'demonone', 'demoread', 'grpowner', 'orgowner', 'orgreado', 'otherorg'])
    assert.deepEqual(Object.keys(all.results[0]), ['publicKey', 'orgId', 'description', 'roles', 'accessList', 'createdAt'])
    assert.equal(JSON.stringify(all).includes(KEYS.demoread.privateKey), false)
    assert.deepEqual((await t.admin('GET', `/apiKeys?orgId=${IDS.orgB}`)).json().results.map((k: { publicKey: string }) => k.publicKey), ['otherorg'])
  })

  test('create with generated keys: the private key is answered once and works for Digest', async () => {
    const res = await t.admin('POST', '/apiKeys', { orgId: IDS.orgA, description: 'CI', roles: READ_A })
    assert.equal(res.status, 201)
    const body = res.json()
    assert.match(body.publicKey, /^[a-z]{8}$/)
    assert.match(body.privateKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(body.createdAt, '2026-11-23T12:00:00Z')
    generated = { publicKey: body.publicKey, privateKey: body.privateKey }
    const got = (await t.admin('GET', `/apiKeys/${generated.publicKey}`)).json()
    assert.equal('privateKey' in got, false)
    const { privateKey: _once, ...rest } = body
    assert.deepEqual(got, rest)
    const stored = await t.store.getApiKey(generated.publicKey)
    assert.equal(stored?.digestHa1, createHash('md5').update(`${generated.publicKey}:MMS Public API:${generated.privateKey}`).digest('hex'))
    assert.equal(JSON.stringify(stored).includes(generated.privateKey), false)
    assert.equal((await t.call(V2, { key: generated })).status, 200)
  })

  test('create with given keys answers no private key', async () => {
    const res = await t.admin('POST', '/apiKeys', { publicKey: 'givenkey', privateKey: '0d5c6f43-2a71-4c55-9b6e-5e4f3a2b1c0d', orgId: IDS.orgA, roles: READ_A, accessList: ['10.1.2.3/8'] })
    assert.equal(res.status, 201)
    assert.equal('privateKey' in res.json(), false)
    assert.deepEqual(res.json().accessList, ['10.0.0.0/8'])
    assertAdminError(await t.admin('POST', '/apiKeys', { publicKey: 'givenkey', orgId: IDS.orgA, roles: [] }), 409, 'DUPLICATE_ID', ['API key', 'givenkey'])
  })

  test('bad keys are refused field by field', async () => {
    assertViolations(await t.admin('POST', '/apiKeys', { publicKey: 'UPPER', privateKey: 'x', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_ADMIN' }], accessList: ['10.0.0.300'] }), [
      ['publicKey', 'publicKey must be 8 lower-case letters, not "UPPER"'],
      ['privateKey', 'privateKey must be a UUID, not "x"'],
      ['orgId', 'orgId is required'],
      ['roles[0].roleName', 'roles[0].roleName must be one of GROUP_OWNER, GROUP_BACKUP_MANAGER, GROUP_READ_ONLY, not "GROUP_ADMIN"'],
      ['accessList[0]', /^accessList\[0\] /],
    ])
    assertViolations(await t.admin('POST', '/apiKeys', { orgId: IDS.orgB, roles: READ_A }), [
      ['roles[0].groupId', `roles[0].groupId ${IDS.projectA} is a project of organization ${IDS.orgA}, not of the key's own ${IDS.orgB}`],
    ])
  })

  test('patch roles, access list and description; a new private key replaces the old one', async () => {
    const path = `/apiKeys/${generated.publicKey}`
    const res = await t.admin('PATCH', path, { description: 'CI, renamed', accessList: ['192.0.2.0/24'] })
    assert.equal(res.status, 200)
    assert.equal(res.json().description, 'CI, renamed')
    assert.equal(res.json().createdAt, '2026-11-23T12:00:00Z')
    assertAdminError(await t.call(V2, { key: generated }), 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST')
    await t.admin('PATCH', path, { accessList: [], roles: [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }] })
    assertAdminError(await t.call(V2, { key: generated }), 401, 'USER_UNAUTHORIZED')
    await t.admin('PATCH', path, { roles: READ_A })
    assert.equal((await t.call(V2, { key: generated })).status, 200, 'the private key stays when not given')
    const fresh = '7e2b9c14-3d5a-4f68-8b0c-1a2b3c4d5e6f'
    assert.equal((await t.admin('PATCH', path, { privateKey: fresh })).status, 200)
    assert.equal((await t.call(V2, { key: generated })).status, 401)
    assert.equal((await t.call(V2, { key: { publicKey: generated.publicKey, privateKey: fresh } })).status, 200)
    assertViolations(await t.admin('PATCH', path, { orgId: IDS.orgB, createdAt: '2020-01-01T00:00:00Z' }), [
      ['orgId', `orgId cannot be changed (it is "${IDS.orgA}"); delete and create instead`],
    ])
    assertViolations(await t.admin('PATCH', path, { createdAt: '2020-01-01T00:00:00Z' }), [
      ['createdAt', /^createdAt is not a known field/],
    ])
    assertAdminError(await t.admin('PATCH', '/apiKeys/nosuchky', {}), 404, 'API_KEY_NOT_FOUND', ['nosuchky'])
  })

  test('delete: the key stops working at once', async () => {
    const res = await t.admin('DELETE', `/apiKeys/${KEYS.demoread.publicKey}`)
    assert.deepEqual(res.json(), { deleted: { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 1, serviceAccounts: 0 } })
    assert.equal((await t.call(V2, { key: KEYS.demoread })).status, 401)
    assertAdminError(await t.admin('GET', '/apiKeys/demoread'), 404, 'API_KEY_NOT_FOUND', ['demoread'])
    assertAdminError(await t.admin('DELETE', '/apiKeys/demoread'), 404, 'API_KEY_NOT_FOUND')
  })
})

describe('admin API: service accounts', () => {
  let t: AdminApp
  let clock = T0
  let account: { clientId: string; clientSecret: string }
  before(async () => {
    t = await startAdminApp({ now: () => clock })
  })
  after(() => t.close())

  test('create with a generated id and secret: the secret is answered once and gets tokens', async () => {
    const res = await t.admin('POST', '/serviceAccounts', { orgId: IDS.orgA, name: 'CI', roles: READ_A })
    assert.equal(res.status, 201)
    const body = res.json()
    assert.match(body.clientId, /^mdb_sa_id_[a-f0-9]{24}$/)
    assert.match(body.clientSecret, /^mdb_sa_sk_/)
    assert.equal(body.secrets.length, 1)
    assert.equal(body.secrets[0].expiresAt, '2027-11-23T12:00:00Z')
    account = { clientId: body.clientId, clientSecret: body.clientSecret }
    const got = (await t.admin('GET', `/serviceAccounts/${account.clientId}`)).json()
    assert.equal('clientSecret' in got, false)
    assert.deepEqual(Object.keys(got.secrets[0]), ['id', 'createdAt', 'expiresAt'])
    assert.equal(JSON.stringify(await t.store.getServiceAccount(account.clientId)).includes(account.clientSecret), false)
    const token = await getToken(t, account.clientId, account.clientSecret)
    assert.equal((await bearerCall(t, V2, token)).status, 200)
    const list = (await t.admin('GET', `/serviceAccounts?orgId=${IDS.orgA}`)).json()
    assert.deepEqual(list.results.map((a: { clientId: string }) => a.clientId), [account.clientId])
    assert.deepEqual((await t.admin('GET', `/serviceAccounts?orgId=${IDS.orgB}`)).json(), { results: [], totalCount: 0 })
  })

  test('create with a given id, secret and expiry; bad ones are refused field by field', async () => {
    const given = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5b1', clientSecret: 'given-secret-123', secretExpiresAt: '2026-11-23T13:00:00Z', orgId: IDS.orgA, roles: READ_A }
    const res = await t.admin('POST', '/serviceAccounts', given)
    assert.equal(res.status, 201)
    assert.equal('clientSecret' in res.json(), false)
    assert.equal(res.json().name, given.clientId)
    assert.equal(res.json().secrets[0].expiresAt, '2026-11-23T13:00:00Z')
    assert.equal((await requestToken(t, given.clientId, given.clientSecret)).status, 200)
    assertAdminError(await t.admin('POST', '/serviceAccounts', given), 409, 'DUPLICATE_ID', ['Service account', given.clientId])
    assertViolations(await t.admin('POST', '/serviceAccounts', { clientId: 'sa-1', clientSecret: 'short', orgId: IDS.orgA, roles: [], secretExpiresAt: 'soon' }), [
      ['clientId', 'clientId must be mdb_sa_id_ and 24 lower-case hex characters, not "sa-1"'],
      ['clientSecret', 'clientSecret must be a string of 8 to 1024 characters'],
      ['secretExpiresAt', 'secretExpiresAt must be an ISO 8601 date-time with a time zone'],
    ])
  })

  test('patch: a new secret replaces every secret; an expiry alone moves theirs', async () => {
    const path = `/serviceAccounts/${account.clientId}`
    const renamed = await t.admin('PATCH', path, { name: 'CI 2', description: 'nightly' })
    assert.equal(renamed.json().name, 'CI 2')
    assert.equal((await requestToken(t, account.clientId, account.clientSecret)).status, 200, 'the secret stays when not given')
    const rotated = await t.admin('PATCH', path, { clientSecret: 'mdb_sa_sk_rotated-secret-01' })
    assert.equal(rotated.status, 200)
    assert.equal(rotated.json().secrets.length, 1)
    assert.equal((await requestToken(t, account.clientId, account.clientSecret)).status, 401)
    assert.equal((await requestToken(t, account.clientId, 'mdb_sa_sk_rotated-secret-01')).status, 200)
    const expiring = await t.admin('PATCH', path, { secretExpiresAt: '2026-11-23T12:30:00Z' })
    assert.equal(expiring.json().secrets[0].expiresAt, '2026-11-23T12:30:00Z')
    clock = T0 + 3_600_000
    assert.equal((await requestToken(t, account.clientId, 'mdb_sa_sk_rotated-secret-01')).status, 401)
    clock = T0
    assertViolations(await t.admin('PATCH', path, { clientId: 'mdb_sa_id_000000000000000000000000', secrets: [] }), [
      ['clientId', `clientId cannot be changed (it is "${account.clientId}"); delete and create instead`],
    ])
    assertViolations(await t.admin('PATCH', path, { secrets: [] }), [['secrets', /^secrets is not a known field/]])
  })

  test('secrets: one added beside the others gets tokens; one removed gets none, the others still do', async () => {
    const path = `/serviceAccounts/${account.clientId}/secrets`
    await t.admin('PATCH', `/serviceAccounts/${account.clientId}`, { secretExpiresAt: '2027-01-01T00:00:00Z' })
    const added = await t.admin('POST', path)
    assert.equal(added.status, 201)
    assert.deepEqual(Object.keys(added.json()), ['id', 'createdAt', 'expiresAt', 'clientSecret'])
    assert.equal(added.json().expiresAt, '2027-11-23T12:00:00Z')
    const given = await t.admin('POST', path, { id: '65a1f0c2e4b0a1b2c3d4e5f1', clientSecret: 'mdb_sa_sk_given-secret-02', secretExpiresAt: '2028-01-01T00:00:00Z' })
    assert.deepEqual(given.json(), { id: '65a1f0c2e4b0a1b2c3d4e5f1', createdAt: '2026-11-23T12:00:00Z', expiresAt: '2028-01-01T00:00:00Z' })
    for (const secret of ['mdb_sa_sk_rotated-secret-01', added.json().clientSecret, 'mdb_sa_sk_given-secret-02']) {
      assert.equal((await requestToken(t, account.clientId, secret)).status, 200)
    }
    assertAdminError(await t.admin('POST', path, { id: '65a1f0c2e4b0a1b2c3d4e5f1' }), 409, 'DUPLICATE_ID', ['Secret', '65a1f0c2e4b0a1b2c3d4e5f1'])
    assertViolations(await t.admin('POST', path, { id: 'x', name: 'no', secretExpiresAt: 'soon' }), [
      ['name', 'name is not a field of a new secret (id, clientSecret, secretExpiresAt)'],
      ['id', 'id must be 24 lower-case hex characters, not "x"'],
    ])
    const removed = await t.admin('DELETE', `${path}/65a1f0c2e4b0a1b2c3d4e5f1`)
    assert.equal(removed.status, 200)
    assert.equal(removed.json().secrets.length, 2)
    assert.equal((await requestToken(t, account.clientId, 'mdb_sa_sk_given-secret-02')).status, 401)
    assert.equal((await requestToken(t, account.clientId, added.json().clientSecret)).status, 200)
    assertAdminError(await t.admin('DELETE', `${path}/65a1f0c2e4b0a1b2c3d4e5f1`), 404, 'SERVICE_ACCOUNT_SECRET_NOT_FOUND', ['65a1f0c2e4b0a1b2c3d4e5f1', account.clientId])
    assertAdminError(await t.admin('POST', '/serviceAccounts/mdb_sa_id_000000000000000000000000/secrets'), 404, 'SERVICE_ACCOUNT_NOT_FOUND')
  })

  test('delete: its tokens stop working at once', async () => {
    const token = await getToken(t, account.clientId, 'mdb_sa_sk_rotated-secret-01')
    const res = await t.admin('DELETE', `/serviceAccounts/${account.clientId}`)
    assert.deepEqual(res.json(), { deleted: { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 1 } })
    assert.equal((await bearerCall(t, V2, token)).status, 401)
    assert.equal((await requestToken(t, account.clientId, 'mdb_sa_sk_rotated-secret-01')).status, 401)
    assertAdminError(await t.admin('GET', `/serviceAccounts/${account.clientId}`), 404, 'SERVICE_ACCOUNT_NOT_FOUND', [account.clientId])
    assertAdminError(await t.admin('DELETE', `/serviceAccounts/${account.clientId}`), 404, 'SERVICE_ACCOUNT_NOT_FOUND')
  })
})
