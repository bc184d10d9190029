import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { basic, form, oauthPost } from '../helpers/oauth.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/** Issue 13, item 6: requests RFC 9112 and RFC 6749 refuse, which Waymark served or dropped without a word. */
const CLIENT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5d1', clientSecret: 'mdb_sa_sk_hostile-requests-0001' }
const FIXTURE = {
  serviceAccounts: [{ ...CLIENT, orgId: IDS.orgA, roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] }],
}
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`

/** Writes `bytes` on a fresh connection and reads until the server closes it (or 5 s pass). */
function rawExchange(port: number, bytes: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes))
    let text = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ text, closed: false })
    }, 5_000)
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ text, closed: true })
    })
  })
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
const bodyOf = (text: string): Record<string, unknown> => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>

describe('hostile requests', () => {
  let t: TestApp
  let port: number
  before(async () => {
    t = await startTestApp({ fixtures: [FIXTURE] })
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  after(() => t.close())

  for (const [what, target] of [
    ['an API call', V1],
    ['/healthz', '/healthz'],
    ['an unknown path', '/nowhere'],
  ] as const) {
    test(`two Host headers on ${what}: 400 MALFORMED_REQUEST in JSON, connection closed (RFC 9112 §3.2)`, async () => {
      const { text, closed } = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n`)
      assert.equal(statusOf(text), 400, text)
      assert.equal(bodyOf(text)['errorCode'], 'MALFORMED_REQUEST')
      assert.match(text, /\r\ncontent-type: application\/json\r\n/i)
      assert.equal(closed, true)
    })
  }

  test('one Host (any case) is served as before', async () => {
    const { text } = await rawExchange(port, `GET /healthz HTTP/1.1\r\nhOsT: a.example\r\nConnection: close\r\n\r\n`)
    assert.equal(statusOf(text), 200, text)
  })

  test('CONNECT gets 405 METHOD_NOT_ALLOWED in JSON with Allow, then the connection closes', async () => {
    for (const target of ['example.com:443', '/api/atlas/v2/groups']) {
      const { text, closed } = await rawExchange(port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`)
      assert.equal(statusOf(text), 405, text)
      assert.match(text, /\r\nallow: GET, HEAD, POST, PATCH, DELETE\r\n/i)
      assert.deepEqual(bodyOf(text), {
        detail: `Method CONNECT is not allowed for resource ${target}.`,
        error: 405,
        errorCode: 'METHOD_NOT_ALLOWED',
        parameters: ['CONNECT', target],
        reason: 'Method Not Allowed',
      })
      assert.equal(closed, true)
    }
    assert.equal((await t.raw('/healthz')).status, 200)
  })

  describe('the token endpoint takes one client authentication method (RFC 6749 §2.3)', () => {
    const grant = { grant_type: 'client_credentials' }
    const invalidRequest = { error: 'invalid_request', error_description: 'The request is missing a required parameter or is otherwise malformed.' }

    test('a malformed Basic header beside credentials in the form: 400 invalid_request, no token', async () => {
      for (const authorization of ['Basic !!!not-base64', 'Basic ', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer something']) {
        const res = await oauthPost(t, '/api/oauth/token', form({ ...grant, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }), { authorization })
        assert.equal(res.status, 400, `${authorization}: ${res.body}`)
        assert.deepEqual(res.json(), invalidRequest)
      }
    })

    test('good Basic credentials and a client_secret in the form too: 400 invalid_request', async () => {
      const res = await oauthPost(t, '/api/oauth/token', form({ ...grant, client_secret: CLIENT.clientSecret }), {
        authorization: basic(CLIENT.clientId, CLIENT.clientSecret),
      })
      assert.equal(res.status, 400, res.body)
      assert.deepEqual(res.json(), invalidRequest)
    })

    test('either method alone still issues a token; Basic with the client_id repeated in the form too', async () => {
      const viaBasic = await oauthPost(t, '/api/oauth/token', form(grant), { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) })
      assert.equal(viaBasic.status, 200, viaBasic.body)
      const viaForm = await oauthPost(t, '/api/oauth/token', form({ ...grant, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }))
      assert.equal(viaForm.status, 200, viaForm.body)
      const withId = await oauthPost(t, '/api/oauth/token', form({ ...grant, client_id: CLIENT.clientId }), { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) })
      assert.equal(withId.status, 200, withId.body)
      const badBasicAlone = await oauthPost(t, '/api/oauth/token', form(grant), { authorization: 'Basic !!!' })
      assert.equal(badBasicAlone.status, 401, badBasicAlone.body)
      assert.equal(badBasicAlone.json().error, 'invalid_client')
    })
  })
})
