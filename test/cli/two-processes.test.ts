import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'
import { CLI, servingUrl, stopProcess } from '../helpers/cli-process.js'

const CLIENT_ID = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5cc'
const SECRET = 'mdb_sa_sk_two-processes-secret'
const PATH = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`

/**
 * Two `waymark serve` processes on one store, as a team runs them behind a load balancer: whatever one
 * issues (a Digest nonce, an access token) the other honours, and a replay or a revocation on one holds on
 * both.
 */
async function twoProcesses(store: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-two-processes-'))
  const fixture = join(dir, 'fixture.json')
  await writeFile(
    fixture,
    JSON.stringify({ serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: SECRET, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }] }] }),
  )
  // The first loads the demo and the account; the second opens the store as it is.
  const a = spawn(process.execPath, [CLI, 'serve', '--demo', '--fixtures', fixture, '--port', '0', '--store', store, '--log-level', 'silent'])
  const baseA = await servingUrl(a)
  const b = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', store, '--log-level', 'silent'])
  try {
    const baseB = await servingUrl(b)
    const get = (base: string, headers: Record<string, string>) => fetch(base + PATH, { headers }).then(async (r) => ({ status: r.status, body: await r.text(), challenge: r.headers.get('www-authenticate') }))

    const { nonce } = parseChallenge(String((await get(baseA, {})).challenge))
    const sign = (nc: number) => ({ authorization: digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: PATH, nonce, nc }) })
    const first = await get(baseB, sign(1))
    assert.equal(first.status, 200, first.body)
    for (const base of [baseA, baseB]) assert.equal((await get(base, sign(1))).status, 401, 'a replayed nc is refused by both processes')
    assert.equal((await get(baseA, sign(2))).status, 200)
    assert.equal((await get(baseB, sign(2))).status, 401)
    // The same answer from either, but for the host that links name.
    assert.equal((await get(baseA, sign(3))).body.replaceAll(baseA, baseB), first.body)

    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`
    const formHeaders = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }
    const issued = await fetch(`${baseA}/api/oauth/token`, { method: 'POST', headers: formHeaders, body: 'grant_type=client_credentials' })
    assert.equal(issued.status, 200)
    const token = ((await issued.json()) as { access_token: string }).access_token
    const bearer = { authorization: `Bearer ${token}` }
    assert.equal((await get(baseB, bearer)).status, 200)
    const revoked = await fetch(`${baseB}/api/oauth/revoke`, { method: 'POST', headers: formHeaders, body: `token=${token}` })
    assert.equal(revoked.status, 200)
    for (const base of [baseA, baseB]) {
      const after = await get(base, bearer)
      assert.equal(after.status, 401)
      assert.equal(after.challenge, 'Bearer error="invalid_token"')
    }
  } finally {
    await stopProcess(a)
    await stopProcess(b)
    await rm(dir, { recursive: true, force: true })
  }
}

describe('two waymark serve processes on one store', () => {
  test('SQLite file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-two-sqlite-'))
    try {
      await twoProcesses(`sqlite:${join(dir, 'shared.sqlite')}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('two waymark serve processes on one PostgreSQL', why)
} else {
  test('two waymark serve processes on one PostgreSQL', async () => {
    const schema = freshSchemaName('two')
    try {
      await twoProcesses(schemaUrl(schema))
    } finally {
      await dropSchema(schema)
    }
  })
}
