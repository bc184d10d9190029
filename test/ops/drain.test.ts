import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runWaymark } from '../helpers/cli-process.js'
import { IDS } from '../helpers/fixtures.js'
import { startServe, type ServeProcess } from './serve-process.js'

const LIST = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function answer(url: string): Promise<{ status: number; connection: string | null; body: string }> {
  const res = await fetch(url)
  return { status: res.status, connection: res.headers.get('connection'), body: await res.text() }
}

/** Signals `server` and resolves with how long it took to exit, and its code. */
async function signalled(server: ServeProcess, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const sent = performance.now()
  server.child.kill(signal)
  const { code, at } = await server.exited
  return { code, ms: at - sent }
}

/**
 * The drain of `waymark serve` (docs/operations.md): on SIGTERM, when something has asked /readyz, /readyz
 * answers 503 at once while everything else is served as usual (with `Connection: close`) for the drain,
 * then the usual shutdown. SIGINT, and a server nothing probes, stop at once.
 */
describe('the drain of waymark serve on SIGTERM', () => {
  test('/readyz 503 at once, requests still served with Connection: close, exit after the drain (WAYMARK_DRAIN_SECONDS)', async (t) => {
    const server = await startServe(['--demo', '--store', 'sqlite::memory:'], { WAYMARK_DRAIN_SECONDS: '1.5' })
    assert.equal((await answer(`${server.url}/readyz`)).status, 200)
    const sent = performance.now()
    server.child.kill('SIGTERM')
    await sleep(100)
    const ready = await answer(`${server.url}/readyz`)
    assert.deepEqual(ready, { status: 503, connection: 'close', body: '{"status":"SHUTTING_DOWN"}' })
    // A new connection, through Fastify (/healthz) and through the direct API path: served, and closed after.
    assert.deepEqual(await answer(`${server.url}/healthz`), { status: 200, connection: 'close', body: '{"status":"OK"}' })
    const api = await answer(server.url + LIST)
    assert.equal(api.status, 401)
    assert.equal(api.connection, 'close')
    await sleep(1_000)
    assert.equal(server.child.exitCode, null, 'still serving during the drain')
    assert.equal((await answer(`${server.url}/healthz`)).status, 200)
    const { code, at } = await server.exited
    const ms = at - sent
    t.diagnostic(`exited ${Math.round(ms)} ms after SIGTERM with a 1.5 s drain`)
    assert.equal(code, 0)
    assert.ok(ms >= 1_500 && ms < 3_500, `exited ${Math.round(ms)} ms after SIGTERM`)
    assert.match(server.stderr(), /waymark: SIGTERM: draining: \/readyz answers 503, requests are served for 1\.5 s more/)
    assert.match(server.stdout(), /"drainSeconds":1\.5,"msg":"draining"/)
  })

  test('a second SIGTERM ends the drain at once', async () => {
    const server = await startServe(['--store', 'sqlite::memory:', '--drain-seconds', '60'])
    await answer(`${server.url}/readyz`)
    server.child.kill('SIGTERM')
    await sleep(300)
    assert.equal(server.child.exitCode, null)
    const { code, ms } = await signalled(server, 'SIGTERM')
    assert.equal(code, 0)
    assert.ok(ms < 2_000, `exited ${Math.round(ms)} ms after the second SIGTERM`)
  })

  test('no drain on SIGINT, nor when nothing ever asked /readyz', async () => {
    const interrupted = await startServe(['--store', 'sqlite::memory:', '--drain-seconds', '60'])
    await answer(`${interrupted.url}/readyz`)
    const ctrlC = await signalled(interrupted, 'SIGINT')
    assert.equal(ctrlC.code, 0)
    assert.ok(ctrlC.ms < 2_000, `SIGINT: exited after ${Math.round(ctrlC.ms)} ms`)
    assert.doesNotMatch(interrupted.stderr(), /draining/)

    const unprobed = await startServe(['--store', 'sqlite::memory:', '--drain-seconds', '60'])
    await answer(`${unprobed.url}/healthz`)
    const term = await signalled(unprobed, 'SIGTERM')
    assert.equal(term.code, 0)
    assert.ok(term.ms < 2_000, `SIGTERM, /readyz never asked: exited after ${Math.round(term.ms)} ms`)
    assert.doesNotMatch(unprobed.stderr(), /draining/)
  })

  test('a drain that is not a number of seconds from 0 to 3600 is a usage error', async () => {
    for (const value of ['soon', '-1', '3601']) {
      const res = await runWaymark(['serve', '--drain-seconds', value, '--store', 'sqlite::memory:'])
      assert.equal(res.code, 2)
      assert.equal(res.stderr, `waymark: the drain (--drain-seconds) must be a number of seconds from 0 to 3600, got "${value}"\n`)
    }
  })
})
