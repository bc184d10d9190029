import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * Issue 13, item 3: a declared body that does not arrive held the socket for ever, also after the route
 * had answered; about 20,000 such sockets exhausted the file descriptors. Now a body must arrive within
 * the body deadline (here 1.5 s; 30 s by default) or is answered 408 REQUEST_TIMEOUT and closed, a route
 * that has answered closes the connection at once, and connections beyond the cap are refused.
 */
const ADMIN_TOKEN = 'slow-bodies-admin-token'
const DEADLINE_S = 1.5

interface Exchange {
  /** Everything the server sent before it closed the connection. */
  readonly text: string
  /** Milliseconds from the headers sent to the first byte of the answer, and to the close. */
  readonly answeredMs: number | undefined
  readonly closedMs: number
}

/**
 * Sends `head` (request line and headers), then a body byte every `trickleMs` (never, when undefined),
 * and waits until the server closes the connection (or `giveUpMs`).
 */
function exchange(port: number, head: string, trickleMs?: number, giveUpMs = 15_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const started = performance.now()
    let text = ''
    let answeredMs: number | undefined
    let trickle: NodeJS.Timeout | undefined
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs)
    socket.on('connect', () => {
      socket.write(head)
      if (trickleMs !== undefined) trickle = setInterval(() => socket.writable && socket.write('a'), trickleMs)
    })
    socket.on('data', (chunk: Buffer) => {
      answeredMs ??= performance.now() - started
      text += chunk.toString()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearInterval(trickle)
      clearTimeout(giveUp)
      resolve({ text, answeredMs, closedMs: performance.now() - started })
    })
    socket.on('timeout', reject)
  })
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
const jsonOf = (text: string): { errorCode?: string; error?: unknown } => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as object

describe('request bodies that do not arrive', () => {
  let t: TestApp
  let port: number
  before(async () => {
    t = await startTestApp({ env: { WAYMARK_BODY_TIMEOUT_SECONDS: String(DEADLINE_S), WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN } })
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  after(() => t.close())

  test('POST /api/oauth/token with Content-Length 16000 and no body byte: 408 REQUEST_TIMEOUT JSON at the deadline, closed', async (c) => {
    const head =
      `POST /api/oauth/token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      'Authorization: Basic bWRiX3NhX2lkXzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDpzZWNyZXRzZWNyZXQ=\r\nContent-Length: 16000\r\n\r\n'
    const { text, answeredMs, closedMs } = await exchange(port, head)
    assert.equal(statusOf(text), 408, text)
    assert.match(text, /\r\nconnection: close\r\n/i)
    assert.equal(jsonOf(text).errorCode, 'REQUEST_TIMEOUT')
    assert.ok(answeredMs !== undefined && answeredMs >= DEADLINE_S * 1000 - 50 && answeredMs < DEADLINE_S * 1000 + 2_000, `answered after ${answeredMs} ms`)
    assert.ok(closedMs < DEADLINE_S * 1000 + 2_500, `closed after ${closedMs} ms`)
    c.diagnostic(`408 after ${answeredMs.toFixed(0)} ms, closed after ${closedMs.toFixed(0)} ms (deadline ${DEADLINE_S * 1000} ms)`)
  })

  test('the same trickled a byte at a time: still 408 at the deadline', async () => {
    const head = `POST /api/oauth/revoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 16000\r\n\r\n`
    const { text, answeredMs } = await exchange(port, head, 100)
    assert.equal(statusOf(text), 408, text)
    assert.ok(answeredMs !== undefined && answeredMs < DEADLINE_S * 1000 + 2_000, `answered after ${answeredMs} ms`)
  })

  test('the admin API reading a trickled body: 408 at the deadline', async () => {
    const head = `POST /_admin/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`
    const { text } = await exchange(port, head, 100)
    assert.equal(statusOf(text), 408, text)
    assert.equal(jsonOf(text).errorCode, 'REQUEST_TIMEOUT')
  })

  const answeredEarly: Array<[string, string, number]> = [
    ['an API path', `POST /api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`, 405],
    ['an unknown path', 'POST /nowhere/at/all', 404],
    ['an admin path without the token', 'POST /_admin/v1/orgs', 401],
    ['the token endpoint without a form', 'POST /api/oauth/token', 400],
    ['an undecodable URL', 'POST /api/%zz', 404],
  ]
  for (const [what, line, status] of answeredEarly) {
    test(`${what}, body trickled: answered at once and the connection closed right after`, async (c) => {
      const head = `${line} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`
      const { text, answeredMs, closedMs } = await exchange(port, head, 50)
      assert.equal(statusOf(text), status, text)
      assert.match(text, /\r\nconnection: close\r\n/i)
      assert.ok(answeredMs !== undefined && answeredMs < 1_000, `answered after ${answeredMs} ms`)
      assert.ok(closedMs - answeredMs < 500, `closed ${closedMs - answeredMs} ms after the answer`)
      c.diagnostic(`answered after ${answeredMs.toFixed(0)} ms, closed ${(closedMs - answeredMs).toFixed(0)} ms later`)
    })
  }

  test('a body that arrives in time is served as before, on a kept-alive connection', async () => {
    const body = 'grant_type=client_credentials'
    const head = `POST /api/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`
    const socket = connect(port, '127.0.0.1')
    const text = await new Promise<string>((resolve) => {
      let received = ''
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString()
        if (received.includes('}')) resolve(received)
      })
      socket.write(head)
      setTimeout(() => socket.write(body), 300)
    })
    assert.equal(statusOf(text), 401, text)
    assert.doesNotMatch(text, /connection: close/i)
    await new Promise((resolve) => setTimeout(resolve, DEADLINE_S * 1000 + 300))
    assert.equal(socket.destroyed, false, 'the deadline does not close a connection whose body arrived')
    socket.destroy()
  })
})

describe('a body the route is slow to read', () => {
  test('is not timed out: only the time spent waiting for the client counts (a fixture loads in longer than the deadline)', async (t) => {
    const app = await startTestApp({ env: { WAYMARK_BODY_TIMEOUT_SECONDS: '0.3', WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN } })
    t.after(() => app.close())
    await app.app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.app.server.address() as AddressInfo
    const clusterId = '65a1f0c2e4b0a1b2c3d4e5aa'
    const part = (name: string, at: string) => ({ typeName: 'REPLICA_SET', replicaSetName: name, shardName: name, tokenDiscovered: true, tokenTimestamp: { date: at, increment: 1 } })
    const checkpoints = Array.from({ length: 3000 }, (_, i) => {
      const at = new Date(Date.UTC(2020, 0, 1) + i * 900_000).toISOString().replace('.000Z', 'Z')
      return { id: `5f2a${i.toString(16).padStart(20, '0')}`, clusterId, groupId: IDS.projectA, started: at, completed: at, timestamp: at, restorable: true, parts: Array.from({ length: 8 }, (_, s) => part(`slowread-${s}`, at)) }
    })
    const document = JSON.stringify({
      clusters: [{ id: clusterId, groupId: IDS.projectA, name: 'SlowRead', type: 'REPLICASET', backup: 'LEGACY', featureCompatibilityVersion: '4.0', shards: [{ shardName: 'slowread-0', replicaSetName: 'slowread-0' }] }],
      checkpoints,
    })
    const started = performance.now()
    const res = await fetch(`http://127.0.0.1:${port}/_admin/v1/fixtures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: document,
    })
    const ms = performance.now() - started
    assert.equal(res.status, 200, await res.clone().text())
    t.diagnostic(`${(document.length / 1e6).toFixed(1)} MB loaded in ${ms.toFixed(0)} ms with a 300 ms body deadline`)
    assert.ok(ms > 300, `the load took ${ms} ms: not longer than the deadline, the test proves nothing`)
  })
})

describe('the connection cap', () => {
  test('the connection past the cap is refused with 503 TOO_MANY_CONNECTIONS in JSON; once one closes, the next is served', async (t) => {
    const app = await startTestApp({ env: { WAYMARK_MAX_CONNECTIONS: '3' } })
    t.after(() => app.close())
    await app.app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.app.server.address() as AddressInfo
    const open: Socket[] = []
    for (let i = 0; i < 3; i++) {
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      open.push(socket)
    }
    // The fourth: refused whatever it sends.
    const refused = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`, undefined, 5_000)
    assert.equal(statusOf(refused.text), 503, refused.text)
    assert.equal(jsonOf(refused.text).errorCode, 'TOO_MANY_CONNECTIONS')
    assert.match(refused.text, /\r\nretry-after: 1\r\n/i)
    assert.match(refused.text, /\r\nconnection: close\r\n/i)
    // The open ones are served.
    const served = await new Promise<string>((resolve) => {
      open[0]!.on('data', (chunk: Buffer) => resolve(chunk.toString()))
      open[0]!.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`)
    })
    assert.equal(statusOf(served), 200)
    open[1]!.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const next = await exchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    assert.equal(statusOf(next.text), 200, next.text)
    for (const socket of open) socket.destroy()
  })
})
