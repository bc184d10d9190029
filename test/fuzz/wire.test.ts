import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { caseCount, fuzzSettings } from '../helpers/fuzz-prng.js'
import { runProperty, startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js'
import { runCutOrSlowCase, runKeepAliveCase, runMalformedCase, runOversizedCase } from '../helpers/fuzz-wire-cases.js'

const settings = fuzzSettings()

describe('fuzz: the wire, below HTTP semantics (real sockets, SQLite)', () => {
  let server: FuzzServer
  before(async () => {
    server = await startFuzzServer({ admin: true })
  })
  after(() => server.close())

  test('oversized request lines and headers: 431 REQUEST_HEADERS_TOO_LARGE as JSON, connection closed', async () => {
    await runProperty('oversized', settings, caseCount(settings, 120), 4, (rng) => runOversizedCase(server, rng))
    await server.assertServes()
  })

  test('request lines, headers and framing Node refuses: 400 MALFORMED_REQUEST as JSON, connection closed', async () => {
    await runProperty('malformed', settings, caseCount(settings, 250), 4, (rng) => runMalformedCase(server, rng))
    await server.assertServes()
  })

  test('requests cut off part way or trickled byte by byte: answered or closed, never 5xx, never a hang', async () => {
    await runProperty('cut or slow', settings, caseCount(settings, 80), 8, (rng) => runCutOrSlowCase(server, rng))
    await server.assertServes()
  })

  test('pipelined requests on one kept-alive connection: each answered in order; a refused one ends the connection', async () => {
    await runProperty('keep-alive', settings, caseCount(settings, 120), 4, (rng) => runKeepAliveCase(server, rng))
    await server.assertServes()
  })

  test('a hundred connections idle mid-headers do not stop the server answering others', async () => {
    const idle: Socket[] = []
    try {
      for (let i = 0; i < 100; i++) {
        const socket = connect(server.port, '127.0.0.1')
        socket.on('error', () => undefined)
        socket.write(`GET /api/atlas/v2/groups/x HTTP/1.1\r\nHost: x\r\nX-Slow: ${i}`)
        idle.push(socket)
      }
      const started = Date.now()
      for (let i = 0; i < 5; i++) await server.assertServes()
      assert.ok(Date.now() - started < 5_000, 'good requests are answered promptly')
    } finally {
      for (const socket of idle) socket.destroy()
    }
    await server.assertServes()
  })
})
