import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Credentials } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { callAs, getToken, type Caller } from '../helpers/oauth.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

type Project = 'A' | 'A2' | 'B' | 'unknown'
type Dialect = 'v2' | 'v1' | 'om'

const UNKNOWN_GROUP = 'ffffffffffffffffffffffff'
const GROUPS: Record<Project, string> = { A: IDS.projectA, A2: IDS.projectA2, B: IDS.projectB, unknown: UNKNOWN_GROUP }
const OM_CLUSTER: Record<Project, string> = { A: IDS.cluster0, A2: IDS.a2Cluster, B: IDS.clusterB, unknown: IDS.cluster0 }

const URLS: Record<Dialect, (project: Project) => string> = {
  v2: (p) => `/api/atlas/v2/groups/${GROUPS[p]}/clusters/Cluster0/backupCheckpoints`,
  v1: (p) => `/api/atlas/v1.0/groups/${GROUPS[p]}/clusters/Cluster0/backupCheckpoints`,
  om: (p) => `/api/public/v1.0/groups/${GROUPS[p]}/clusters/${OM_CLUSTER[p]}/checkpoints`,
}

interface Kind {
  readonly name: string
  readonly key: Credentials
  readonly orgId: string
  readonly roles: readonly object[]
  /** Expected outcome per project: 200, or the error code. */
  readonly expect: Record<Project, string>
}

const OK = '200'
const DENIED = '401 USER_UNAUTHORIZED'
const NO_GROUP = '404 GROUP_NOT_FOUND'
const NO_CLUSTER = '404 CLUSTER_NOT_FOUND'

const KINDS: readonly Kind[] = [
  {
    name: 'organization owner',
    key: KEYS.orgowner,
    orgId: IDS.orgA,
    roles: [{ orgId: IDS.orgA, roleName: 'ORG_OWNER' }],
    expect: { A: OK, A2: OK, B: DENIED, unknown: NO_GROUP },
  },
  {
    name: 'organization read-only',
    key: KEYS.orgreado,
    orgId: IDS.orgA,
    roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }],
    expect: { A: OK, A2: OK, B: DENIED, unknown: NO_GROUP },
  },
  {
    name: 'project owner',
    key: KEYS.grpowner,
    orgId: IDS.orgA,
    roles: [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }, { groupId: IDS.projectA, roleName: 'GROUP_OWNER' }],
    expect: { A: OK, A2: DENIED, B: DENIED, unknown: NO_GROUP },
  },
  {
    name: 'project backup manager',
    key: KEYS.backupmg,
    orgId: IDS.orgA,
    roles: [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }, { groupId: IDS.projectA, roleName: 'GROUP_BACKUP_MANAGER' }],
    expect: { A: OK, A2: DENIED, B: DENIED, unknown: NO_GROUP },
  },
  {
    name: 'project read-only',
    key: KEYS.demoread,
    orgId: IDS.orgA,
    roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }],
    expect: { A: OK, A2: DENIED, B: DENIED, unknown: NO_GROUP },
  },
  {
    name: 'owner of another organization',
    key: KEYS.otherorg,
    orgId: IDS.orgB,
    roles: [{ orgId: IDS.orgB, roleName: 'ORG_OWNER' }],
    expect: { A: DENIED, A2: DENIED, B: NO_CLUSTER, unknown: NO_GROUP },
  },
  {
    name: 'organization member only',
    key: KEYS.demonone,
    orgId: IDS.orgA,
    roles: [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }],
    expect: { A: DENIED, A2: DENIED, B: DENIED, unknown: NO_GROUP },
  },
]

const clientId = (index: number): string => `mdb_sa_id_65a1f0c2e4b0a1b2c3d4e6${index.toString(16).padStart(2, '0')}`
const secretOf = (index: number): string => `mdb_sa_sk_matrix-secret-${index}`

const FIXTURE = {
  serviceAccounts: KINDS.map((kind, index) => ({
    clientId: clientId(index),
    clientSecret: secretOf(index),
    orgId: kind.orgId,
    name: kind.name,
    roles: kind.roles,
  })),
}

const PROJECTS: readonly Project[] = ['A', 'A2', 'B', 'unknown']
const DIALECTS: readonly Dialect[] = ['v2', 'v1', 'om']

describe('authorization matrix: caller kind x project x dialect', () => {
  let t: TestApp
  const tokens: string[] = []
  before(async () => {
    t = await startTestApp({ fixtures: [FIXTURE] })
    tokens.push(...(await Promise.all(KINDS.map((_, index) => getToken(t, clientId(index), secretOf(index))))))
  })
  after(() => t.close())

  async function outcomes(caller: Caller): Promise<Record<string, string>> {
    const table: Record<string, string> = {}
    for (const project of PROJECTS) {
      for (const dialect of DIALECTS) {
        const url = URLS[dialect](project)
        const res = await callAs(t, url, caller)
        if (res.status === 200) {
          const body = res.json()
          assert.ok(body.results.length > 0, url)
          assert.ok(body.results.every((c: { groupId: string }) => c.groupId === GROUPS[project]), url)
          table[`${project} ${dialect}`] = OK
          continue
        }
        const body = res.json()
        assertSchema('ApiError', body)
        assert.equal(res.headers['x-error-code'], body.errorCode)
        assertErrorDetail(body, project, dialect)
        table[`${project} ${dialect}`] = `${res.status} ${body.errorCode}`
      }
    }
    return table
  }

  function assertErrorDetail(body: { errorCode: string; detail: string; parameters: unknown[] }, project: Project, dialect: Dialect): void {
    const group = GROUPS[project]
    if (body.errorCode === 'USER_UNAUTHORIZED') {
      assert.equal(body.detail, 'Current user is not authorized to perform this action.')
      assert.deepEqual(body.parameters, [])
    } else if (body.errorCode === 'GROUP_NOT_FOUND') {
      assert.equal(body.detail, `No group with ID ${group} exists.`)
      assert.deepEqual(body.parameters, [group])
    } else if (body.errorCode === 'CLUSTER_NOT_FOUND') {
      const cluster = dialect === 'om' ? OM_CLUSTER[project] : 'Cluster0'
      const detail = dialect === 'om' ? `No cluster with ID ${cluster} exists in group ${group}.` : `No cluster named ${cluster} exists in group ${group}.`
      assert.equal(body.detail, detail)
      assert.deepEqual(body.parameters, [cluster, group])
    }
  }

  const expected = (kind: Kind): Record<string, string> =>
    Object.fromEntries(PROJECTS.flatMap((project) => DIALECTS.map((dialect) => [`${project} ${dialect}`, kind.expect[project]])))

  for (const [index, kind] of KINDS.entries()) {
    test(`${kind.name}, API key (Digest)`, async () => {
      assert.deepEqual(await outcomes({ key: kind.key }), expected(kind))
    })

    test(`${kind.name}, service account (Bearer)`, async () => {
      const token = tokens[index]
      assert.ok(token)
      assert.deepEqual(await outcomes({ token }), expected(kind))
    })
  }

  test('without credentials every cell is the Digest challenge', async () => {
    for (const project of PROJECTS) {
      for (const dialect of DIALECTS) {
        const res = await callAs(t, URLS[dialect](project), null)
        assert.equal(res.status, 401)
        assert.ok(String(res.headers['www-authenticate']).startsWith('Digest '))
      }
    }
  })
})
