import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { openStore } from '../../src/storage/open-store.js'
import { CLI, servingUrl, stopProcess } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS, TEST_FIXTURE } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'

const LIST = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`
const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c2', clientSecret: 'mdb_sa_sk_cache-freshness-0001' }
const FIXTURE = {
  ...TEST_FIXTURE,
  serviceAccounts: [
    { ...READER, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: IDS.orgA, name: 'freshness', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] },
  ],
}
/** How soon a PostgreSQL change made elsewhere must be seen: a notification's latency, plus a loaded machine. */
const POSTGRES_BOUND_MS = 200

interface Answer {
  readonly status: number
  readonly body: string
}

/**
 * A `waymark serve` keeps API keys, projects, clusters, checkpoints, pages and token revocations in memory
 * (src/storage/cached-store.ts). Another process changing the store must be seen: on SQLite by the very
 * next request (PRAGMA data_version), on PostgreSQL within milliseconds (LISTEN/NOTIFY). The changes are
 * made by this test process through a store of its own, and the revocation by a second `waymark serve`.
 */
async function changesByAnotherProcess(t: TestContext, store: string, bound: number): Promise<void> {
  const seed = await openStore(store)
  await seed.apply(demoDataSet())
  await loadFixture(FIXTURE, seed)
  await seed.close()
  const serve = () => spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', store, '--log-level', 'silent', '--no-rate-limit'])
  const server = serve()
  const second = serve()
  try {
    const [base, secondBase] = await Promise.all([servingUrl(server), servingUrl(second)])
    const basic = `Basic ${Buffer.from(`${READER.clientId}:${READER.clientSecret}`).toString('base64')}`
    const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }
    const issued = await fetch(`${base}/api/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials' })
    assert.equal(issued.status, 200)
    const token = ((await issued.json()) as { access_token: string }).access_token

    const digest = async (path: string): Promise<Answer> => {
      const challenge = await fetch(base + path)
      await challenge.arrayBuffer()
      const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
      const authorization = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: path, nonce, nc: 1 })
      const res = await fetch(base + path, { headers: { authorization } })
      return { status: res.status, body: await res.text() }
    }
    const bearer = async (path: string): Promise<Answer> => {
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })
      return { status: res.status, body: await res.text() }
    }
    const timings: string[] = []
    /** The first answer `accept`s, asked for until `bound` ms after the change (and at least once). */
    const within = async (what: string, call: () => Promise<Answer>, accept: (answer: Answer) => boolean): Promise<void> => {
      const started = performance.now()
      for (let calls = 1; ; calls++) {
        const answer = await call()
        const elapsed = performance.now() - started
        if (accept(answer)) {
          timings.push(`${what} ${Math.round(elapsed)} ms (call ${calls})`)
          return
        }
        assert.ok(elapsed <= bound, `${what}: still ${answer.status} ${answer.body.slice(0, 120)} after ${Math.round(elapsed)} ms`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    const json = (answer: Answer): { id: string; restorable: boolean; results: Array<{ id: string }> } => JSON.parse(answer.body)

    // Warm every cache: the key, the account, the revocation, the project, the cluster, the page, the checkpoint.
    const before = await digest(LIST)
    assert.equal(before.status, 200, before.body)
    const newest = json(before).results[0]
    assert.ok(newest)
    const single = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints/${newest.id}`
    assert.equal(json(await digest(single)).restorable, true)
    assert.equal(json(await bearer(single)).restorable, true)

    // This test process is the other process.
    const other = await openStore(store)
    try {
      const stored = await other.getCheckpoint(IDS.cluster0, newest.id)
      assert.ok(stored)
      await other.apply({ ...demoDataSet(), checkpoints: [{ ...stored, restorable: false }] })
      await within('a changed checkpoint', () => bearer(single), (answer) => answer.status === 200 && json(answer).restorable === false)

      const later = new Date(Date.parse(stored.timestamp) + 3_600_000).toISOString().slice(0, 19) + 'Z'
      const added = { ...stored, id: 'fffffffffffffffffffffff0', timestamp: later, started: later, completed: later }
      await other.apply({ ...demoDataSet(), checkpoints: [added] })
      await within('a new checkpoint in a page', () => digest(LIST), (answer) => answer.status === 200 && json(answer).results[0]?.id === added.id)

      assert.equal(await other.deleteCheckpoint(IDS.cluster0, newest.id), true)
      await within('a deleted checkpoint', () => digest(single), (answer) => answer.status === 404)

      // The token is revoked through the second server: the first refuses it.
      const revoked = await fetch(`${secondBase}/api/oauth/revoke`, { method: 'POST', headers: form, body: `token=${token}` })
      assert.equal(revoked.status, 200)
      await within('a revoked token', () => bearer(single), (answer) => answer.status === 401)

      await other.deleteCluster(IDS.projectA, IDS.cluster0)
      await within('a deleted cluster', () => digest(LIST), (answer) => answer.status === 404 && answer.body.includes('CLUSTER_NOT_FOUND'))

      // And an API key deleted elsewhere stops working.
      await other.deleteApiKey(KEYS.demoread.publicKey)
      await within('a deleted key', () => digest(LIST), (answer) => answer.status === 401)
    } finally {
      await other.close()
    }
    t.diagnostic(timings.join('; '))
  } finally {
    await Promise.all([stopProcess(server), stopProcess(second)])
  }
}

describe('a serving process sees changes another process makes to its store', () => {
  test('SQLite: at the very next request', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-cache-'))
    try {
      await changesByAnotherProcess(t, `sqlite:${join(dir, 'shared.sqlite')}`, 0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('a serving process sees changes another process makes to PostgreSQL', why)
} else {
  test(`PostgreSQL: within ${POSTGRES_BOUND_MS} ms (a notification's latency)`, async (t) => {
    const schema = freshSchemaName('cache')
    try {
      await changesByAnotherProcess(t, schemaUrl(schema), POSTGRES_BOUND_MS)
    } finally {
      await dropSchema(schema)
    }
  })
}
