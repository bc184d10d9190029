import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'
import { openStore } from '../../src/storage/open-store.js'
import { IDS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'
import { startServe, type ServeProcess } from './serve-process.js'
import { slowTokenRequest } from './slow-request.js'

/** A service account of the demo organization, loaded with `--fixtures` after the demo. */
const ACCOUNT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5d1', clientSecret: 'mdb_sa_sk_shutdown-test-0001' }
const FIXTURE = {
  serviceAccounts: [
    { ...ACCOUNT, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: IDS.orgA, name: 'shutdown', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] },
  ],
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether a new connection to the server is refused. */
async function refused(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    () => false,
    (error: { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
  )
}

/** A keep-alive connection that has answered once and now sits idle. */
async function idleKeepAlive(url: string): Promise<Agent> {
  const agent = new Agent({ keepAlive: true })
  await new Promise<void>((resolve, reject) => {
    request(`${url}/healthz`, { agent }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
      .on('error', reject)
      .end()
  })
  return agent
}

/**
 * The scenario every store and signal goes through: a request in flight and an idle keep-alive
 * connection when the signal comes; the process waits for the first (new connections refused meanwhile),
 * is not held by the second, and exits 0 right after the answer is complete.
 */
async function inFlightScenario(t: TestContext, server: ServeProcess, signal: NodeJS.Signals): Promise<void> {
  const agent = await idleKeepAlive(server.url)
  const slow = await slowTokenRequest(server.url, ACCOUNT.clientId, ACCOUNT.clientSecret)
  const sent = performance.now()
  server.child.kill(signal)
  await sleep(400)
  assert.equal(server.child.exitCode, null, 'exited with a request in flight')
  assert.equal(await refused(server.url), true, 'a new connection was accepted while shutting down')
  slow.finish()
  const { head, body } = await slow.closed
  const read = performance.now()
  assert.match(head, /^HTTP\/1\.1 200 OK/)
  const length = Number(/content-length: (\d+)/i.exec(head)?.[1])
  assert.equal(Buffer.byteLength(body), length)
  assert.equal(JSON.parse(body).token_type, 'Bearer')
  const { code, at } = await server.exited
  assert.equal(code, 0, server.stderr())
  assert.ok(at - read < 2_000, `exited ${Math.round(at - read)} ms after the answer was read`)
  assert.match(server.stderr(), new RegExp(`${signal}: shutting down`))
  assert.match(server.stderr(), /waymark: stopped in \d+ ms\n/)
  t.diagnostic(`${signal}: answer read ${Math.round(read - sent)} ms after the signal; exit ${Math.round(at - read)} ms after it`)
  agent.destroy()
}

describe('graceful shutdown of waymark serve (SQLite)', () => {
  let dir: string
  let fixture: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-shutdown-'))
    fixture = join(dir, 'account.json')
    await writeFile(fixture, JSON.stringify(FIXTURE))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal}: the request in flight gets its whole answer, new connections are refused, exit 0, the store closed cleanly`, async (t) => {
      const file = join(dir, `${signal}.sqlite`)
      const server = await startServe(['--demo', '--fixtures', fixture, '--store', `sqlite:${file}`])
      await inFlightScenario(t, server, signal)
      // A clean close checkpoints the WAL into the file and removes it.
      assert.equal(existsSync(`${file}-wal`), false, 'the WAL was left behind')
      const store = await openStore(`sqlite:${file}`)
      try {
        await store.ping()
        assert.equal((await store.getApiKey('demoread'))?.publicKey, 'demoread')
      } finally {
        await store.close()
      }
      const lines = server.stdout().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; forcedConnections?: number })
      assert.deepEqual(lines.filter((l) => l.msg === 'shut down').map((l) => l.forcedConnections), [0])
    })
  }

  test('an idle server stops at once', async (t) => {
    const server = await startServe(['--store', `sqlite:${join(dir, 'idle.sqlite')}`])
    const agent = await idleKeepAlive(server.url)
    const sent = performance.now()
    server.child.kill('SIGTERM')
    const { code, at } = await server.exited
    assert.equal(code, 0)
    assert.ok(at - sent < 3_000, `took ${Math.round(at - sent)} ms`)
    t.diagnostic(`idle, one keep-alive connection open: exit ${Math.round(at - sent)} ms after SIGTERM`)
    agent.destroy()
  })

  test('at the deadline, busy connections are closed and the process still exits 0', async (t) => {
    const server = await startServe(['--demo', '--fixtures', fixture, '--store', `sqlite:${join(dir, 'deadline.sqlite')}`, '--shutdown-timeout', '1'])
    const slow = await slowTokenRequest(server.url, ACCOUNT.clientId, ACCOUNT.clientSecret)
    const sent = performance.now()
    server.child.kill('SIGTERM')
    const { code, at } = await server.exited
    assert.equal(code, 0, server.stderr())
    assert.ok(at - sent >= 950 && at - sent < 5_000, `exited ${Math.round(at - sent)} ms after SIGTERM`)
    assert.deepEqual(await slow.closed, { head: '', body: '' })
    assert.match(server.stderr(), /1 busy connection\(s\) closed at the deadline/)
    const warn = server.stdout().trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; forcedConnections?: number }).find((l) => l.level === 40)
    assert.equal(warn?.forcedConnections, 1)
    t.diagnostic(`deadline 1 s: exit ${Math.round(at - sent)} ms after SIGTERM`)
  })

  test('a second signal closes busy connections at once', async (t) => {
    const server = await startServe(['--demo', '--fixtures', fixture, '--store', `sqlite:${join(dir, 'twice.sqlite')}`, '--shutdown-timeout', '60'])
    const slow = await slowTokenRequest(server.url, ACCOUNT.clientId, ACCOUNT.clientSecret)
    server.child.kill('SIGTERM')
    await sleep(300)
    assert.equal(server.child.exitCode, null)
    const second = performance.now()
    server.child.kill('SIGINT')
    const { code, at } = await server.exited
    assert.equal(code, 0)
    assert.ok(at - second < 3_000, `exited ${Math.round(at - second)} ms after the second signal`)
    assert.deepEqual(await slow.closed, { head: '', body: '' })
    t.diagnostic(`second signal: exit ${Math.round(at - second)} ms after it`)
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('graceful shutdown of waymark serve (PostgreSQL)', why)
} else {
  describe('graceful shutdown of waymark serve (PostgreSQL)', () => {
    const schema = freshSchemaName('shutdown')
    let dir: string
    let fixture: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'waymark-shutdown-pg-'))
      fixture = join(dir, 'account.json')
      await writeFile(fixture, JSON.stringify(FIXTURE))
    })
    after(async () => {
      await dropSchema(schema)
      await rm(dir, { recursive: true, force: true })
    })

    test('SIGTERM: the request in flight gets its whole answer, exit 0, the store opens again', async (t) => {
      const server = await startServe(['--demo', '--fixtures', fixture, '--store', schemaUrl(schema)])
      await inFlightScenario(t, server, 'SIGTERM')
      const store = await openStore(schemaUrl(schema))
      try {
        assert.equal((await store.getApiKey('demoread'))?.publicKey, 'demoread')
      } finally {
        await store.close()
      }
    })
  })
}
