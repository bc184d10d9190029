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
 * both. A nonce belongs to the process that first accepted it (its lease in the store): sent to the other,
 * it gets the stale=true challenge.
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
    const sign = (nc: number, on = nonce) => ({ authorization: digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: PATH, nonce: on, nc }) })
    const stale = (answer: { challenge: string | null }) => parseChallenge(String(answer.challenge)).stale
    // A nonce issued by A is accepted by B, which leases it by its first use.
    const first = await get(baseB, sign(1))
    assert.equal(first.status, 200, first.body)
    // A replayed nc is refused by both processes: by B as a replay, by A because B holds the lease.
    const replayA = await get(baseA, sign(1))
    assert.equal(replayA.status, 401)
    assert.equal(stale(replayA), 'true')
    const replayB = await get(baseB, sign(1))
    assert.equal(replayB.status, 401)
    assert.equal(stale(replayB), 'false')
    // A new nc sent to A bounces with stale=true (one more round trip for a client); B accepts it.
    const moved = await get(baseA, sign(2))
    assert.equal(moved.status, 401)
    assert.equal(stale(moved), 'true')
    assert.equal((await get(baseB, sign(2))).status, 200)
    // A nc used on A of A's own nonce, then a new nc sent to B: stale=true there, and the replay too.
    const own = parseChallenge(String(moved.challenge)).nonce
    assert.equal((await get(baseA, sign(1, own))).status, 200)
    for (const nc of [2, 1]) {
      const elsewhere = await get(baseB, sign(nc, own))
      assert.equal(elsewhere.status, 401)
      assert.equal(stale(elsewhere), 'true')
    }
    // The same answer from either, but for the host that links name.
    assert.equal((await get(baseA, sign(2, own))).body.replaceAll(baseA, baseB), first.body)

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
