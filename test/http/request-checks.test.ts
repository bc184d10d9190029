import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`

function assertError(res: CallResult, status: number, errorCode: string, detail?: string, parameters?: unknown[]): void {
  assert.equal(res.status, status, res.body)
  const body = res.json()
  assertSchema('ApiError', body)
  assert.deepEqual(Object.keys(body), ['detail', 'error', 'errorCode', 'parameters', 'reason'])
  assert.equal(body.error, status)
  assert.equal(body.errorCode, errorCode)
  assert.equal(res.headers['x-error-code'], errorCode)
  assert.equal(res.headers['content-type'], 'application/json')
  if (detail !== undefined) assert.equal(body.detail, detail)
  if (parameters !== undefined) assert.deepEqual(body.parameters, parameters)
}

describe('order of checks and request validation', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp()
  })
  after(() => t.close())

  describe('route match', () => {
    test('an unknown path answers 404 RESOURCE_NOT_FOUND before authentication', async () => {
      for (const path of ['/', '/api/atlas/v2/groupz', `${V2}/a/b`, '/api/atlas/v3/x', `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/checkpoints`]) {
        const res = await t.call(path, { key: null })
        assertError(res, 404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${path}.`, [path])
      }
    })

    test('a trailing slash is an empty checkpoint id, checked after authentication', async () => {
      assert.equal((await t.call(`${V2}/`, { key: null })).status, 401)
      assertError(await t.call(`${V2}/`), 404, 'INVALID_CHECKPOINT_ID', 'An invalid checkpoint ID  was specified.', [''])
    })

    test('a known path with another method answers 405 with Allow, before authentication', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const res = await t.call(V2, { method, key: null })
        assertError(res, 405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed for resource ${V2}.`)
        assert.equal(res.headers['allow'], 'GET, HEAD')
      }
    })

    test('a body of any content type on another method still gets the 405', async () => {
      const res = await t.raw(V2, { 'content-type': 'application/xml' }, 'POST')
      assert.equal(res.status, 405)
    })

    test('HEAD answers like GET without a body', async () => {
      const res = await t.call(V2, { method: 'HEAD' })
      assert.equal(res.status, 200)
      assert.equal(res.body, '')
    })
  })

  describe('authentication comes before everything about the data', () => {
    test('no credentials on a bad group, cluster, version or query all answer the 401 challenge', async () => {
      for (const [url, accept] of [
        ['/api/atlas/v2/groups/nothex/clusters/x/backupCheckpoints', undefined],
        [`/api/atlas/v2/groups/${'0'.repeat(24)}/clusters/Nope/backupCheckpoints`, undefined],
        [V2, 'application/json'],
        [`${V2}?pageNum=0`, undefined],
      ] as const) {
        const res = await t.call(url, { key: null, ...(accept ? { accept } : {}) })
        assert.equal(res.status, 401)
        assert.ok(String(res.headers['www-authenticate']).startsWith('Digest '))
      }
    })
  })

  describe('media type (Atlas v2)', () => {
    const notAcceptable = '{"detail":"Invalid accept header or version date.","error":406,"errorCode":"INVALID_VERSION_DATE","parameters":[],"reason":"Not Acceptable"}'

    test('missing, generic, preview, malformed or too early versions answer 406 INVALID_VERSION_DATE', async () => {
      for (const accept of [null, '*/*', 'application/json', 'application/vnd.atlas.preview+json', 'application/vnd.atlas.2023-02-30+json', 'application/vnd.atlas.2022-12-31+json', 'application/vnd.atlas.2023-1-01+json', 'application/vnd.atlas.latest+json']) {
        const res = await t.call(V2, { accept })
        assert.equal(res.status, 406, `${accept}`)
        assert.equal(res.body, notAcceptable)
        assert.equal(res.headers['x-error-code'], 'INVALID_VERSION_DATE')
      }
    })

    test('a later date is served by the newest version not after it', async () => {
      for (const accept of ['application/vnd.atlas.2025-03-12+json', 'application/vnd.atlas.2023-01-01+json;charset=utf-8', 'application/json, application/vnd.atlas.2024-08-05+json', 'APPLICATION/VND.ATLAS.2099-12-31+JSON']) {
        const res = await t.call(V2, { accept })
        assert.equal(res.status, 200, accept)
        assert.equal(res.headers['content-type'], 'application/vnd.atlas.2023-01-01+json;charset=utf-8')
      }
    })

    test('the version is checked before path parameters', async () => {
      const res = await t.call('/api/atlas/v2/groups/nothex/clusters/x/backupCheckpoints', { accept: 'application/json' })
      assert.equal(res.status, 406)
    })

    test('v1.0 and Ops Manager answer application/json whatever Accept says', async () => {
      for (const url of [OM, `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`]) {
        for (const accept of [null, 'application/vnd.atlas.2023-01-01+json', 'text/html']) {
          const res = await t.call(url, { accept })
          assert.equal(res.status, 200)
          assert.equal(res.headers['content-type'], 'application/json')
        }
      }
    })
  })

  describe('path parameters', () => {
    test('a malformed groupId answers 404 INVALID_GROUP_ID with the decoded value', async () => {
      for (const [segment, shown] of [
        ['nothex', 'nothex'],
        ['65A1F0C2E4B0A1B2C3D4E502', '65A1F0C2E4B0A1B2C3D4E502'],
        ['65a1f0c2e4b0a1b2c3d4e50', '65a1f0c2e4b0a1b2c3d4e50'],
        ['%zz', '%zz'],
        ['%E2%82%AC', '€'],
        ['', ''],
        ['a%2Fb', 'a/b'],
      ]) {
        const res = await t.call(`/api/atlas/v2/groups/${segment}/clusters/Cluster0/backupCheckpoints`)
        assertError(res, 404, 'INVALID_GROUP_ID', `An invalid group ID ${shown} was specified.`, [shown])
      }
    })

    test('an Atlas cluster name that breaks the pattern or exceeds 64 characters answers 404 CLUSTER_NOT_FOUND', async () => {
      for (const name of ['-lead', 'under_score', 'a'.repeat(65), '%F0%9F%98%80', 'x%20y']) {
        const res = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/${name}/backupCheckpoints`)
        assertError(res, 404, 'CLUSTER_NOT_FOUND')
        assert.equal(res.json().parameters[1], IDS.projectA)
      }
      const ok = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/${'a'.repeat(64)}/backupCheckpoints`)
      assertError(ok, 404, 'CLUSTER_NOT_FOUND', `No cluster named ${'a'.repeat(64)} exists in group ${IDS.projectA}.`)
    })

    test('a malformed Ops Manager clusterId answers 404 INVALID_CLUSTER_ID', async () => {
      const res = await t.call(`/api/public/v1.0/groups/${IDS.projectA}/clusters/Cluster0/checkpoints`)
      assertError(res, 404, 'INVALID_CLUSTER_ID', 'An invalid cluster ID Cluster0 was specified.', ['Cluster0'])
    })

    test('a malformed checkpointId answers 404 INVALID_CHECKPOINT_ID', async () => {
      for (const id of ['x', 'F'.repeat(24), 'f'.repeat(25)]) {
        const res = await t.call(`${V2}/${id}`)
        assertError(res, 404, 'INVALID_CHECKPOINT_ID', `An invalid checkpoint ID ${id} was specified.`, [id])
      }
    })

    test('path parameters are checked before query parameters and before the group exists', async () => {
      const res = await t.call(`/api/atlas/v2/groups/${'0'.repeat(24)}/clusters/Cluster0/backupCheckpoints/nothex?pageNum=0`)
      assertError(res, 404, 'INVALID_CHECKPOINT_ID')
    })
  })

  describe('query parameters', () => {
    test('bad flags, paging values, empty or repeated known parameters answer 400 INVALID_QUERY_PARAMETER', async () => {
      for (const [query, name] of [
        ['envelope=yes', 'envelope'],
        ['pretty=1', 'pretty'],
        ['pretty=', 'pretty'],
        ['includeCount=maybe', 'includeCount'],
        ['itemsPerPage=0', 'itemsPerPage'],
        ['itemsPerPage=501', 'itemsPerPage'],
        ['itemsPerPage=1.5', 'itemsPerPage'],
        ['itemsPerPage=ten', 'itemsPerPage'],
        ['pageNum=0', 'pageNum'],
        ['pageNum=-1', 'pageNum'],
        ['pageNum=99999999999', 'pageNum'],
        ['pageNum=1&pageNum=2', 'pageNum'],
      ]) {
        const res = await t.call(`${V2}?${query}`)
        assertError(res, 400, 'INVALID_QUERY_PARAMETER', `Invalid query parameter ${name} specified.`, [name])
      }
    })

    test('unknown parameters are ignored, and paging parameters are unknown to get-one', async () => {
      const list = await t.call(`${V2}?foo=bar&PAGENUM=0`)
      assert.equal(list.status, 200)
      const first = list.json().results[0]
      const one = await t.call(`${V2}/${first.id}?pageNum=0&itemsPerPage=zzz&includeCount=x`)
      assert.equal(one.status, 200)
    })

    test('query parameters are checked before the group exists', async () => {
      const res = await t.call(`/api/atlas/v2/groups/${'0'.repeat(24)}/clusters/Cluster0/backupCheckpoints?itemsPerPage=501`)
      assertError(res, 400, 'INVALID_QUERY_PARAMETER')
    })
  })

  describe('group and role', () => {
    test('an unknown group answers 404 GROUP_NOT_FOUND', async () => {
      const res = await t.call(`/api/atlas/v2/groups/${'1'.repeat(24)}/clusters/Cluster0/backupCheckpoints`)
      assertError(res, 404, 'GROUP_NOT_FOUND', `No group with ID ${'1'.repeat(24)} exists.`, ['1'.repeat(24)])
    })

    test('a caller without a role on an existing group answers 401 USER_UNAUTHORIZED, before the cluster lookup', async () => {
      for (const url of [V2, `/api/atlas/v2/groups/${IDS.projectA}/clusters/Nope/backupCheckpoints`]) {
        const res = await t.call(url, { key: KEYS.demonone })
        assertError(res, 401, 'USER_UNAUTHORIZED', 'Current user is not authorized to perform this action.', [])
        assert.equal(res.headers['www-authenticate'], undefined)
      }
    })

    const matrix: [string, { publicKey: string; privateKey: string }, string, number][] = [
      ['org owner on its org project', KEYS.orgowner, IDS.projectA, 200],
      ['org owner on a second project of its org', KEYS.orgowner, IDS.projectA2, 200],
      ['org read-only', KEYS.orgreado, IDS.projectA2, 200],
      ['group owner', KEYS.grpowner, IDS.projectA, 200],
      ['group owner on another project of its org', KEYS.grpowner, IDS.projectA2, 401],
      ['backup manager', KEYS.backupmg, IDS.projectA, 200],
      ['project read only', KEYS.demoread, IDS.projectA, 200],
      ['project read only on another project', KEYS.demoread, IDS.projectA2, 401],
      ['org member only', KEYS.demonone, IDS.projectA, 401],
      ['key of another organization', KEYS.otherorg, IDS.projectA, 401],
      ['other org owner on its own project', KEYS.otherorg, IDS.projectB, 404],
    ]
    for (const [name, key, groupId, status] of matrix) {
      test(`roles: ${name} → ${status}`, async () => {
        const res = await t.call(`/api/atlas/v2/groups/${groupId}/clusters/Cluster0/backupCheckpoints`, { key })
        assert.equal(res.status, status, res.body)
        if (status === 401) assert.equal(res.json().errorCode, 'USER_UNAUTHORIZED')
        if (status === 404) assert.equal(res.json().errorCode, 'CLUSTER_NOT_FOUND')
      })
    }
  })
})
