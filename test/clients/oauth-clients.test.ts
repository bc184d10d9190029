import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'
import { CLI, servingUrl } from '../helpers/cli-process.js'

const run = promisify(execFile)
const CLIENT_ID = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5aa'
const CLIENT_SECRET = 'mdb_sa_sk_test-secret-for-the-oauth-clients'
const CHECKPOINT_PATH = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`

const hasPythonRequests = await run('python3', ['-c', 'import requests']).then(
  () => true,
  () => false,
)

/** The MongoDB MCP server's Atlas client, in its own process so that it reads SSL_CERT_FILE as it does in real use. */
const MCP_CLIENT = `
import { ClientCredentialsAuthProvider } from '@mongodb-js/mcp-atlas-api-client'
import { getDefaultHttpClient } from '@mongodb-js/mcp-fetch'
import { NoopLogger } from '@mongodb-js/mcp-core'
const { WM_BASE: baseUrl, WM_ID: clientId, WM_SECRET: clientSecret, WM_PATH: path } = process.env
const httpClient = getDefaultHttpClient()
const auth = new ClientCredentialsAuthProvider({ clientId, clientSecret, baseUrl, userAgent: 'waymark-test', httpClient }, new NoopLogger())
const accept = 'application/vnd.atlas.2025-03-12+json'
const headers = await auth.getAuthHeaders()
const list = await httpClient.fetch(baseUrl + path + '?itemsPerPage=1', { headers: { ...headers, Accept: accept } })
const listBody = await list.json()
const one = await httpClient.fetch(baseUrl + path + '/' + listBody.results[0].id, { headers: { ...headers, Accept: accept } })
const oneBody = await one.json()
await auth.revoke()
const revoked = await httpClient.fetch(baseUrl + path, { headers: { ...headers, Accept: accept } })
console.log(JSON.stringify({ status: one.status, contentType: one.headers.get('content-type'), body: oneBody, afterRevoke: revoked.status }))
`

const PYTHON = `
import json, sys, requests
base, client_id, secret, path, ca = sys.argv[1:6]
token = requests.post(base + "/api/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"}, verify=ca)
access = token.json()["access_token"]
r = requests.get(base + path, params={"itemsPerPage": "2"}, headers={"Authorization": "Bearer " + access, "Accept": "application/vnd.atlas.2023-01-01+json"}, verify=ca)
bad = requests.post(base + "/api/oauth/token", auth=(client_id, "wrong-secret"), data={"grant_type": "client_credentials"}, verify=ca)
print(json.dumps({"token": token.status_code, "tokenBody": {k: v for k, v in token.json().items() if k != "access_token"}, "status": r.status_code, "count": len(r.json()["results"]), "bad": bad.status_code, "badBody": bad.json()}))
`

describe('OAuth clients over HTTPS against `waymark serve --tls-cert --tls-key`', () => {
  let dir: string
  let store: FreshStore
  let server: ChildProcess
  let base: string
  let cert: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-tls-'))
    store = await freshStore('tls')
    cert = join(dir, 'cert.pem')
    const key = join(dir, 'key.pem')
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'])
    const fixture = join(dir, 'service-account.json')
    await writeFile(
      fixture,
      JSON.stringify({ serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, orgId: IDS.orgA, roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] }] }),
    )
    // The reference demo (its clock frozen where it ends): the counts below do not move with the time of day.
    server = spawn(process.execPath, [CLI, 'serve', '--demo', '--clock', '2026-11-01T00:00:00Z', '--freeze-clock', '--fixtures', fixture, '--port', '0', '--store', store.url, '--tls-cert', cert, '--tls-key', key, '--log-level', 'silent'])
    base = await servingUrl(server)
  })
  after(async () => {
    const exited = new Promise((resolve) => server.on('exit', resolve))
    server.kill('SIGTERM')
    await exited
    await rm(dir, { recursive: true, force: true })
    await store.drop()
  })

  test('the MCP server Atlas client gets a token, reads a checkpoint with its 2025-03-12 Accept, and revokes the token', async () => {
    // The client's token and API calls read SSL_CERT_FILE; its revoke() uses Node's global fetch,
    // which trusts NODE_EXTRA_CA_CERTS instead (and swallows the TLS error otherwise).
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', MCP_CLIENT], {
      env: { ...process.env, SSL_CERT_FILE: cert, NODE_EXTRA_CA_CERTS: cert, WM_BASE: base, WM_ID: CLIENT_ID, WM_SECRET: CLIENT_SECRET, WM_PATH: CHECKPOINT_PATH },
    })
    const result = JSON.parse(stdout)
    assert.equal(result.status, 200)
    assert.equal(result.contentType, 'application/vnd.atlas.2023-01-01+json;charset=utf-8')
    assertSchema('ApiAtlasCheckpointView', result.body)
    assert.equal(result.body.clusterId, IDS.cluster0)
    assert.equal(result.afterRevoke, 401)
  })

  test('Python requests posts for a token and calls with the Bearer header', { skip: hasPythonRequests ? false : 'python3 has no requests module' }, async () => {
    const { stdout } = await run('python3', ['-c', PYTHON, base, CLIENT_ID, CLIENT_SECRET, CHECKPOINT_PATH, cert])
    const result = JSON.parse(stdout)
    assert.deepEqual(result, {
      token: 200,
      tokenBody: { expires_in: 3600, token_type: 'Bearer' },
      status: 200,
      count: 2,
      bad: 401,
      badBody: { error: 'invalid_client', error_description: 'Invalid credentials provided.' },
    })
  })

  test('curl gets a token, and Digest keys work over HTTPS too', async () => {
    const token = await run('curl', ['-sS', '--cacert', cert, '-u', `${CLIENT_ID}:${CLIENT_SECRET}`, '-d', 'grant_type=client_credentials', `${base}/api/oauth/token`])
    const access = JSON.parse(token.stdout).access_token as string
    const bearer = await run('curl', ['-sS', '--cacert', cert, '-H', `Authorization: Bearer ${access}`, `${base}/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`])
    assert.equal(JSON.parse(bearer.stdout).totalCount, 672)
    const digest = await run('curl', ['-sS', '--cacert', cert, '--digest', '-u', `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`, '-H', 'Accept: application/vnd.atlas.2023-01-01+json', `${base}${CHECKPOINT_PATH}?itemsPerPage=1`])
    const body = JSON.parse(digest.stdout)
    assert.ok(body.links[0].href.startsWith(`${base}/`))
  })
})
