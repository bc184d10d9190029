import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runWaymark, type RunResult } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { startServe, type ServeProcess } from '../ops/serve-process.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`
const READ = `${IDS.projectA}:GROUP_READ_ONLY`

/** `waymark ARGS… --store STORE`, asserting exit 0; its stdout as JSON when `--json` is among the args. */
async function cli(store: string, ...args: string[]): Promise<any> {
  const res = await runWaymark([...args, '--store', store])
  assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`)
  return args.includes('--json') ? JSON.parse(res.stdout) : res.stdout
}

/** A Digest call of the checkpoint list on a running server: challenge, then the answer. */
async function digest(server: ServeProcess, key: { publicKey: string; privateKey: string }): Promise<Response> {
  const challenge = await fetch(`${server.url}${V2}`, { headers: { accept: ATLAS_V2_ACCEPT } })
  const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
  const authorization = digestAuthorization({ credentials: key, method: 'GET', uri: V2, nonce, nc: 1 })
  return fetch(`${server.url}${V2}`, { headers: { accept: ATLAS_V2_ACCEPT, authorization } })
}

async function tokenRequest(server: ServeProcess, clientId: string, secret: string): Promise<Response> {
  return fetch(`${server.url}/api/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
}

async function token(server: ServeProcess, clientId: string, secret: string): Promise<string> {
  const res = await tokenRequest(server, clientId, secret)
  assert.equal(res.status, 200, await res.clone().text())
  return ((await res.json()) as { access_token: string }).access_token
}

function bearer(server: ServeProcess, accessToken: string): Promise<Response> {
  return fetch(`${server.url}${V2}`, { headers: { accept: ATLAS_V2_ACCEPT, authorization: `Bearer ${accessToken}` } })
}

/**
 * The status of `call` once a change made by another process has reached the server: on SQLite the very
 * next request (`settleMs` 0: the file's change counter is read before each request's first cached read);
 * on PostgreSQL within the change notification's latency, bounded by the cache's 1 s maximum age
 * (docs/architecture.md, Storage), so a late notification under load does not fail the test.
 */
async function statusAfterChange(call: () => Promise<Response>, want: number, settleMs: number): Promise<number> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const { status } = await call()
    if (status === want || Date.now() >= deadline) return status
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Each step through the real CLI, each effect checked on a running `waymark serve` on the same store right after. */
async function credentialLifecycle(store: string, settleMs: number): Promise<void> {
  const server = await startServe(['--demo', '--store', store, '--log-level', 'silent'])
  const seen = (call: () => Promise<Response>, want: number): Promise<number> => statusAfterChange(call, want, settleMs)
  try {
    // API keys
    const key = await cli(store, 'apikey', 'create', '--org', IDS.orgA, '--project', READ, '--description', 'CI reader', '--json')
    assert.equal((await digest(server, key)).status, 200)
    const listed = await cli(store, 'apikey', 'list', '--org', IDS.orgA, '--json')
    const entry = listed.results.find((k: { publicKey: string }) => k.publicKey === key.publicKey)
    assert.deepEqual(Object.keys(entry), ['publicKey', 'orgId', 'description', 'roles', 'accessList', 'createdAt'])
    assert.deepEqual(await cli(store, 'apikey', 'show', key.publicKey, '--json'), entry)
    const table = await cli(store, 'apikey', 'list')
    assert.match(table, new RegExp(`^${key.publicKey} +${IDS.orgA} +ORG_MEMBER, GROUP_READ_ONLY@${IDS.projectA} +- +CI reader$`, 'm'))
    assert.equal(table.includes(key.privateKey), false)

    const fenced = await cli(store, 'apikey', 'update', key.publicKey, '--access-list', '192.0.2.1', '--json')
    assert.deepEqual(fenced.accessList, ['192.0.2.1'])
    assert.equal(await seen(() => digest(server, key), 403), 403)
    const refused = await digest(server, key)
    assert.equal(refused.status, 403)
    assert.equal(refused.headers.get('x-error-code'), 'IP_ADDRESS_NOT_ON_ACCESS_LIST')
    const roleless = await cli(store, 'apikey', 'update', key.publicKey, '--no-access-list', '--no-project', '--description', 'parked', '--json')
    assert.deepEqual(roleless, { ...entry, description: 'parked', roles: [{ orgId: IDS.orgA, roleName: 'ORG_MEMBER' }], accessList: [] })
    assert.equal(await seen(() => digest(server, key), 401), 401)
    assert.equal((await digest(server, key)).headers.get('x-error-code'), 'USER_UNAUTHORIZED')
    await cli(store, 'apikey', 'update', key.publicKey, '--project', READ)
    assert.equal(await seen(() => digest(server, key), 200), 200)

    assert.deepEqual(await cli(store, 'apikey', 'delete', key.publicKey, '--json'), { deleted: { ...entry, description: 'parked' } })
    assert.equal(await seen(() => digest(server, key), 401), 401, 'the next request after the CLI deleted the key')
    const gone = await digest(server, key)
    assert.match(String(gone.headers.get('www-authenticate')), /^Digest /)

    // Service accounts
    const account = await cli(store, 'service-account', 'create', '--org', IDS.orgA, '--project', READ, '--name', 'CI', '--json')
    const issued = await token(server, account.clientId, account.clientSecret)
    assert.equal((await bearer(server, issued)).status, 200)
    const [first] = (await cli(store, 'service-account', 'show', account.clientId, '--json')).secrets
    const added = await cli(store, 'service-account', 'secret', 'add', account.clientId, '--secret-expires-after-hours', '48', '--json')
    assert.deepEqual(Object.keys(added), ['clientId', 'id', 'createdAt', 'expiresAt', 'clientSecret'])
    assert.equal(Date.parse(added.expiresAt) - Date.parse(added.createdAt), 48 * 3_600_000)
    assert.equal((await tokenRequest(server, account.clientId, added.clientSecret)).status, 200)
    const rotated = await cli(store, 'service-account', 'secret', 'delete', account.clientId, first.id, '--json')
    assert.deepEqual(rotated.secrets.map((s: { id: string }) => s.id), [added.id])
    assert.equal((await tokenRequest(server, account.clientId, account.clientSecret)).status, 401, 'the removed secret gets no token')
    assert.equal(await seen(() => bearer(server, issued), 401), 401, 'a token issued under the removed secret ends with it')
    const current = await token(server, account.clientId, added.clientSecret)
    assert.equal((await bearer(server, current)).status, 200)
    const renamed = await cli(store, 'service-account', 'update', account.clientId, '--name', 'CI 2', '--access-list', '192.0.2.1', '--json')
    assert.equal(renamed.name, 'CI 2')
    assert.equal(await seen(() => bearer(server, current), 403), 403)
    await cli(store, 'service-account', 'update', account.clientId, '--no-access-list')
    assert.equal(await seen(() => bearer(server, current), 200), 200)
    assert.match(await cli(store, 'service-account', 'list'), new RegExp(`^${account.clientId} +CI 2 +${IDS.orgA} .* 1$`, 'm'))

    const deleted = await cli(store, 'service-account', 'delete', account.clientId, '--json')
    assert.equal(deleted.deleted.clientId, account.clientId)
    assert.equal(await seen(() => bearer(server, current), 401), 401, 'the next request after the CLI deleted the account')
    assert.equal((await tokenRequest(server, account.clientId, added.clientSecret)).status, 401)
    assert.deepEqual((await cli(store, 'service-account', 'list', '--json')).results, [])
  } finally {
    server.child.kill('SIGTERM')
    await server.exited
  }
}

describe('credentials managed from the CLI', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-credentials-cli-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('on SQLite: create, list, show, update, secret add/delete, delete; a running server sees each at once', async () => {
    await credentialLifecycle(`sqlite:${join(dir, 'lifecycle.sqlite')}`, 0)
  })

  test('unknown records and refused fields name the store and the option, and write nothing', async () => {
    const store = `sqlite:${join(dir, 'refusals.sqlite')}`
    assert.equal((await runWaymark(['migrate', '--store', store])).code, 0)
    const oneLine = (res: RunResult): string => {
      assert.equal(res.code, 1, res.stderr)
      assert.equal(res.stdout, '')
      return res.stderr
    }
    const unknown = oneLine(await runWaymark(['apikey', 'delete', 'nosuchky', '--store', store]))
    assert.equal(unknown, `waymark: No API key with public key nosuchky exists in the store ${store} (from --store); name another store with --store URL or WAYMARK_STORE=URL.\n`)
    const wrongProject = oneLine(await runWaymark(['apikey', 'create', '--org', IDS.orgA, '--project', READ, '--store', store]))
    assert.match(wrongProject, /^waymark: apikey create: refused, nothing was written:\n/)
    assert.match(wrongProject, new RegExp(`^  --org ${IDS.orgA}: ${IDS.orgA} is not an organization in the store ${store} \\(from --store\\)$`, 'm'))
    assert.match(wrongProject, new RegExp(`^  --project ${READ}: ${IDS.projectA} is not a project in the store ${store} \\(from --store\\)$`, 'm'))
    assert.doesNotMatch(wrongProject, /roles\[|this file/)
    assert.deepEqual(JSON.parse((await runWaymark(['apikey', 'list', '--json', '--store', store])).stdout), { results: [], totalCount: 0 })
    const nothing = await runWaymark(['service-account', 'update', 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a1', '--store', store])
    assert.equal(nothing.code, 2)
    assert.match(nothing.stderr, /nothing to change/)
  })
})

describe('credentials managed from the CLI on PostgreSQL', async () => {
  const why = await postgresUnreachable()
  if (why !== undefined) return reportUnreachable('credentials managed from the CLI on PostgreSQL', why)
  const schema = freshSchemaName('cli_creds')
  after(() => dropSchema(schema))
  test('create, list, show, update, secret add/delete, delete; a running server sees each at once', async () => {
    await credentialLifecycle(schemaUrl(schema), 1_000)
  })
})
