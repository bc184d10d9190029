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
    const sign = (nc: number) => digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: URL_OM, nonce, nc })
    assert.equal((await b.inject({ url: URL_OM, headers: { authorization: sign(1) } })).statusCode, 200)
    // The same request replayed, to either instance, is refused; the next nc is accepted by the other.
    for (const app of [a, b]) {
      const replay = await app.inject({ url: URL_OM, headers: { authorization: sign(1) } })
      assert.equal(replay.statusCode, 401)
      assert.match(String(replay.headers['www-authenticate']), /^Digest /)
    }
    assert.equal((await a.inject({ url: URL_OM, headers: { authorization: sign(2) } })).statusCode, 200)
    assert.equal((await b.inject({ url: URL_OM, headers: { authorization: sign(2) } })).statusCode, 401)
    assert.equal((await b.inject({ url: URL_OM, headers: { authorization: sign(3) } })).statusCode, 200)

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
