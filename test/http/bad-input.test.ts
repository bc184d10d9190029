import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/** Sends raw bytes and collects everything until the server closes or the timeout. */
function rawExchange(port: number, bytes: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(data)
    }, timeoutMs)
    socket.on('data', (chunk) => (data += chunk.toString('latin1')))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(data)
    })
    socket.on('error', reject)
    socket.write(bytes)
  })
}

function jsonOf(response: string): any {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))
}

describe('bad input never answers 500 and never crashes', () => {
  let t: TestApp
  let port: number
  before(async () => {
    t = await startTestApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as { port: number }).port
  })
  after(() => t.close())

  const base = `/api/atlas/v2/groups/${IDS.projectA}/clusters`

  test('odd percent-encodings, unicode, empty and very long segments get their documented errors', async () => {
    const cases: [string, number, string][] = [
      [`/api/atlas/v2/groups/%/clusters/x/backupCheckpoints`, 404, 'INVALID_GROUP_ID'],
      [`/api/atlas/v2/groups/%C0%AF/clusters/x/backupCheckpoints`, 404, 'INVALID_GROUP_ID'],
      [`/api/atlas/v2/groups/%00/clusters/x/backupCheckpoints`, 404, 'INVALID_GROUP_ID'],
      [`${base}/%ZZ/backupCheckpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`${base}/%E2%80%AE/backupCheckpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`${base}//backupCheckpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`${base}/${'a'.repeat(8000)}/backupCheckpoints`, 404, 'CLUSTER_NOT_FOUND'],
      [`${base}/Cluster0/backupCheckpoints/%ff%fe`, 404, 'INVALID_CHECKPOINT_ID'],
      [`${base}/Cluster0/backupCheckpoints/${'0'.repeat(10_000)}`, 404, 'INVALID_CHECKPOINT_ID'],
      [`/api/public/v1.0/groups/${IDS.projectA}/clusters/%%%/checkpoints`, 404, 'INVALID_CLUSTER_ID'],
      [`${base}/Cluster0/backupCheckpoints?pageNum=%zz`, 400, 'INVALID_QUERY_PARAMETER'],
      [`${base}/Cluster0/backupCheckpoints?pretty=%E2%9C%93`, 400, 'INVALID_QUERY_PARAMETER'],
      [`${base}/Cluster0/backupCheckpoints?itemsPerPage=1&itemsPerPage=1`, 400, 'INVALID_QUERY_PARAMETER'],
      [`/api/%zz`, 404, 'RESOURCE_NOT_FOUND'],
      [`/%zz/%`, 404, 'RESOURCE_NOT_FOUND'],
    ]
    for (const [url, status, errorCode] of cases) {
      const res = await t.call(url)
      assert.equal(res.status, status, url.slice(0, 120))
      const body = res.json()
      assertSchema('ApiError', body)
      assert.equal(body.errorCode, errorCode, url.slice(0, 120))
    }
  })

  test('echoed values are JSON-escaped and never reach a header', async () => {
    const res = await t.call(`${base}/Cluster0/backupCheckpoints/%22%3Cscript%3E%0D%0AX-Evil:%201`)
    assert.equal(res.status, 404)
    assert.equal(res.json().parameters[0], '"<script>\r\nX-Evil: 1')
    assert.equal(res.headers['x-evil'], undefined)
  })

  test('oversized headers get 431 REQUEST_HEADERS_TOO_LARGE as JSON', async () => {
    const response = await rawExchange(port, `GET ${base}/Cluster0/backupCheckpoints HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    assert.match(response, /^HTTP\/1\.1 431 /)
    const body = jsonOf(response)
    assertSchema('ApiError', body)
    assert.equal(body.errorCode, 'REQUEST_HEADERS_TOO_LARGE')
  })

  test('an oversized URL gets 431 too', async () => {
    const response = await rawExchange(port, `GET ${base}/${'a'.repeat(20_000)}/backupCheckpoints HTTP/1.1\r\nHost: x\r\n\r\n`)
    assert.match(response, /^HTTP\/1\.1 431 /)
  })

  test('a malformed request line gets 400 MALFORMED_REQUEST as JSON', async () => {
    for (const bytes of ['NOT A REQUEST\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET ${base} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`]) {
      const response = await rawExchange(port, bytes)
      assert.match(response, /^HTTP\/1\.1 400 /, bytes)
      assert.equal(jsonOf(response).errorCode, 'MALFORMED_REQUEST')
    }
  })

  test('a truncated request does not hang the server for others', async () => {
    const socket = connect(port, '127.0.0.1')
    socket.write(`GET ${base}/Cluster0/backupCheckpoints HTTP/1.1\r\nHost: x\r\n`)
    const res = await fetch(`http://127.0.0.1:${port}/`)
    assert.equal(res.status, 404)
    socket.destroy()
  })

  test('the server still answers after all of the above', async () => {
    const res = await t.call(`${base}/Cluster0/backupCheckpoints?itemsPerPage=1`)
    assert.equal(res.status, 200)
  })
})
