import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { ATLAS_V2_ACCEPT, startTestApp, type TestApp } from '../helpers/test-app.js'
import { sample } from '../ops/metrics-text.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`

interface Answer {
  readonly status: number
  readonly headers: Record<string, unknown>
  readonly body: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Headers that only a real connection has (Node writes them), or that differ on every call. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding'])

function comparable(answer: Answer): Answer {
  const headers: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(answer.headers)) {
    if (TRANSPORT.has(name)) continue
    // Each call takes a token from the project's bucket, gets a new nonce and a new request id: only
    // those values differ (that the id is there, and a UUID, is checked).
    if (name === 'ratelimit-remaining') headers[name] = '…'
    else if (name === 'x-request-id') headers[name] = UUID.test(String(value)) ? 'a UUID' : String(value)
    else headers[name] = name === 'www-authenticate' ? String(value).replace(/nonce="[^"]*"/, 'nonce="…"') : String(value)
  }
  return { status: answer.status, headers, body: answer.body }
}

/**
 * A real server answers the API's GET and HEAD calls without Fastify's routing (src/http/direct-api.ts);
 * `inject` still goes through Fastify. Both must give the same answer to the same request, byte for byte.
 */
describe('API calls over a real connection answer as through Fastify', () => {
  let t: TestApp
  let port: number
  before(async () => {
    t = await startTestApp()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  after(() => t.close())

  const overHttp = (method: string, path: string, headers: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      })
      req.on('error', reject)
      req.end()
    })

  const injected = async (method: string, path: string, headers: Record<string, string>): Promise<Answer> => {
    const res = await t.app.inject({ method: method as 'GET', url: path, headers: { host: `127.0.0.1:${port}`, ...headers } })
    return { status: res.statusCode, headers: res.headers, body: res.body }
  }

  /** Both ways, each answering its own challenge with `key` (null: no credentials). */
  async function both(method: string, path: string, headers: Record<string, string> = {}, key = true): Promise<void> {
    const answers: Answer[] = []
    for (const send of [overHttp, injected]) {
      const first = await send(method, path, headers)
      if (!key || first.status !== 401) {
        answers.push(first)
        continue
      }
      const { nonce } = parseChallenge(String(first.headers['www-authenticate']))
      const authorization = digestAuthorization({ credentials: KEYS.demoread, method, uri: path, nonce, nc: 1 })
      answers.push(await send(method, path, { ...headers, authorization }))
    }
    const [direct, routed] = answers.map((answer) => comparable(answer as Answer))
    assert.deepEqual(direct, routed, `${method} ${path}`)
  }

  test('successes: an entity, a list, pretty and enveloped, HEAD, on each dialect', async () => {
    const accept = { accept: ATLAS_V2_ACCEPT }
    await both('GET', V2, accept)
    await both('GET', `${V2}?pretty=true&itemsPerPage=1&pageNum=2`, accept)
    await both('GET', `${V2}?envelope=true`, accept)
    await both('HEAD', V2, accept)
    await both('GET', `${V1}?itemsPerPage=1`)
    await both('GET', `${OM}?includeCount=false`)
    const first = `${OM}?itemsPerPage=1`
    const list = JSON.parse((await overHttp('GET', first, { authorization: await signed(first) })).body) as { results?: Array<{ id: string }> }
    const id = list.results?.[0]?.id
    assert.ok(id)
    await both('GET', `${OM}/${id}`)
    await both('GET', `${V2}/${id}?pretty=true`, accept)
  })

  test('errors: the challenge, 404s, 406, 400, undecodable and odd URLs', async () => {
    await both('GET', V2, { accept: ATLAS_V2_ACCEPT }, false)
    await both('GET', V2, { accept: 'application/json' })
    await both('GET', '/api/atlas/v2/nowhere', {}, false)
    await both('GET', `/api/atlas/v2/groups/%zz/clusters/Cluster0/backupCheckpoints`, {}, false)
    await both('GET', `${OM}?itemsPerPage=0`)
    await both('GET', `${OM}/0123456789abcdef01234567`)
    await both('GET', `/api/public/v1.0/groups/${IDS.projectA}/clusters/%E0%A4%A/checkpoints`)
    await both('GET', `${OM}?pretty=true&envelope=true&bogus=1`)
    await both('HEAD', '/api/public/v1.0/groups/nope/clusters/x/checkpoints')
  })

  test('answers directly with request ids, and is counted in /metrics like a routed request', async () => {
    const metric = async (labels: Record<string, string>, name = 'waymark_http_requests_total'): Promise<number> =>
      sample((await overHttp('GET', '/metrics', {})).body, name, labels) ?? 0
    const ok = { route: 'atlas_v2_checkpoints', status: '200' }
    const challenged = { route: 'atlas_v2_checkpoints', status: '401' }
    const [okBefore, challengedBefore, missingBefore] = [await metric(ok), await metric(challenged), await metric({ kind: 'no_credentials' }, 'waymark_auth_failures_total')]
    const accept = { accept: ATLAS_V2_ACCEPT }
    const unsigned = await overHttp('GET', V2, accept)
    assert.equal(unsigned.status, 401)
    assert.match(String(unsigned.headers['x-request-id']), UUID)
    const kept = await overHttp('GET', V2, { ...accept, authorization: await signed(V2), 'x-request-id': 'ci-run-42.call-7' })
    assert.equal(kept.status, 200)
    assert.equal(kept.headers['x-request-id'], 'ci-run-42.call-7')
    // signed() was challenged once more: two 401s and one 200 in all.
    assert.equal(await metric(ok), okBefore + 1)
    assert.equal(await metric(challenged), challengedBefore + 2)
    assert.equal(await metric({ kind: 'no_credentials' }, 'waymark_auth_failures_total'), missingBefore + 2)
  })

  /** A signed Authorization for one GET of `path` over the real connection. */
  async function signed(path: string): Promise<string> {
    const challenge = await overHttp('GET', path, {})
    const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
    return digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: path, nonce, nc: 1 })
  }
})
