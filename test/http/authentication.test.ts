import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { ATLAS_V2_ACCEPT, startTestApp, type TestApp } from '../helpers/test-app.js'

const URL_V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`
const ACCEPT = { accept: ATLAS_V2_ACCEPT }
const CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="([A-Za-z0-9+/]{32})", algorithm=MD5, qop="auth", stale=(true|false)$/
const UNAUTHORIZED_BODY =
  '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}'

describe('Digest authentication', () => {
  let t: TestApp
  let clock = Date.parse('2026-11-23T12:00:00Z')
  before(async () => {
    t = await startTestApp({ now: () => clock, nonceLifetimeSeconds: 300 })
  })
  after(() => t.close())

  const challenge = async (): Promise<string> => {
    const res = await t.raw(URL_V2, ACCEPT)
    assert.equal(res.status, 401)
    return parseChallenge(String(res.headers['www-authenticate'])).nonce
  }
  const withAuth = (authorization: string, url = URL_V2) => t.raw(url, { ...ACCEPT, authorization })
  const sign = (nonce: string, nc: number, key: { publicKey: string; privateKey: string } = KEYS.demoread, uri = URL_V2) =>
    digestAuthorization({ credentials: key, method: 'GET', uri, nonce, nc })

  test('an unauthenticated call gets exactly the challenge the Go digest library accepts', async () => {
    const res = await t.raw(URL_V2, ACCEPT)
    assert.equal(res.status, 401)
    const header = String(res.headers['www-authenticate'])
    const match = CHALLENGE.exec(header)
    assert.ok(match, header)
    assert.equal(match[2], 'false')
    assert.equal(res.body, UNAUTHORIZED_BODY)
    assert.equal(res.headers['content-type'], 'application/json')
  })

  test('each challenge carries a new nonce', async () => {
    const nonces = new Set([await challenge(), await challenge(), await challenge()])
    assert.equal(nonces.size, 3)
  })

  test('a good response is accepted', async () => {
    const res = await withAuth(sign(await challenge(), 1))
    assert.equal(res.status, 200)
  })

  test('a wrong private key, an unknown public key or another scheme get the same 401 with a fresh challenge', async () => {
    const nonce = await challenge()
    for (const authorization of [
      sign(nonce, 1, { publicKey: 'demoread', privateKey: '00000000-0000-0000-0000-000000000000' }),
      sign(nonce, 2, { publicKey: 'nobodyxx', privateKey: KEYS.demoread.privateKey }),
      'Basic ZGVtb3JlYWQ6eA==',
      'Digest garbage',
      'Digest ',
      `Digest username="demoread", nonce="${nonce}"`,
    ]) {
      const res = await withAuth(authorization)
      assert.equal(res.status, 401, authorization)
      assert.equal(res.body, UNAUTHORIZED_BODY)
      assert.match(String(res.headers['www-authenticate']), CHALLENGE)
      assert.ok(String(res.headers['www-authenticate']).endsWith('stale=false'))
    }
  })

  test('a failed attempt does not burn the nonce count of the real client', async () => {
    const nonce = await challenge()
    const wrong = await withAuth(sign(nonce, 1, { publicKey: 'demoread', privateKey: '00000000-0000-0000-0000-000000000000' }))
    assert.equal(wrong.status, 401)
    assert.equal((await withAuth(sign(nonce, 1))).status, 200)
  })

  test('a response computed for another URI is refused', async () => {
    const nonce = await challenge()
    const other = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
    const res = await withAuth(sign(nonce, 1, KEYS.demoread, other))
    assert.equal(res.status, 401)
  })

  test('a nonce reused with a growing nc works; a replayed nc fails', async () => {
    const nonce = await challenge()
    for (const nc of [1, 2, 3]) assert.equal((await withAuth(sign(nonce, nc))).status, 200)
    const replay = await withAuth(sign(nonce, 2))
    assert.equal(replay.status, 401)
    assert.match(String(replay.headers['www-authenticate']), CHALLENGE)
  })

  test('the exact same Authorization header sent twice is refused the second time', async () => {
    const header = sign(await challenge(), 1)
    assert.equal((await withAuth(header)).status, 200)
    assert.equal((await withAuth(header)).status, 401)
  })

  test('nc values may arrive out of order, and a fresh nonce may start above 1 (urllib)', async () => {
    const nonce = await challenge()
    for (const nc of [5, 3, 4, 1, 2]) assert.equal((await withAuth(sign(nonce, nc))).status, 200, `nc ${nc}`)
    const fresh = await challenge()
    assert.equal((await withAuth(sign(fresh, 7))).status, 200)
  })

  test('concurrent requests with one nonce all succeed once', async () => {
    const nonce = await challenge()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => withAuth(sign(nonce, 20 - i))))
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200))
  })

  test('an nc far behind the window is refused', async () => {
    const nonce = await challenge()
    assert.equal((await withAuth(sign(nonce, 10_000))).status, 200)
    assert.equal((await withAuth(sign(nonce, 2))).status, 401)
  })

  test('an expired nonce with good credentials is answered stale=true; bad credentials stale=false', async () => {
    const nonce = await challenge()
    clock += 301_000
    const stale = await withAuth(sign(nonce, 1))
    assert.equal(stale.status, 401)
    assert.ok(String(stale.headers['www-authenticate']).endsWith('stale=true'))
    const bad = await withAuth(sign(nonce, 2, { publicKey: 'demoread', privateKey: '00000000-0000-0000-0000-000000000000' }))
    assert.ok(String(bad.headers['www-authenticate']).endsWith('stale=false'))
    const renewed = parseChallenge(String(stale.headers['www-authenticate'])).nonce
    assert.equal((await withAuth(sign(renewed, 1))).status, 200)
  })

  test('a forged nonce is refused', async () => {
    const nonce = await challenge()
    const forged = (nonce[0] === 'A' ? 'B' : 'A') + nonce.slice(1)
    assert.equal((await withAuth(sign(forged, 1))).status, 401)
  })

  test('authentication also guards Ops Manager and Atlas v1.0', async () => {
    for (const url of [
      `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`,
      `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`,
    ]) {
      const res = await t.raw(url)
      assert.equal(res.status, 401)
      assert.equal((await t.raw(url, { authorization: sign(parseChallenge(String(res.headers['www-authenticate'])).nonce, 1, KEYS.demoread, url) })).status, 200)
    }
  })
})
