import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, beforeEach, describe, test } from 'node:test'
import { signAccessToken } from '../../src/auth/access-tokens.js'
import { hashClientSecret } from '../../src/auth/client-secrets.js'
import { IDS } from '../helpers/fixtures.js'
import { basic, bearerCall, form, getToken, oauthPost, requestToken, revokeToken } from '../helpers/oauth.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

const T0 = Date.parse('2026-11-23T12:00:00Z')
const HOUR = 3_600_000

const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a1', clientSecret: 'mdb_sa_sk_reader-secret-0001' }
const OTHER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a2', clientSecret: 'mdb_sa_sk_other-secret-0002' }
const ROTATED = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a3', clientSecret: 'mdb_sa_sk_current-secret-03' }
const ROTATED_OLD_SECRET = 'mdb_sa_sk_retired-secret-03'
const SPECIAL = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a4', clientSecret: 'p&ss:w=rd +%/é' }

const account = (credentials: { clientId: string; clientSecret: string }, secretExpiresAt = '2030-01-01T00:00:00Z') => ({
  ...credentials,
  secretExpiresAt,
  orgId: IDS.orgA,
  name: credentials.clientId.slice(-4),
  roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }],
})

const FIXTURE = {
  serviceAccounts: [account(READER), account(OTHER), account(ROTATED, '2026-11-23T14:00:00Z'), account(SPECIAL)],
}

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`

const UNAUTHORIZED_BODY =
  '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}'
const INVALID_CLIENT = '{"error":"invalid_client","error_description":"Invalid credentials provided."}'
const INVALID_REQUEST = '{"error":"invalid_request","error_description":"The request is missing a required parameter or is otherwise malformed."}'
const UNSUPPORTED_GRANT = '{"error":"unsupported_grant_type","error_description":"The authorization grant type is not supported by the authorization server."}'

function assertOAuthError(res: CallResult, status: number, body: string): void {
  assert.equal(res.status, status, res.body)
  assert.equal(res.body, body)
  assert.equal(res.headers['content-type'], 'application/json')
  assert.equal(res.headers['cache-control'], 'no-store')
  if (status === 401) assert.equal(res.headers['www-authenticate'], 'Basic realm="MongoDB Cloud"')
  else assert.equal(res.headers['www-authenticate'], undefined)
}

function assertBearerRefused(res: CallResult): void {
  assert.equal(res.status, 401, res.body)
  assert.equal(res.body, UNAUTHORIZED_BODY)
  assert.equal(res.headers['content-type'], 'application/json')
  assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"')
  assertSchema('ApiError', JSON.parse(res.body))
}

function assertServed(res: CallResult, contentType = 'application/json'): void {
  assert.equal(res.status, 200, res.body)
  assert.equal(res.headers['content-type'], contentType)
  const body = res.json()
  assert.ok(body.results.length > 0)
  assert.ok(body.results.every((c: { groupId: string }) => c.groupId === IDS.projectA))
}

function tamper(text: string, at: number): string {
  const c = text[at]
  return `${text.slice(0, at)}${c === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('OAuth 2.0 client credentials for service accounts', () => {
  let t: TestApp
  let clock = T0
  before(async () => {
    t = await startTestApp({ now: () => clock, fixtures: [FIXTURE] })
    const rotated = await t.store.getServiceAccount(ROTATED.clientId)
    assert.ok(rotated)
    const retired = { id: '65a1f0c2e4b0a1b2c3d4e5f3', hash: await hashClientSecret(ROTATED_OLD_SECRET), createdAt: '2025-11-01T00:00:00Z', expiresAt: '2026-11-01T00:00:00Z' }
    await t.store.apply({
      organizations: [],
      projects: [],
      clusters: [],
      checkpoints: [],
      apiKeys: [],
      serviceAccounts: [{ ...rotated, secrets: [...rotated.secrets, retired] }],
    })
  })
  after(() => t.close())
  beforeEach(() => {
    clock = T0
  })

  describe('token endpoint', () => {
    test('good Basic credentials and grant_type=client_credentials answer a bearer token, not cached', async () => {
      const res = await requestToken(t, READER.clientId, READER.clientSecret)
      assert.equal(res.status, 200, res.body)
      assert.equal(res.headers['content-type'], 'application/json')
      assert.equal(res.headers['cache-control'], 'no-store')
      assert.equal(res.headers['pragma'], 'no-cache')
      const body = res.json()
      assert.deepEqual(Object.keys(body), ['access_token', 'expires_in', 'token_type'])
      assert.equal(body.expires_in, 3600)
      assert.equal(body.token_type, 'Bearer')
      assert.match(body.access_token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      assert.equal(res.body, `{"access_token":"${body.access_token}","expires_in":3600,"token_type":"Bearer"}`)
    })

    test('each request gets a new token', async () => {
      const a = await getToken(t, READER.clientId, READER.clientSecret)
      const b = await getToken(t, READER.clientId, READER.clientSecret)
      assert.notEqual(a, b)
    })

    test('a wrong secret, an unknown client or no credentials answer 401 invalid_client with the Basic challenge', async () => {
      assertOAuthError(await requestToken(t, READER.clientId, 'mdb_sa_sk_wrong-secret-0000'), 401, INVALID_CLIENT)
      assertOAuthError(await requestToken(t, READER.clientId, ''), 401, INVALID_CLIENT)
      assertOAuthError(await requestToken(t, 'mdb_sa_id_000000000000000000000000', READER.clientSecret), 401, INVALID_CLIENT)
      assertOAuthError(await requestToken(t, OTHER.clientId, READER.clientSecret), 401, INVALID_CLIENT)
      assertOAuthError(await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials' })), 401, INVALID_CLIENT)
      assertOAuthError(await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: 'Basic !!!' }), 401, INVALID_CLIENT)
    })

    test('an API key is not a client', async () => {
      assertOAuthError(await requestToken(t, 'demoread', '3f1c6a52-8d2e-4b7a-9c41-5e0d2b7f9a13'), 401, INVALID_CLIENT)
    })

    test('another grant with good credentials answers 400 unsupported_grant_type; bad credentials still 401', async () => {
      for (const grant of ['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS']) {
        assertOAuthError(await requestToken(t, READER.clientId, READER.clientSecret, grant), 400, UNSUPPORTED_GRANT)
      }
      assertOAuthError(await requestToken(t, READER.clientId, 'wrong-secret', 'password'), 401, INVALID_CLIENT)
    })

    test('a missing, empty or repeated grant_type answers 400 invalid_request', async () => {
      const auth = { authorization: basic(READER.clientId, READER.clientSecret) }
      for (const body of ['', 'scope=openid', 'grant_type=', form([['grant_type', 'client_credentials'], ['grant_type', 'client_credentials']])]) {
        assertOAuthError(await oauthPost(t, '/api/oauth/token', body, auth), 400, INVALID_REQUEST)
      }
      assertOAuthError(await oauthPost(t, '/api/oauth/token', undefined, auth), 400, INVALID_REQUEST)
    })

    test('a body that is not a form answers 400 invalid_request', async () => {
      const auth = { authorization: basic(READER.clientId, READER.clientSecret) }
      const json = await oauthPost(t, '/api/oauth/token', JSON.stringify({ grant_type: 'client_credentials' }), { ...auth, 'content-type': 'application/json' })
      assertOAuthError(json, 400, INVALID_REQUEST)
      const text = await oauthPost(t, '/api/oauth/token', 'grant_type=client_credentials', { ...auth, 'content-type': 'text/plain' })
      assertOAuthError(text, 400, INVALID_REQUEST)
    })

    test('client credentials in the form body work too', async () => {
      const good = await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials', client_id: READER.clientId, client_secret: READER.clientSecret }))
      assert.equal(good.status, 200, good.body)
      assertServed(await bearerCall(t, V1, good.json().access_token))
      const bad = await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials', client_id: READER.clientId, client_secret: 'not-the-secret' }))
      assertOAuthError(bad, 401, INVALID_CLIENT)
      const noSecret = await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials', client_id: READER.clientId }))
      assertOAuthError(noSecret, 401, INVALID_CLIENT)
    })

    test('Basic credentials are form-urlencoded before encoding (RFC 6749 2.3.1)', async () => {
      assert.equal((await requestToken(t, SPECIAL.clientId, SPECIAL.clientSecret)).status, 200)
      const unencoded = `Basic ${Buffer.from(`${SPECIAL.clientId}:${SPECIAL.clientSecret}`).toString('base64')}`
      const res = await oauthPost(t, '/api/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: unencoded })
      assertOAuthError(res, 401, INVALID_CLIENT)
    })

    test('of two secrets, the unexpired one works and the expired one is invalid_client', async () => {
      assert.equal((await requestToken(t, ROTATED.clientId, ROTATED.clientSecret)).status, 200)
      assertOAuthError(await requestToken(t, ROTATED.clientId, ROTATED_OLD_SECRET), 401, INVALID_CLIENT)
    })

    test('once every secret of the account has expired, by the injected clock, the account is invalid_client', async () => {
      clock = Date.parse('2026-11-23T13:59:59Z')
      assert.equal((await requestToken(t, ROTATED.clientId, ROTATED.clientSecret)).status, 200)
      clock = Date.parse('2026-11-23T14:00:00Z')
      assertOAuthError(await requestToken(t, ROTATED.clientId, ROTATED.clientSecret), 401, INVALID_CLIENT)
      assertOAuthError(await requestToken(t, ROTATED.clientId, ROTATED_OLD_SECRET), 401, INVALID_CLIENT)
    })
  })

  describe('bearer tokens on the API', () => {
    test('one token serves Atlas v2 (versioned Accept), Atlas v1.0 and Ops Manager', async () => {
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      assertServed(await bearerCall(t, V2, token), 'application/vnd.atlas.2023-01-01+json;charset=utf-8')
      assertServed(await bearerCall(t, V1, token))
      assertServed(await bearerCall(t, OM, token))
      assertServed(await t.raw(OM, { authorization: `bearer ${token}` }))
    })

    test('a bearer caller on Atlas v2 still needs the versioned Accept', async () => {
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      const res = await bearerCall(t, V2, token, { accept: 'application/json' })
      assert.equal(res.status, 406)
      assertSchema('ApiError', res.json())
    })

    test('a token expires 3600 s after issue, by the injected clock', async () => {
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      clock = T0 + HOUR - 1
      for (const url of [V2, V1, OM]) assert.equal((await bearerCall(t, url, token)).status, 200)
      clock = T0 + HOUR
      for (const url of [V2, V1, OM]) assertBearerRefused(await bearerCall(t, url, token))
      const fresh = await getToken(t, READER.clientId, READER.clientSecret)
      assert.equal((await bearerCall(t, V2, fresh)).status, 200)
    })

    test('a revoked token is refused at once; another token of the same account still works', async () => {
      const revoked = await getToken(t, READER.clientId, READER.clientSecret)
      const kept = await getToken(t, READER.clientId, READER.clientSecret)
      assert.equal((await bearerCall(t, V2, revoked)).status, 200)
      const res = await revokeToken(t, READER.clientId, READER.clientSecret, revoked)
      assert.equal(res.status, 200)
      assert.equal(res.body, '')
      assert.equal(res.headers['cache-control'], 'no-store')
      for (const url of [V2, V1, OM]) assertBearerRefused(await bearerCall(t, url, revoked))
      assert.equal((await bearerCall(t, V2, kept)).status, 200)
      assert.equal((await revokeToken(t, READER.clientId, READER.clientSecret, revoked)).status, 200)
    })

    test("revoking another account's token answers 200 and does nothing", async () => {
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      const res = await revokeToken(t, OTHER.clientId, OTHER.clientSecret, token)
      assert.equal(res.status, 200)
      assert.equal(res.body, '')
      assert.equal((await bearerCall(t, V2, token)).status, 200)
    })

    test('revoking a garbage token answers 200; no token is invalid_request; bad client credentials are invalid_client', async () => {
      assert.equal((await revokeToken(t, READER.clientId, READER.clientSecret, 'garbage')).status, 200)
      const auth = { authorization: basic(READER.clientId, READER.clientSecret) }
      assertOAuthError(await oauthPost(t, '/api/oauth/revoke', '', auth), 400, INVALID_REQUEST)
      assertOAuthError(await oauthPost(t, '/api/oauth/revoke', 'token=', auth), 400, INVALID_REQUEST)
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      assertOAuthError(await revokeToken(t, READER.clientId, 'wrong-secret', token), 401, INVALID_CLIENT)
      assert.equal((await bearerCall(t, V2, token)).status, 200)
    })

    test('a tampered signature, header or payload, or a token signed with another key, is refused', async () => {
      const token = await getToken(t, READER.clientId, READER.clientSecret)
      const [header = '', payload = '', signature = ''] = token.split('.')
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      const foreignMac = (data: string): string => createHmac('sha256', 'not-the-server-secret').update(data).digest('base64url')
      const longer = b64({ ...claims, exp: claims.exp + 86_400 })
      const forged = [
        `${header}.${payload}.${tamper(signature, 5)}`,
        `${header}.${payload}.${tamper(signature, signature.length - 1)}`,
        `${header}.${payload}.${signature.slice(0, -1)}`,
        `${header}.${payload}.`,
        `${header}.${longer}.${signature}`,
        `${header}.${b64({ ...claims, sub: OTHER.clientId })}.${signature}`,
        `${header}.${longer}.${foreignMac(`${header}.${longer}`)}`,
        `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        `${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`,
        `${token}.x`,
        tamper(token, 10),
      ]
      for (const bad of forged) assertBearerRefused(await bearerCall(t, V2, bad))
      assert.equal((await bearerCall(t, V2, token)).status, 200)
    })

    test('malformed bearer headers are refused with the Bearer challenge', async () => {
      for (const authorization of ['Bearer ', 'Bearer x', 'Bearer a.b.c', `Bearer ${'a'.repeat(5000)}`]) {
        assertBearerRefused(await t.raw(V2, { authorization, accept: 'application/vnd.atlas.2023-01-01+json' }))
      }
    })

    test('a correctly signed token of an account that does not exist is refused', async () => {
      const secret = await t.store.getOrCreateSecret('oauth-token-hmac', () => assert.fail('the token secret should exist'))
      const iat = Math.floor(T0 / 1000)
      const reader = await t.store.getServiceAccount(READER.clientId)
      assert.ok(reader?.secrets[0])
      const subject = { sub: READER.clientId, aid: reader.uid, sid: reader.secrets[0].id }
      const own = signAccessToken(secret, subject, iat, 3600).token
      assert.equal((await bearerCall(t, V2, own)).status, 200)
      const ghost = signAccessToken(secret, { ...subject, sub: 'mdb_sa_id_0123456789abcdef01234567' }, iat, 3600).token
      assertBearerRefused(await bearerCall(t, V2, ghost))
    })
  })
})
