import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { startTestApp } from '../helpers/test-app.js'

/**
 * Headers trickled past Node's `headersTimeout` used to get 400 MALFORMED_REQUEST; they are a timeout:
 * 408 REQUEST_TIMEOUT, in the API's JSON, and the connection closed. Node checks its timeouts every 30 s,
 * so this waits up to about 31 s (with the timeout lowered to 1 s; the server's default is 60 s).
 */
describe('slow headers', () => {
  test('headers not received in time get 408 REQUEST_TIMEOUT as JSON; the server keeps answering', { timeout: 60_000 }, async (t) => {
    const app = await startTestApp()
    t.after(() => app.close())
    await app.app.listen({ host: '127.0.0.1', port: 0 })
    app.app.server.headersTimeout = 1_000
    const { port } = app.app.server.address() as AddressInfo
    const started = performance.now()
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let text = ''
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
      socket.on('error', reject)
      socket.write(`GET /api/atlas/v2/groups HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)
      // A header line every half second, never the blank line that ends them.
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: yes\r\n'), 500)
      socket.on('close', () => {
        clearInterval(trickle)
        resolve(text)
      })
    })
    const seconds = (performance.now() - started) / 1000
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errorCode: string; error: number; reason: string }
    assert.deepEqual([body.error, body.errorCode, body.reason], [408, 'REQUEST_TIMEOUT', 'Request Timeout'])
    assert.ok(seconds < 45, `answered after ${seconds.toFixed(1)} s`)
    t.diagnostic(`408 after ${seconds.toFixed(1)} s (headersTimeout 1 s; Node checks every 30 s)`)
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200)
  })
})
