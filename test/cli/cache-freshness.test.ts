import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { POSTGRES_CACHE_TTL_MS, openStore } from '../../src/storage/open-store.js'
import { CLI, servingUrl, stopProcess } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'

const LIST = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`

/**
 * A `waymark serve` keeps API keys, projects, clusters (and, on SQLite, checkpoints, pages and
 * revocations) in memory (src/storage/cached-store.ts). Another process changing the store must be seen:
 * on SQLite by the very next request (PRAGMA data_version), on PostgreSQL within POSTGRES_CACHE_TTL_MS.
 */
async function changesByAnotherProcess(store: string, bound: number): Promise<void> {
  const seed = await openStore(store)
  await seed.apply(demoDataSet())
  await seed.close()
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', store, '--log-level', 'silent', '--no-rate-limit'])
  const base = await servingUrl(server)
  try {
    const call = async (path: string): Promise<{ status: number; body: string }> => {
      const challenge = await fetch(base + path)
      await challenge.arrayBuffer()
      const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
      const authorization = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: path, nonce, nc: 1 })
      const res = await fetch(base + path, { headers: { authorization } })
      return { status: res.status, body: await res.text() }
    }
    /** The first answer `accept`s, asked for until `bound` ms after the change (and at least once). */
    const within = async (path: string, accept: (answer: { status: number; body: string }) => boolean): Promise<number> => {
      const started = performance.now()
      for (;;) {
        const answer = await call(path)
        const elapsed = performance.now() - started
        if (accept(answer)) return elapsed
        assert.ok(elapsed <= bound, `still ${answer.status} ${answer.body.slice(0, 120)} after ${Math.round(elapsed)} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    // Warm every cache: the key, the project, the cluster, the page.
    const before = await call(LIST)
    assert.equal(before.status, 200, before.body)
    const newest = (JSON.parse(before.body) as { results: Array<{ id: string }>; totalCount: number }).results[0]
    assert.ok(newest)
    const single = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints/${newest.id}`
    assert.equal((await call(single)).status, 200)

    // This test process is the other process: it deletes the newest checkpoint, then the cluster.
    const other = await openStore(store)
    try {
      assert.equal(await other.deleteCheckpoint(IDS.cluster0, newest.id), true)
      await within(single, (answer) => answer.status === 404)
      await within(LIST, (answer) => answer.status === 200 && JSON.parse(answer.body).results[0].id !== newest.id)

      await other.deleteCluster(IDS.projectA, IDS.cluster0)
      await within(LIST, (answer) => answer.status === 404 && answer.body.includes('CLUSTER_NOT_FOUND'))

      // And an API key deleted elsewhere stops working.
      await other.deleteApiKey(KEYS.demoread.publicKey)
      await within(LIST, (answer) => answer.status === 401)
    } finally {
      await other.close()
    }
  } finally {
    await stopProcess(server)
  }
}

describe('a serving process sees changes another process makes to its store', () => {
  test('SQLite: at the very next request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-cache-'))
    try {
      await changesByAnotherProcess(`sqlite:${join(dir, 'shared.sqlite')}`, 0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('a serving process sees changes another process makes to PostgreSQL', why)
} else {
  test(`PostgreSQL: within ${POSTGRES_CACHE_TTL_MS} ms`, async () => {
    const schema = freshSchemaName('cache')
    try {
      // The bound, plus a request's own time on a loaded machine.
      await changesByAnotherProcess(schemaUrl(schema), POSTGRES_CACHE_TTL_MS + 500)
    } finally {
      await dropSchema(schema)
    }
  })
}
