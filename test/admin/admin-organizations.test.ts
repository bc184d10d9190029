import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateFixture } from '../../src/fixtures/validate-fixture.js'
import { assertAdminError, assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS, KEYS } from '../helpers/fixtures.js'

const NEW_ORG = '5f0a000000000000000000a1'
const NEW_GROUP = '5f0a000000000000000000a2'
const V2 = (groupId: string, cluster: string) => `/api/atlas/v2/groups/${groupId}/clusters/${cluster}/backupCheckpoints`

describe('admin API: organizations', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('list every organization, by id', async () => {
    const res = await t.admin('GET', '/orgs')
    assert.equal(res.status, 200)
    assert.deepEqual(res.json(), {
      results: [
        { id: IDS.orgA, name: 'Waymark Demo Org' },
        { id: IDS.orgB, name: 'Another Org' },
      ],
      totalCount: 2,
    })
  })

  test('create with a generated id or a given one, then get it', async () => {
    const generated = await t.admin('POST', '/orgs', { name: 'Generated' })
    assert.equal(generated.status, 201)
    assert.match(generated.json().id, /^[a-f0-9]{24}$/)
    assert.deepEqual((await t.admin('GET', `/orgs/${generated.json().id}`)).json(), { id: generated.json().id, name: 'Generated' })
    const given = await t.admin('POST', '/orgs', { id: NEW_ORG, name: 'Given' })
    assert.equal(given.status, 201)
    assert.deepEqual(given.json(), { id: NEW_ORG, name: 'Given' })
    assert.deepEqual(await t.store.getOrganization(NEW_ORG), { id: NEW_ORG, name: 'Given' })
  })

  test('a taken id is 409 DUPLICATE_ID, and the record stays', async () => {
    assertAdminError(await t.admin('POST', '/orgs', { id: IDS.orgB, name: 'Again' }), 409, 'DUPLICATE_ID', ['Organization', IDS.orgB])
    assert.equal((await t.store.getOrganization(IDS.orgB))?.name, 'Another Org')
  })

  test('bad bodies: every bad field with the fixture loader’s message, malformed JSON, not an object', async () => {
    assertViolations(await t.admin('POST', '/orgs', {}), [['name', 'name is required']])
    assertViolations(await t.admin('POST', '/orgs', { id: 'abc', name: '', extra: 1 }), [
      ['extra', 'extra is not a known field (known: id, name)'],
      ['id', 'id must be 24 lower-case hex characters, not "abc"'],
      ['name', 'name must be a non-empty string, not ""'],
    ])
    const fixture = validateFixture({ organizations: [{ id: NEW_ORG, name: 5 }] })
    assert.ok(!fixture.ok)
    const res = await t.admin('POST', '/orgs', { id: NEW_ORG, name: 5 })
    assert.equal(`organizations[0] (id ${NEW_ORG}): ${res.json().badRequestDetail.fields[0].description}`, fixture.errors[0])
    assertAdminError(await t.admin('POST', '/orgs', '{"name": "x",'), 400, 'INVALID_JSON', [])
    assertAdminError(await t.admin('POST', '/orgs', '["x"]'), 400, 'EXPECTED_JSON_OBJECT', ['an array'])
    assertAdminError(await t.admin('POST', '/orgs', '"x"'), 400, 'EXPECTED_JSON_OBJECT', ['string'])
    assertAdminError(await t.admin('POST', '/orgs', 'null'), 400, 'EXPECTED_JSON_OBJECT', ['null'])
    const big = await t.admin('POST', '/orgs', { name: 'x'.repeat(1024 * 1024) })
    assertAdminError(big, 413, 'REQUEST_BODY_TOO_LARGE', [1048576])
    assert.equal((await t.admin('GET', '/orgs')).json().totalCount, 4)
  })

  test('any Content-Type is read as JSON (curl -d sends a form type)', async () => {
    const res = await t.admin('POST', '/orgs', { name: 'Form' }, { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(res.status, 201)
    assert.equal(res.json().name, 'Form')
    await t.admin('DELETE', `/orgs/${res.json().id}`)
  })

  test('patch changes the given fields; the id cannot change', async () => {
    const res = await t.admin('PATCH', `/orgs/${NEW_ORG}`, { name: 'Renamed' })
    assert.equal(res.status, 200)
    assert.deepEqual(res.json(), { id: NEW_ORG, name: 'Renamed' })
    assert.equal((await t.admin('PATCH', `/orgs/${NEW_ORG}`, { id: NEW_ORG })).json().name, 'Renamed')
    assert.equal((await t.admin('PATCH', `/orgs/${NEW_ORG}`)).status, 200)
    assertViolations(await t.admin('PATCH', `/orgs/${NEW_ORG}`, { id: IDS.orgA }), [
      ['id', `id cannot be changed (it is "${NEW_ORG}"); delete and create instead`],
    ])
    assertViolations(await t.admin('PATCH', `/orgs/${NEW_ORG}`, { name: null }), [['name', 'name must be a non-empty string, not null']])
    assert.equal((await t.store.getOrganization(NEW_ORG))?.name, 'Renamed')
  })

  test('unknown and malformed ids are 404', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      assertAdminError(await t.admin(method, '/orgs/5f0a00000000000000000fff', method === 'PATCH' ? {} : undefined), 404, 'ORG_NOT_FOUND', ['5f0a00000000000000000fff'])
      assertAdminError(await t.admin(method, '/orgs/not-an-id', method === 'PATCH' ? {} : undefined), 404, 'INVALID_ORG_ID', ['not-an-id'])
    }
  })

  test('delete removes the organization with its projects, keys and service accounts', async () => {
    assert.equal((await t.call(V2(IDS.projectB, 'Cluster0'), { key: KEYS.otherorg })).status, 404)
    const res = await t.admin('DELETE', `/orgs/${IDS.orgB}`)
    assert.equal(res.status, 200)
    assert.deepEqual(res.json(), { deleted: { organizations: 1, projects: 1, clusters: 0, checkpoints: 0, apiKeys: 1, serviceAccounts: 0 } })
    assertAdminError(await t.admin('GET', `/orgs/${IDS.orgB}`), 404, 'ORG_NOT_FOUND')
    assertAdminError(await t.admin('GET', `/groups/${IDS.projectB}`), 404, 'GROUP_NOT_FOUND')
    assertAdminError(await t.admin('GET', `/apiKeys/${KEYS.otherorg.publicKey}`), 404, 'API_KEY_NOT_FOUND')
    assert.equal((await t.call(V2(IDS.projectB, 'Cluster0'), { key: KEYS.otherorg })).status, 401)
    assertAdminError(await t.admin('DELETE', `/orgs/${IDS.orgB}`), 404, 'ORG_NOT_FOUND')
  })
})

describe('admin API: projects', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('list every project, or those of one organization', async () => {
    const all = (await t.admin('GET', '/groups')).json()
    assert.deepEqual(all.results.map((p: { id: string }) => p.id), [IDS.projectA, IDS.projectA2, IDS.projectB])
    assert.equal(all.totalCount, 3)
    const ofB = (await t.admin('GET', `/groups?orgId=${IDS.orgB}`)).json()
    assert.deepEqual(ofB, { results: [{ id: IDS.projectB, orgId: IDS.orgB, name: 'Other Org Project' }], totalCount: 1 })
    assert.deepEqual((await t.admin('GET', '/groups?orgId=5f0a00000000000000000fff')).json(), { results: [], totalCount: 0 })
    for (const query of ['orgId=x', 'orgId=', `orgId=${IDS.orgA}&orgId=${IDS.orgB}`]) {
      assertAdminError(await t.admin('GET', `/groups?${query}`), 400, 'INVALID_QUERY_PARAMETER', ['orgId'])
    }
  })

  test('create, get and patch; the organization must exist and cannot change', async () => {
    assertViolations(await t.admin('POST', '/groups', { name: 'P', orgId: '5f0a00000000000000000fff' }), [
      ['orgId', 'orgId 5f0a00000000000000000fff is not an organization in this file or the store'],
    ])
    assertViolations(await t.admin('POST', '/groups', { name: 'P' }), [['orgId', 'orgId is required']])
    const res = await t.admin('POST', '/groups', { id: NEW_GROUP, orgId: IDS.orgB, name: 'New' })
    assert.equal(res.status, 201)
    assert.deepEqual(res.json(), { id: NEW_GROUP, orgId: IDS.orgB, name: 'New' })
    assertAdminError(await t.admin('POST', '/groups', { id: NEW_GROUP, orgId: IDS.orgB, name: 'New' }), 409, 'DUPLICATE_ID', ['Project', NEW_GROUP])
    assert.deepEqual((await t.admin('GET', `/groups/${NEW_GROUP}`)).json(), { id: NEW_GROUP, orgId: IDS.orgB, name: 'New' })
    assert.deepEqual((await t.admin('PATCH', `/groups/${NEW_GROUP}`, { name: 'Newer' })).json(), { id: NEW_GROUP, orgId: IDS.orgB, name: 'Newer' })
    assertViolations(await t.admin('PATCH', `/groups/${NEW_GROUP}`, { orgId: IDS.orgA, name: 'x' }), [
      ['orgId', `orgId cannot be changed (it is "${IDS.orgB}"); delete and create instead`],
    ])
    assertAdminError(await t.admin('GET', '/groups/5f0a00000000000000000fff'), 404, 'GROUP_NOT_FOUND', ['5f0a00000000000000000fff'])
    assertAdminError(await t.admin('PATCH', '/groups/%7A', {}), 404, 'INVALID_GROUP_ID', ['z'])
  })

  test('delete removes its clusters and checkpoints; keys keep their other roles', async () => {
    assert.equal((await t.call(V2(IDS.projectA, 'Sccc34'), { key: KEYS.grpowner })).status, 200)
    const res = await t.admin('DELETE', `/groups/${IDS.projectA}`)
    assert.deepEqual(res.json(), { deleted: { organizations: 0, projects: 1, clusters: 6, checkpoints: 848 + 2, apiKeys: 0, serviceAccounts: 0 } })
    assert.deepEqual((await t.admin('GET', `/apiKeys/${KEYS.grpowner.publicKey}`)).json().roles, [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }])
    assert.deepEqual((await t.admin('GET', '/apiKeys/demoread')).json().roles, [])
    assertAdminError(await t.call(V2(IDS.projectA, 'Sccc34'), { key: KEYS.grpowner }), 404, 'GROUP_NOT_FOUND')
    assert.equal((await t.admin('GET', `/groups/${IDS.projectA2}/clusters`)).json().totalCount, 1)
    assertAdminError(await t.admin('DELETE', `/groups/${IDS.projectA}`), 404, 'GROUP_NOT_FOUND')
  })
})
