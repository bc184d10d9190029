import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateFixture } from '../../src/fixtures/validate-fixture.js'
import { checkReferences } from '../../src/fixtures/check-references.js'
import { assertApiError } from '../helpers/api-errors.js'
import { DISCOVERY_FIXTURE, DISCOVERY_IDS } from '../helpers/discovery-fixture.js'
import { assertDiscoveryBody } from '../helpers/discovery-openapi.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

/** Projects and organizations in the three dialects (docs/behaviour.md#discovery). */

const V2 = '/api/atlas/v2'
const V1 = '/api/atlas/v1.0'
const OM = '/api/public/v1.0'
const LOWER = { id: '65a1f0c2e4b0a1b2c3d4e505', orgId: IDS.orgA, name: 'alpha' }

const names = (res: CallResult): string[] => (res.json().results as { name: string }[]).map((p) => p.name)

describe('discovery: projects and organizations', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ fixtures: [DISCOVERY_FIXTURE, { projects: [LOWER] }] })
  })
  after(() => t.close())

  test('GET /groups lists exactly the projects the caller holds a role on, organization roles reaching every project', async () => {
    const cases: [keyof typeof KEYS, string[]][] = [
      ['demoread', ['Demo Project']],
      ['demonone', []],
      ['grpowner', ['Demo Project']],
      ['orgowner', ['Alpha Analytics', 'Demo Project', 'Second Project', 'alpha']],
      ['orgreado', ['Alpha Analytics', 'Demo Project', 'Second Project', 'alpha']],
      ['otherorg', ['Other Org Project']],
    ]
    for (const [key, expected] of cases) {
      for (const prefix of [V2, V1, OM]) {
        const res = await t.call(`${prefix}/groups`, { key: KEYS[key] })
        assert.equal(res.status, 200, res.body)
        assert.deepEqual(names(res), expected, `${key} on ${prefix}`)
        assert.equal(res.json().totalCount, expected.length)
        if (prefix === V2) assertDiscoveryBody('/api/atlas/v2/groups', String(res.headers['content-type']), res.json())
      }
    }
  })

  test('lists are in byte order of the name ("alpha" after "Second Project"), paged with links, includeCount, envelope and pretty', async () => {
    const page = await t.call(`${V2}/groups?itemsPerPage=2&pageNum=2&includeCount=true`, { key: KEYS.orgowner })
    assert.deepEqual(names(page), ['Second Project', 'alpha'])
    const base = 'http://localhost:80/api/atlas/v2/groups?includeCount=true&'
    assert.deepEqual(page.json().links, [
      { href: `${base}pageNum=2&itemsPerPage=2`, rel: 'self' },
      { href: `${base}itemsPerPage=2&pageNum=1`, rel: 'previous' },
    ])
    const first = await t.call(`${OM}/groups?itemsPerPage=3&includeCount=false&envelope=true&pretty=true`, { key: KEYS.orgowner })
    assert.ok(first.body.startsWith('{\n  "links" : [ {'), first.body)
    const body = first.json()
    assert.equal(body.status, 200)
    assert.equal(body.totalCount, undefined)
    assert.deepEqual(body.links.map((l: { rel: string }) => l.rel), ['self', 'next'])
  })

  test('Atlas project bodies: created (set or the id time), tags, clusterCount; seven links alone, self in lists', async () => {
    const one = await t.call(`${V2}/groups/${DISCOVERY_IDS.projectC}`, { key: KEYS.orgowner })
    assertDiscoveryBody('/api/atlas/v2/groups/{groupId}', String(one.headers['content-type']), one.json())
    const project = one.json()
    assert.deepEqual(Object.keys(project), ['clusterCount', 'created', 'id', 'links', 'name', 'orgId', 'tags', 'withDefaultAlertsSettings'])
    assert.equal(project.created, '2024-01-20T07:30:00Z')
    assert.deepEqual(project.tags, [{ key: 'env', value: 'test' }])
    assert.equal(project.clusterCount, 3)
    assert.deepEqual(project.links.map((l: { rel: string }) => l.rel), [
      'self',
      'https://cloud.mongodb.com/containers',
      'https://cloud.mongodb.com/clusters',
      'https://cloud.mongodb.com/databaseUsers',
      'https://cloud.mongodb.com/peers',
      'https://cloud.mongodb.com/processes',
      'https://cloud.mongodb.com/whitelist',
    ])
    const v1 = await t.call(`${V1}/groups/${LOWER.id}`, { key: KEYS.orgowner })
    assert.equal(v1.headers['content-type'], 'application/json')
    assert.equal(v1.json().created, '2024-01-13T02:09:06Z', 'the time in the first 4 bytes of the id')
    assert.equal(v1.json().clusterCount, 0)
    assert.ok(v1.json().links[0].href.endsWith(`/api/atlas/v1.0/groups/${LOWER.id}`))
    const list = await t.call(`${V2}/groups`, { key: KEYS.orgowner })
    for (const entry of list.json().results) assert.deepEqual(entry.links.map((l: { rel: string }) => l.rel), ['self'])
  })

  test('getGroup keeps the checkpoint routes\' rule: malformed 404 INVALID_GROUP_ID, unknown 404 GROUP_NOT_FOUND, not visible 401', async () => {
    for (const prefix of [V2, V1, OM]) {
      assertApiError(await t.call(`${prefix}/groups/65A1f0c2e4b0a1b2c3d4e502`), 404, 'INVALID_GROUP_ID', undefined, ['65A1f0c2e4b0a1b2c3d4e502'])
      assertApiError(await t.call(`${prefix}/groups/ffffffffffffffffffffffff`), 404, 'GROUP_NOT_FOUND', 'No group with ID ffffffffffffffffffffffff exists.')
      assertApiError(await t.call(`${prefix}/groups/${IDS.projectA}`, { key: KEYS.demonone }), 401, 'USER_UNAUTHORIZED')
      assertApiError(await t.call(`${prefix}/groups/${IDS.projectB}`), 401, 'USER_UNAUTHORIZED')
      // A literal segment wins over a parameter only where the template has it: groups/byName alone is a group id.
      assertApiError(await t.call(`${prefix}/groups/byName`), 404, 'INVALID_GROUP_ID', undefined, ['byName'])
    }
  })

  test('by name: exact, case-sensitive, percent-decoded once, among the projects the caller sees', async () => {
    for (const prefix of [V2, V1, OM]) {
      const found = await t.call(`${prefix}/groups/byName/Demo%20Project`)
      assert.equal(found.status, 200, found.body)
      assert.equal(found.json().id, IDS.projectA)
      if (prefix === V2) assertDiscoveryBody('/api/atlas/v2/groups/byName/{groupName}', String(found.headers['content-type']), found.json())
      const byId = await t.call(`${prefix}/groups/${IDS.projectA}`)
      assert.equal(found.body, byId.body, 'the same body as by id')
    }
    const atlasMissing = (name: string) => `No group with name "${name}" exists.`
    assertApiError(await t.call(`${V2}/groups/byName/demo%20project`), 404, 'GROUP_NAME_NOT_FOUND', atlasMissing('demo project'), ['demo project'])
    assertApiError(await t.call(`${V1}/groups/byName/Nope`), 404, 'GROUP_NAME_NOT_FOUND', atlasMissing('Nope'), ['Nope'])
    assertApiError(await t.call(`${OM}/groups/byName/Nope`), 404, 'GROUP_NAME_NOT_FOUND', 'No group with name Nope exists.', ['Nope'])
    // A project the caller may not see is not found, not unauthorized: a name reveals nothing.
    assertApiError(await t.call(`${V2}/groups/byName/Second%20Project`), 404, 'GROUP_NAME_NOT_FOUND')
    assertApiError(await t.call(`${OM}/groups/byName/Other%20Org%20Project`), 404, 'GROUP_NAME_NOT_FOUND')
    assert.equal((await t.call(`${OM}/groups/byName/Second%20Project`, { key: KEYS.orgowner })).status, 200)
    // 1 to 64 characters upstream: an empty or longer name names nothing.
    assertApiError(await t.call(`${V2}/groups/byName/`), 404, 'GROUP_NAME_NOT_FOUND', atlasMissing(''), [''])
    assertApiError(await t.call(`${V2}/groups/byName/${'x'.repeat(65)}`), 404, 'GROUP_NAME_NOT_FOUND')
    assertApiError(await t.call(`${OM}/groups/byName/%zz`), 404, 'GROUP_NAME_NOT_FOUND', 'No group with name %zz exists.')
  })

  test('a project name is unique within its organization: a second one is refused at load time', async () => {
    const doc = { projects: [{ id: '65a1f0c2e4b0a1b2c3d4e5aa', orgId: IDS.orgA, name: 'Demo Project' }] }
    const result = validateFixture(doc)
    assert.ok(result.ok)
    const problems = await checkReferences(result.data, t.store)
    assert.deepEqual(problems, [
      'projects[0] (id 65a1f0c2e4b0a1b2c3d4e5aa): name Demo Project is already used in organization 65a1f0c2e4b0a1b2c3d4e501 by project 65a1f0c2e4b0a1b2c3d4e502 in the store',
    ])
    // The same name in another organization, or a rename that frees it, is fine.
    const elsewhere = validateFixture({ projects: [{ id: '65a1f0c2e4b0a1b2c3d4e5aa', orgId: IDS.orgB, name: 'Demo Project' }] })
    assert.ok(elsewhere.ok)
    assert.deepEqual(await checkReferences(elsewhere.data, t.store), [])
  })

  test('two visible projects of one name (a store written before names were unique) answer 409 MULTIPLE_GROUPS', async () => {
    const other = await startTestApp()
    try {
      await other.store.apply({ organizations: [], projects: [{ id: '65a1f0c2e4b0a1b2c3d4e5ab', orgId: IDS.orgA, name: 'Demo Project' }], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] })
      for (const prefix of [V2, OM]) {
        assertApiError(await other.call(`${prefix}/groups/byName/Demo%20Project`, { key: KEYS.orgowner }), 409, 'MULTIPLE_GROUPS', 'Multiple groups exist with the specified name.', [])
      }
    } finally {
      await other.close()
    }
  })

  test('organizations: the caller\'s own (any role), 401 for another, 404 ORG_NOT_FOUND or INVALID_ORG_ID', async () => {
    for (const prefix of [V2, V1, OM]) {
      const list = await t.call(`${prefix}/orgs`, { key: KEYS.demonone })
      assert.equal(list.status, 200, list.body)
      assert.deepEqual(list.json().results.map((o: { id: string }) => o.id), [IDS.orgA])
      if (prefix === V2) assertDiscoveryBody('/api/atlas/v2/orgs', String(list.headers['content-type']), list.json())
      const one = await t.call(`${prefix}/orgs/${IDS.orgA}`, { key: KEYS.demonone })
      assert.equal(one.status, 200, one.body)
      if (prefix === OM) {
        assert.deepEqual(Object.keys(one.json()), ['id', 'isDeleted', 'links', 'name'])
        assert.equal(one.json().links.length, 1)
      } else {
        assert.deepEqual(Object.keys(one.json()), ['id', 'isDeleted', 'links', 'name', 'skipDefaultAlertsSettings'])
        assert.deepEqual(one.json().links.map((l: { rel: string }) => l.rel), ['self', 'https://cloud.mongodb.com/groups', 'https://cloud.mongodb.com/teams', 'https://cloud.mongodb.com/users'])
      }
      if (prefix === V2) assertDiscoveryBody('/api/atlas/v2/orgs/{orgId}', String(one.headers['content-type']), one.json())
      assertApiError(await t.call(`${prefix}/orgs/${IDS.orgB}`), 401, 'USER_UNAUTHORIZED')
      assertApiError(await t.call(`${prefix}/orgs/ffffffffffffffffffffffff`), 404, 'ORG_NOT_FOUND', 'No organization with ID ffffffffffffffffffffffff exists.', ['ffffffffffffffffffffffff'])
      assertApiError(await t.call(`${prefix}/orgs/x`), 404, 'INVALID_ORG_ID', 'An invalid organization ID x was specified.', ['x'])
    }
  })

  test('an organization\'s projects: the visible ones, filtered by a case-insensitive name prefix before paging', async () => {
    const all = await t.call(`${V2}/orgs/${IDS.orgA}/groups?name=`, { key: KEYS.orgowner })
    assertDiscoveryBody('/api/atlas/v2/orgs/{orgId}/groups', String(all.headers['content-type']), all.json())
    assert.deepEqual(names(all), ['Alpha Analytics', 'Demo Project', 'Second Project', 'alpha'])
    assert.equal(all.json().links[0].href, `http://localhost:80/api/atlas/v2/orgs/${IDS.orgA}/groups?name=&pageNum=1&itemsPerPage=100`)
    const alpha = await t.call(`${OM}/orgs/${IDS.orgA}/groups?name=ALPHA&itemsPerPage=1`, { key: KEYS.orgowner })
    assert.deepEqual(names(alpha), ['Alpha Analytics'])
    assert.equal(alpha.json().totalCount, 2)
    assert.equal(alpha.json().links[1].href, `http://localhost:80/api/public/v1.0/orgs/${IDS.orgA}/groups?name=ALPHA&itemsPerPage=1&pageNum=2`)
    assert.deepEqual(names(await t.call(`${V1}/orgs/${IDS.orgA}/groups`)), ['Demo Project'], 'a project role sees its project only')
    assert.deepEqual(names(await t.call(`${V2}/orgs?name=waymark%20d`)), ['Waymark Demo Org'])
    assert.deepEqual(names(await t.call(`${V2}/orgs?name=x`)), [])
    assertApiError(await t.call(`${V2}/orgs?name=a&name=b`), 400, 'INVALID_QUERY_PARAMETER', undefined, ['name'])
  })
})
