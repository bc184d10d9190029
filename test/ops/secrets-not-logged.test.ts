import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { runWaymark } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { startServe } from './serve-process.js'

const ADMIN_TOKEN = 'admin-token-never-logged-4b7e91'
const METRICS_TOKEN = 'metrics-token-never-logged-0c3a5f'
const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const FORM = 'application/x-www-form-urlencoded'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waymark-secrets-'))
})
after(() => rm(dir, { recursive: true, force: true }))

test('a full session at the most verbose level logs no private key, secret, token or admin token', async () => {
  const store = `sqlite:${join(dir, 'waymark.sqlite')}`
  /** Every secret the session uses; the logs must contain none of them. */
  const secrets: string[] = [ADMIN_TOKEN, METRICS_TOKEN]
  const server = await startServe(['--demo', '--store', store, '--log-level', 'trace'], { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN, WAYMARK_METRICS_TOKEN: METRICS_TOKEN })
  const cliErrors: string[] = []
  try {
    const { url } = server
    const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${url}${path}`, init)
    const admin = async (method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> =>
      call(`/_admin/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })

    // Credentials made by the CLI, their one-time output saved to files as a user would.
    const role = ['--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--store', store, '--json']
    const keyRun = await runWaymark(['apikey', 'create', ...role])
    const accountRun = await runWaymark(['service-account', 'create', ...role])
    assert.equal(keyRun.code, 0, keyRun.stderr)
    assert.equal(accountRun.code, 0, accountRun.stderr)
    cliErrors.push(keyRun.stderr, accountRun.stderr)
    await writeFile(join(dir, 'key.json'), keyRun.stdout)
    await writeFile(join(dir, 'account.json'), accountRun.stdout)
    const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8')) as { publicKey: string; privateKey: string }
    const account = JSON.parse(await readFile(join(dir, 'account.json'), 'utf8')) as { clientId: string; clientSecret: string }
    secrets.push(key.privateKey, account.clientSecret)

    // Credentials made through the admin API.
    const adminKey = (await (await admin('POST', '/apiKeys', { orgId: IDS.orgA, roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] })).json()) as { publicKey: string; privateKey: string }
    const adminAccount = (await (await admin('POST', '/serviceAccounts', { orgId: IDS.orgA, name: 'logs', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] })).json()) as { clientId: string; clientSecret: string }
    const newPrivateKey = '7e2b9c14-3d5a-4f68-8b0c-1a2b3c4d5e6f'
    assert.equal((await admin('PATCH', `/apiKeys/${adminKey.publicKey}`, { privateKey: newPrivateKey })).status, 200)
    secrets.push(adminKey.privateKey, adminAccount.clientSecret, newPrivateKey)
    assert.equal((await admin('GET', '/orgs')).status, 200)
    assert.equal((await admin('GET', '/orgs', undefined, 'wrong-admin-token-1')).status, 401)

    // Digest calls: a good one, a failed login, a replay.
    const digestCall = async (credentials: { publicKey: string; privateKey: string }, nc = 1, nonce?: string): Promise<Response> => {
      const challenge = nonce ?? parseChallenge(String((await call(V2, { headers: { accept: ATLAS_V2_ACCEPT } })).headers.get('www-authenticate'))).nonce
      return call(V2, { headers: { accept: ATLAS_V2_ACCEPT, authorization: digestAuthorization({ credentials, method: 'GET', uri: V2, nonce: challenge, nc }) } })
    }
    assert.equal((await digestCall(key)).status, 200)
    assert.equal((await digestCall({ publicKey: adminKey.publicKey, privateKey: newPrivateKey })).status, 200)
    const wrongPassword = 'c0ffee00-wrong-private-key-0000000'
    secrets.push(wrongPassword)
    assert.equal((await digestCall({ publicKey: key.publicKey, privateKey: wrongPassword })).status, 401)

    // OAuth: issue, use, revoke, a failed login, a secret carelessly put in a query string.
    const basicOf = (clientId: string, secret: string): string => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`
    const tokenOf = async (clientId: string, secret: string): Promise<Response> =>
      call('/api/oauth/token', { method: 'POST', headers: { authorization: basicOf(clientId, secret), 'content-type': FORM }, body: 'grant_type=client_credentials' })
    const issued = (await (await tokenOf(account.clientId, account.clientSecret)).json()) as { access_token: string }
    const issued2 = (await (await tokenOf(adminAccount.clientId, adminAccount.clientSecret)).json()) as { access_token: string }
    secrets.push(issued.access_token, issued2.access_token, basicOf(account.clientId, account.clientSecret).slice(6))
    const bearer = (token: string): Promise<Response> => call(V2, { headers: { accept: ATLAS_V2_ACCEPT, authorization: `Bearer ${token}` } })
    assert.equal((await bearer(issued.access_token)).status, 200)
    const revoke = await call('/api/oauth/revoke', {
      method: 'POST',
      headers: { authorization: basicOf(account.clientId, account.clientSecret), 'content-type': FORM },
      body: `token=${issued.access_token}`,
    })
    assert.equal(revoke.status, 200)
    assert.equal((await bearer(issued.access_token)).status, 401)
    const wrongSecret = 'mdb_sa_sk_wrong-secret-never-logged'
    secrets.push(wrongSecret)
    assert.equal((await tokenOf(account.clientId, wrongSecret)).status, 401)
    const querySecret = 'mdb_sa_sk_query-secret-never-logged'
    secrets.push(querySecret)
    await call(`/api/oauth/token?client_id=${account.clientId}&client_secret=${querySecret}`, { method: 'POST', headers: { 'content-type': FORM }, body: 'grant_type=client_credentials' })
    await call(`/api/oauth/token?client_secret=${querySecret}`)

    // Metrics with and without its token.
    assert.equal((await call('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200)
    assert.equal((await call('/metrics')).status, 401)

    // The log is structured and follows requests by their id.
    const traced = await call('/healthz', { headers: { 'x-request-id': 'trace-me-42' } })
    assert.equal(traced.headers.get('x-request-id'), 'trace-me-42')
  } finally {
    server.child.kill('SIGTERM')
  }
  assert.equal((await server.exited).code, 0)

  const stdout = server.stdout()
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
  assert.ok(lines.some((line) => line['reqId'] === 'trace-me-42' && line['msg'] === 'request' && line['url'] === '/healthz'), 'no access line for the traced request')
  assert.ok(lines.filter((line) => line['msg'] === 'request').length >= 20)
  for (const line of lines.filter((l) => l['msg'] === 'request' || l['msg'] === 'authentication failed')) assert.equal(typeof line['reqId'], 'string')
  assert.ok(stdout.includes('"url":"/api/oauth/token"'), 'the token endpoint calls were logged (path only)')
  const everything = [stdout, server.stderr(), ...cliErrors].join('\n')
  for (const secret of secrets) {
    assert.ok(secret.length >= 8)
    assert.equal(everything.includes(secret), false, `a secret reached the logs: ${secret.slice(0, 6)}…`)
  }
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('the PostgreSQL password of the store URL is never logged', why)
} else {
  test('the PostgreSQL password of the store URL is never logged', async () => {
    const schema = freshSchemaName('secrets')
    const password = 'pg-password-never-logged-81f2'
    // The test server trusts local connections, so any password is accepted and none is needed.
    const url = new URL(schemaUrl(schema))
    url.password = password
    try {
      const server = await startServe(['--store', url.toString(), '--log-level', 'trace'])
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200)
      server.child.kill('SIGTERM')
      assert.equal((await server.exited).code, 0)
      assert.match(server.stderr(), /store postgres:\/\/postgres:\*\*\*@/)
      assert.equal(`${server.stdout()}\n${server.stderr()}`.includes(password), false)
    } finally {
      await dropSchema(schema)
    }
  })
}
