import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { stopProcess } from '../helpers/cli-process.js'
import { currentEngine, freshStore, type FreshStore } from '../helpers/test-store.js'
import { startServe, type ServeProcess } from '../ops/serve-process.js'

// Issue 13, item 2: a token outlived its service account. Two `waymark serve` processes share one store
// (real sockets); every token check is made on both, so the second instance sees each change through the
// store (the SQLite file's data version, PostgreSQL's change signal).

const ADMIN = 'token-identity-admin-7f3a'
const CLIENT_ID = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c1'
const ORG_A = '65a1f0c2e4b0a1b2c3d4f001'
const ORG_B = '65a1f0c2e4b0a1b2c3d4f002'
const GROUP_A = '65a1f0c2e4b0a1b2c3d4f011'
const GROUP_B = '65a1f0c2e4b0a1b2c3d4f012'
const CLUSTER_A = '65a1f0c2e4b0a1b2c3d4f021'
const CLUSTER_B = '65a1f0c2e4b0a1b2c3d4f022'

const cluster = (id: string, groupId: string) => ({
  id,
  groupId,
  name: 'Cluster0',
  type: 'REPLICASET',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [{ shardName: 'rs0', replicaSetName: 'rs0' }],
})
const WORLD = {
  organizations: [
    { id: ORG_A, name: 'First' },
    { id: ORG_B, name: 'Second' },
  ],
  projects: [
    { id: GROUP_A, orgId: ORG_A, name: 'A' },
    { id: GROUP_B, orgId: ORG_B, name: 'B' },
  ],
  clusters: [cluster(CLUSTER_A, GROUP_A), cluster(CLUSTER_B, GROUP_B)],
}
const ACCOUNT_A = {
  clientId: CLIENT_ID,
  clientSecret: 'mdb_sa_sk_first-account-secret',
  orgId: ORG_A,
  roles: [{ groupId: GROUP_A, roleName: 'GROUP_READ_ONLY' }],
}
const ACCOUNT_B = {
  clientId: CLIENT_ID,
  clientSecret: 'mdb_sa_sk_second-account-secret',
  orgId: ORG_B,
  roles: [{ groupId: GROUP_B, roleName: 'GROUP_OWNER' }],
}

describe(`a token ends with the service account and the secret it was issued with (${currentEngine()})`, () => {
  let store: FreshStore
  let a: ServeProcess
  let b: ServeProcess

  before(async () => {
    store = await freshStore('token-identity')
    const env = { WAYMARK_ADMIN_TOKEN: ADMIN, WAYMARK_LOG_LEVEL: 'warn' }
    a = await startServe(['--store', store.url], env)
    b = await startServe(['--store', store.url], env)
    await admin(a, 'POST', '/fixtures', WORLD, 200)
  })
  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((s) => stopProcess(s.child)))
    await store?.drop()
  })

  async function admin(server: ServeProcess, method: string, path: string, body: unknown, status: number): Promise<unknown> {
    const res = await fetch(`${server.url}/_admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    assert.equal(res.status, status, `${method} ${path}: ${text}`)
    return text === '' ? undefined : JSON.parse(text)
  }

  async function token(server: ServeProcess, secret: string): Promise<string> {
    const res = await fetch(`${server.url}/api/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
    assert.equal(res.status, 200, await res.clone().text())
    return ((await res.json()) as { access_token: string }).access_token
  }

  /**
   * The statuses once both instances have seen the last change: SQLite's on the next request (the file's
   * data version), PostgreSQL's within the change notification's latency, never later than the cache's 1 s
   * maximum age (docs/architecture.md, "Storage"); on a loaded machine that can be longer than one request.
   */
  async function settled(accessToken: string, groupId: string, expected: number[]): Promise<number[]> {
    const deadline = Date.now() + (currentEngine() === 'postgres' ? 1_000 : 0)
    for (;;) {
      const seen = await statuses(accessToken, groupId)
      if (seen.every((status, i) => status === expected[i]) || Date.now() >= deadline) return seen
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** The status of listing a project's checkpoints with the token, on each instance. */
  async function statuses(accessToken: string, groupId: string): Promise<number[]> {
    return Promise.all(
      [a, b].map(async (server) => {
        const res = await fetch(`${server.url}/api/public/v1.0/groups/${groupId}/clusters/${groupId === GROUP_A ? CLUSTER_A : CLUSTER_B}/checkpoints`, {
          headers: { authorization: `Bearer ${accessToken}` },
        })
        await res.arrayBuffer()
        return res.status
      }),
    )
  }

  test('deleting the account, then creating another with the same client id elsewhere, ends the old token', async () => {
    await admin(a, 'POST', '/serviceAccounts', ACCOUNT_A, 201)
    const old = await token(a, ACCOUNT_A.clientSecret)
    assert.deepEqual(await settled(old, GROUP_A, [200, 200]), [200, 200])
    await admin(a, 'DELETE', `/serviceAccounts/${CLIENT_ID}`, undefined, 200)
    assert.deepEqual(await settled(old, GROUP_A, [401, 401]), [401, 401])
    // Another account: another organization, other roles, another secret, the same client id.
    await admin(b, 'POST', '/serviceAccounts', ACCOUNT_B, 201)
    assert.deepEqual(await settled(old, GROUP_B, [401, 401]), [401, 401], 'the old token must not get the new account\'s roles')
    assert.deepEqual(await settled(old, GROUP_A, [401, 401]), [401, 401])
    const fresh = await token(b, ACCOUNT_B.clientSecret)
    assert.deepEqual(await settled(fresh, GROUP_B, [200, 200]), [200, 200])
    await admin(a, 'DELETE', `/serviceAccounts/${CLIENT_ID}`, undefined, 200)
  })

  test('removing the secret a token was issued with ends it; a token of the new secret works', async () => {
    await admin(a, 'POST', '/serviceAccounts', ACCOUNT_A, 201)
    const old = await token(a, ACCOUNT_A.clientSecret)
    assert.deepEqual(await settled(old, GROUP_A, [200, 200]), [200, 200])
    // Changing the name keeps the secret, and the token.
    await admin(b, 'PATCH', `/serviceAccounts/${CLIENT_ID}`, { name: 'renamed' }, 200)
    assert.deepEqual(await settled(old, GROUP_A, [200, 200]), [200, 200])
    // A new secret replaces the one the token was issued with.
    await admin(b, 'PATCH', `/serviceAccounts/${CLIENT_ID}`, { clientSecret: 'mdb_sa_sk_rotated-secret-0001' }, 200)
    assert.deepEqual(await settled(old, GROUP_A, [401, 401]), [401, 401])
    const rotated = await token(b, 'mdb_sa_sk_rotated-secret-0001')
    assert.deepEqual(await settled(rotated, GROUP_A, [200, 200]), [200, 200])
    await admin(a, 'DELETE', `/serviceAccounts/${CLIENT_ID}`, undefined, 200)
  })

  test('reset and reloading the same fixture (fixed client ids) ends the tokens issued before', async () => {
    const fixture = { ...WORLD, serviceAccounts: [ACCOUNT_A] }
    await admin(a, 'POST', '/fixtures', fixture, 200)
    const old = await token(b, ACCOUNT_A.clientSecret)
    assert.deepEqual(await settled(old, GROUP_A, [200, 200]), [200, 200])
    // Loading the same fixture again (no reset) is idempotent: the same account, the same secret, the token works.
    await admin(b, 'POST', '/fixtures', fixture, 200)
    assert.deepEqual(await settled(old, GROUP_A, [200, 200]), [200, 200])
    await admin(a, 'POST', '/reset', undefined, 200)
    await admin(a, 'POST', '/fixtures', fixture, 200)
    assert.deepEqual(await settled(old, GROUP_A, [401, 401]), [401, 401])
    assert.deepEqual(await statuses(await token(a, ACCOUNT_A.clientSecret), GROUP_A), [200, 200])
  })
})
