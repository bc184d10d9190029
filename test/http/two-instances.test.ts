import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { openStore } from '../../src/storage/open-store.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { freshStore } from '../helpers/test-store.js'

const CLIENT_ID = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5bb'
const SECRET = 'mdb_sa_sk_two-instances-secret'
const URL_OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`

test('two server instances on one store share nonces, tokens and revocations', async () => {
  const fresh = await freshStore('two')
  const url = fresh.url
  const config = loadConfig({ logLevel: 'silent', store: url }, {})
  const storeA = await openStore(url)
  await storeA.apply(demoDataSet())
  await loadFixture({ serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: SECRET, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }] }] }, storeA)
  const storeB = await openStore(url)
  const a = await buildApp({ config, store: storeA })
  const b = await buildApp({ config, store: storeB })
  try {
    const challenge = await a.inject({ url: URL_OM })
    const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
    const sign = (nc: number, on = nonce) => digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: URL_OM, nonce: on, nc })
    const get = (app: typeof a, authorization: string) => app.inject({ url: URL_OM, headers: { authorization } })
    const stale = (res: Awaited<ReturnType<typeof get>>) => parseChallenge(String(res.headers['www-authenticate'])).stale
    // A nonce issued by one instance is accepted by the other, which leases it by its first use.
    assert.equal((await get(b, sign(1))).statusCode, 200)
    // The same request replayed, to either instance, is refused: by the holder as a replay, by the other
    // because the nonce is leased elsewhere (the stale challenge, as for an expired nonce).
    const replayA = await get(a, sign(1))
    assert.equal(replayA.statusCode, 401)
    assert.equal(stale(replayA), 'true')
    const replayB = await get(b, sign(1))
    assert.equal(replayB.statusCode, 401)
    assert.equal(stale(replayB), 'false')
    // A new nc on the instance without the lease bounces with stale=true; the holder takes it.
    const moved = await get(a, sign(2))
    assert.equal(moved.statusCode, 401)
    assert.equal(stale(moved), 'true')
    assert.equal((await get(b, sign(2))).statusCode, 200)
    assert.equal((await get(b, sign(3))).statusCode, 200)
    // The fresh nonce of the stale challenge is then a's: first used there, refused with stale=true by b.
    const fresh = parseChallenge(String(moved.headers['www-authenticate'])).nonce
    assert.equal((await get(a, sign(1, fresh))).statusCode, 200)
    for (const nc of [1, 2]) {
      const elsewhere = await get(b, sign(nc, fresh))
      assert.equal(elsewhere.statusCode, 401)
      assert.equal(stale(elsewhere), 'true')
    }
    assert.equal((await get(a, sign(2, fresh))).statusCode, 200)

    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`
    const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }
    const issued = await a.inject({ method: 'POST', url: '/api/oauth/token', headers: form, payload: 'grant_type=client_credentials' })
    const bearer = { authorization: `Bearer ${issued.json().access_token}` }
    assert.equal((await b.inject({ url: URL_OM, headers: bearer })).statusCode, 200)
    assert.equal((await a.inject({ url: URL_OM, headers: bearer })).statusCode, 200)

    const revoked = await b.inject({ method: 'POST', url: '/api/oauth/revoke', headers: form, payload: `token=${issued.json().access_token}` })
    assert.equal(revoked.statusCode, 200)
    for (const app of [a, b]) {
      const res = await app.inject({ url: URL_OM, headers: bearer })
      assert.equal(res.statusCode, 401)
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"')
    }
  } finally {
    await a.close()
    await b.close()
    await storeA.close()
    await storeB.close()
    await fresh.drop()
  }
})
