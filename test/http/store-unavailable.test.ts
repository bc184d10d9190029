import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS, TEST_FIXTURE } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import {
  POSTGRES_SERVER,
  dropSchema,
  freshSchemaName,
  reportUnreachable,
  postgresUnreachable,
} from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'

const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5b1', clientSecret: 'mdb_sa_sk_outage-reader-0001' }
const ACCOUNTS = {
  serviceAccounts: [
    { ...READER, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: IDS.orgA, name: 'outage reader', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] },
  ],
}

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.sccc}/checkpoints`
const API_URLS = [V2, `${V2}/${IDS.scccCheckpoint1}`, V1, `${V1}/${IDS.scccCheckpoint2}`, OM, `${OM}/${IDS.scccCheckpoint1}`]

const BODY = {
  detail: 'The service is temporarily unavailable. Please retry later.',
  error: 503,
  errorCode: 'SERVICE_UNAVAILABLE',
  parameters: [],
  reason: 'Service Unavailable',
}
const COMPACT = JSON.stringify(BODY)
const PRETTY = `{
  "detail" : "The service is temporarily unavailable. Please retry later.",
  "error" : 503,
  "errorCode" : "SERVICE_UNAVAILABLE",
  "parameters" : [ ],
  "reason" : "Service Unavailable"
}`
const BASIC = `Basic ${Buffer.from(`${READER.clientId}:${READER.clientSecret}`).toString('base64')}`
const FORM = 'application/x-www-form-urlencoded'

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | number | undefined>
  readonly body: string
  readonly ms: number
}

function assert503(res: Answer, body = COMPACT): void {
  assert.equal(res.status, 503, res.body)
  assert.equal(res.headers['retry-after'], '5')
  assert.equal(res.headers['x-error-code'], 'SERVICE_UNAVAILABLE')
  assert.equal(res.headers['content-type'], 'application/json')
  assert.equal(res.body, body)
  assert.ok(res.ms < 2_000, `answered after ${res.ms} ms`)
}

// Asked before anything else runs, so that no other test's load delays the answer.
const why = await postgresUnreachable()

if (why !== undefined) {
  reportUnreachable('503 SERVICE_UNAVAILABLE while PostgreSQL cannot be reached', why)
} else {
  describe('503 SERVICE_UNAVAILABLE while PostgreSQL cannot be reached', () => {
    const schema = freshSchemaName()
    const lines: string[] = []
    let proxy: TcpProxy
    let store: Store
    let app: FastifyInstance
    let token: string

    const inject = async (url: string, options: { method?: string; headers?: Record<string, string>; payload?: string } = {}): Promise<Answer> => {
      const started = performance.now()
      const res = await app.inject({ method: (options.method ?? 'GET') as 'GET', url, headers: options.headers ?? {}, ...(options.payload !== undefined ? { payload: options.payload } : {}) })
      return { status: res.statusCode, headers: res.headers, body: res.body, ms: performance.now() - started }
    }
    /** A Digest call: the challenge (which needs no store), then the signed request. */
    const call = async (url: string): Promise<Answer> => {
      const accept: Record<string, string> = url.startsWith('/api/atlas/v2/') ? { accept: ATLAS_V2_ACCEPT } : {}
      const challenge = await inject(url, { headers: accept })
      assert.equal(challenge.status, 401)
      const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
      const authorization = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: url, nonce, nc: 1 })
      return inject(url, { headers: { ...accept, authorization } })
    }

    before(async () => {
      proxy = await startTcpProxy(POSTGRES_SERVER)
      store = await openStore(`postgres://postgres@127.0.0.1:${proxy.port}/${POSTGRES_SERVER.database}?schema=${schema}`)
      await store.apply(demoDataSet())
      await loadFixture(TEST_FIXTURE, store)
      await loadFixture(ACCOUNTS, store)
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter((line) => line !== ''))
          done()
        },
      })
      app = await buildApp({ config: loadConfig({ logLevel: 'info' }, {}), store, logger: pino({ level: 'info' }, sink) })
    })
    after(async () => {
      await app?.close()
      await store?.close()
      await proxy?.close()
      await dropSchema(schema)
    })

    test('before the outage: answers 200, /readyz 200, and a token is issued', async () => {
      for (const url of API_URLS) assert.equal((await call(url)).status, 200, url)
      const ready = await inject('/readyz')
      assert.equal(ready.status, 200)
      assert.equal(ready.body, '{"status":"OK","store":"reachable"}')
      const issued = await inject('/api/oauth/token', { method: 'POST', headers: { authorization: BASIC, 'content-type': FORM }, payload: 'grant_type=client_credentials' })
      assert.equal(issued.status, 200, issued.body)
      token = JSON.parse(issued.body).access_token
      assert.equal((await inject(OM, { headers: { authorization: `Bearer ${token}` } })).status, 200)
    })

    test('during the outage: every API route answers 503 with Retry-After, an ApiError body, at once', async () => {
      await proxy.cut()
      for (const url of API_URLS) {
        const res = await call(url)
        assert503(res)
        assertSchema('ApiError', JSON.parse(res.body))
      }
      // A bearer token is checked against the store (revocations) too.
      assert503(await inject(OM, { headers: { authorization: `Bearer ${token}` } }))
    })

    test('during the outage: pretty and envelope apply as for other errors', async () => {
      const pretty = await call(`${V1}?pretty=true`)
      assert503(pretty, PRETTY)
      const enveloped = await call(`${OM}?envelope=true`)
      assert503(enveloped, JSON.stringify({ status: 503, content: BODY }))
      assertSchema('ApiError', JSON.parse(enveloped.body).content)
    })

    test('during the outage: the OAuth token and revoke endpoints answer 503 in the API error format', async () => {
      const issued = await inject('/api/oauth/token', { method: 'POST', headers: { authorization: BASIC, 'content-type': FORM }, payload: 'grant_type=client_credentials' })
      assert503(issued)
      assertSchema('ApiError', JSON.parse(issued.body))
      const revoked = await inject('/api/oauth/revoke', { method: 'POST', headers: { authorization: BASIC, 'content-type': FORM }, payload: `token=${token}` })
      assert503(revoked)
      assert503(await inject('/api/oauth/token?pretty=true', { method: 'POST', headers: { authorization: BASIC, 'content-type': FORM }, payload: 'grant_type=client_credentials' }), PRETTY)
    })

    test('during the outage: /readyz answers 503, /healthz 200; what needs no store is unchanged', async () => {
      const ready = await inject('/readyz')
      assert.equal(ready.status, 503)
      assert.equal(ready.body, '{"status":"UNAVAILABLE","store":"unreachable"}')
      assert.equal(ready.headers['content-type'], 'application/json')
      assert.equal(ready.headers['retry-after'], '5')
      assert.ok(ready.ms < 2_500, `/readyz took ${ready.ms} ms`)
      const health = await inject('/healthz')
      assert.equal(health.status, 200)
      assert.equal(health.body, '{"status":"OK"}')
      assert.equal((await inject('/api/atlas/v2/nowhere')).status, 404)
      const challenge = await inject(OM)
      assert.equal(challenge.status, 401)
      assert.match(String(challenge.headers['www-authenticate']), /^Digest /)
    })

    test('during the outage: each failure is logged as a warning with its request id, none as unexpected', () => {
      const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; reqId?: string; reason?: string })
      const warnings = entries.filter((entry) => entry.msg === 'store unavailable')
      assert.ok(warnings.length >= API_URLS.length + 5, `${warnings.length} warnings`)
      for (const warning of warnings) {
        assert.equal(warning.level, 40)
        assert.ok(warning.reqId)
        assert.match(warning.reason ?? '', /^The store cannot be reached: /)
      }
      assert.deepEqual(entries.filter((entry) => entry.level >= 50 || /unexpected/i.test(entry.msg)), [])
    })

    test('after the outage: the same app answers 200 again by itself', async () => {
      await proxy.restore()
      const started = performance.now()
      let res = await call(V2)
      while (res.status === 503 && performance.now() - started < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        res = await call(V2)
      }
      assert.equal(res.status, 200, res.body)
      assert.equal(JSON.parse(res.body).totalCount, 2)
      for (const url of API_URLS) assert.equal((await call(url)).status, 200, url)
      assert.equal((await inject(OM, { headers: { authorization: `Bearer ${token}` } })).status, 200)
      assert.equal((await inject('/readyz')).status, 200)
    })
  })
}
