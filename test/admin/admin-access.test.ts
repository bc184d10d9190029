import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import pino from 'pino'
import { ServerClock } from '../../src/clock/server-clock.js'
import { ADMIN_OPENAPI } from '../../src/admin/admin-openapi.js'
import { ADMIN_PREFIX, adminRoutesTable } from '../../src/admin/admin-routes.js'
import { adminTokenMatches } from '../../src/admin/admin-token.js'
import { buildApp } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { openStore } from '../../src/storage/open-store.js'
import { ADMIN_TOKEN, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { documentedOperation } from '../helpers/admin-openapi.js'
import { IDS } from '../helpers/fixtures.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** Every documented operation, with its path made concrete (ids of the test data). */
const OPERATIONS = Object.entries(ADMIN_OPENAPI.paths).flatMap(([template]) =>
  ALL_METHODS.filter((m) => documentedOperation(template, m)).map((method) => ({
    method,
    template,
    path: template
      .replace('{orgId}', IDS.orgA)
      .replace('{groupId}', IDS.projectA)
      .replace('{clusterId}', IDS.sccc)
      .replace('{checkpointId}', IDS.scccCheckpoint1)
      .replace('{publicKey}', 'demoread')
      .replace('{clientId}', 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a1'),
  })),
)

const ORG_BODY = JSON.stringify({ name: 'Never' })

async function inject(t: TestApp, method: string, url: string, headers: Record<string, string> = {}, payload?: string) {
  const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) })
  return { status: res.statusCode, headers: res.headers, body: res.body }
}

describe('admin API off (no admin token)', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp()
  })
  after(() => t.close())

  test('every admin path answers exactly as any unknown path, with the token or without', async () => {
    const paths = [...OPERATIONS, { method: 'GET', path: '/nothing' }, { method: 'PUT', path: '/orgs' }, { method: 'GET', path: '/orgs/%zz' }]
    for (const { method, path } of paths) {
      for (const headers of [{}, { authorization: `Bearer ${ADMIN_TOKEN}` }, { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }]) {
        const url = `${ADMIN_PREFIX}${path}`
        const res = await inject(t, method, url, headers, method === 'POST' ? ORG_BODY : undefined)
        const other = await inject(t, method, url.replace('/_admin/', '/_nimda/'), headers, method === 'POST' ? ORG_BODY : undefined)
        assert.equal(res.status, 404, `${method} ${url}`)
        assert.equal(res.body, other.body.replaceAll('/_nimda/', '/_admin/'))
        for (const header of ['content-type', 'x-error-code', 'www-authenticate', 'allow']) {
          assert.equal(res.headers[header], other.headers[header], `${method} ${url} ${header}`)
        }
      }
    }
    assert.equal((await inject(t, 'GET', '/_admin/v1/orgs')).body, '{"detail":"Cannot find resource /_admin/v1/orgs.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":["/_admin/v1/orgs"],"reason":"Not Found"}')
    assert.ok(await t.store.getOrganization(IDS.orgA), 'nothing was deleted')
  })
})

describe('admin API on', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  const assertRefused = (res: { status: number; headers: Record<string, unknown>; body: string }, what: string) => {
    assert.equal(res.status, 401, `${what}: ${res.body}`)
    assert.equal(res.body, '{"detail":"The admin API needs the admin token as a bearer token.","error":401,"errorCode":"ADMIN_UNAUTHORIZED","parameters":[],"reason":"Unauthorized"}')
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="Waymark admin"')
    assert.equal(res.headers['x-error-code'], 'ADMIN_UNAUTHORIZED')
    assert.equal(res.headers['content-type'], 'application/json')
  }

  test('no documented operation works without the admin token, and nothing changes', async () => {
    assert.ok(OPERATIONS.length >= 30)
    for (const { method, path } of OPERATIONS) {
      assertRefused(await t.admin(method, path, method === 'GET' ? undefined : { name: 'x' }, { authorization: null }), `${method} ${path}`)
    }
    assert.ok(await t.store.getOrganization(IDS.orgA))
    assert.ok(await t.store.getApiKey('demoread'))
    assert.equal((await t.store.pageCheckpoints(IDS.sccc, { offset: 0, limit: 5 })).totalCount, 2)
  })

  test('a wrong token, another scheme or a token off by one character is refused', async () => {
    const wrong = [
      'Bearer wrong-token-123',
      `Bearer ${ADMIN_TOKEN}x`,
      `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
      `Bearer ${ADMIN_TOKEN.slice(0, -1)}X`,
      `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
      `Digest username="${ADMIN_TOKEN}"`,
      ADMIN_TOKEN,
      'Bearer',
      'Bearer ',
      `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`,
      '',
    ]
    for (const authorization of wrong) {
      assertRefused(await t.admin('GET', '/orgs', undefined, { authorization }), authorization)
      assertRefused(await t.admin('POST', '/reset', undefined, { authorization }), authorization)
    }
    assert.ok(await t.store.getOrganization(IDS.orgA))
    assert.equal((await t.admin('GET', '/orgs', undefined, { authorization: `bearer ${ADMIN_TOKEN}` })).status, 200)
    assert.equal((await t.admin('GET', '/orgs', undefined, { authorization: `Bearer  ${ADMIN_TOKEN}` })).status, 200)
  })

  test('unknown admin paths ask for the token first, then answer 404; other methods 405', async () => {
    for (const url of ['/_admin', '/_admin/', '/_admin/v1', '/_admin/v1/', '/_admin/v2/orgs', '/_admin/v1/orgs/', '/_admin/v1/clusters']) {
      assertRefused(await inject(t, 'GET', url), url)
      const res = await inject(t, 'GET', url, { authorization: `Bearer ${ADMIN_TOKEN}` })
      assert.equal(res.status, 404, url)
      assert.equal(res.body, `{"detail":"Cannot find resource ${url}.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":["${url}"],"reason":"Not Found"}`)
    }
    const undecodable = '/_admin/v1/orgs/%zz'
    assertRefused(await inject(t, 'GET', undecodable), undecodable)
    const bad = await inject(t, 'GET', undecodable, { authorization: `Bearer ${ADMIN_TOKEN}` })
    assert.equal(bad.status, 404)
    assert.equal(JSON.parse(bad.body).errorCode, 'RESOURCE_NOT_FOUND')
    const put = await t.admin('PUT', `/groups/${IDS.projectA}`, { name: 'x' })
    assert.equal(put.status, 405)
    assert.equal(put.headers['allow'], 'GET, HEAD, PATCH, DELETE')
    assert.equal(put.json().errorCode, 'METHOD_NOT_ALLOWED')
    assert.deepEqual(put.json().parameters, ['PUT', `/_admin/v1/groups/${IDS.projectA}`])
    assertRefused(await t.admin('PUT', '/orgs', undefined, { authorization: null }), 'PUT')
    const head = await t.admin('HEAD', '/orgs')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
  })

  test('the OpenAPI document is served behind the token, and documents exactly the routes there are', async () => {
    const res = await t.admin('GET', '/openapi.json')
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(ADMIN_OPENAPI)))
    assertRefused(await t.admin('GET', '/openapi.json', undefined, { authorization: null }), 'openapi')
    const routes = adminRoutesTable({ store: t.store, token: ADMIN_TOKEN, clock: new ServerClock(), seed: 1 }).map((r) => `${r.method} ${r.path}`)
    assert.deepEqual([...routes].sort(), OPERATIONS.map((o) => `${o.method} ${o.template}`).sort())
    for (const { method, template } of OPERATIONS) {
      const responses = Object.keys(documentedOperation(template, method)?.responses ?? {})
      assert.ok(responses.includes('401'), `${method} ${template} documents 401`)
      assert.ok(responses.some((s) => s.startsWith('2')), `${method} ${template} documents a success`)
    }
  })
})

describe('the admin token', () => {
  test('matches only the exact bearer token', () => {
    assert.equal(adminTokenMatches('s3cret-token', 'Bearer s3cret-token'), true)
    assert.equal(adminTokenMatches('s3cret-token', 'BEARER s3cret-token'), true)
    for (const header of [undefined, '', 'Bearer', 'Bearer s3cret-toke', 'Bearer s3cret-tokenn', 'Basic s3cret-token', 's3cret-token', 'Bearer s3cret-token x']) {
      assert.equal(adminTokenMatches('s3cret-token', header), false, String(header))
    }
  })

  test('comes from --admin-token or WAYMARK_ADMIN_TOKEN, flag first; a bad one is refused without being repeated', () => {
    assert.equal(loadConfig({}, {}).adminToken, undefined)
    assert.equal(loadConfig({}, { WAYMARK_ADMIN_TOKEN: '' }).adminToken, undefined)
    assert.equal(loadConfig({}, { WAYMARK_ADMIN_TOKEN: 'from-the-env' }).adminToken, 'from-the-env')
    assert.equal(loadConfig({ adminToken: 'from-the-flag' }, { WAYMARK_ADMIN_TOKEN: 'from-the-env' }).adminToken, 'from-the-flag')
    for (const bad of ['short77', 'has a space', 'tab\there-long', 'ünicode-token']) {
      assert.throws(
        () => loadConfig({}, { WAYMARK_ADMIN_TOKEN: bad }),
        (error: unknown) => error instanceof ConfigError && !error.message.includes(bad) && /8 to 1024 visible ASCII/.test(error.message),
      )
    }
  })

  test('is never logged, not even when a call fails', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const store = await openStore('sqlite::memory:')
    await store.apply(demoDataSet())
    const token = 'never-log-this-token-5d1e'
    const app = await buildApp({ config: loadConfig({ logLevel: 'trace', adminToken: token }, {}), store, logger: pino({ level: 'trace' }, sink) })
    const headers = { authorization: `Bearer ${token}` }
    assert.equal((await app.inject({ url: '/_admin/v1/orgs', headers })).statusCode, 200)
    assert.equal((await app.inject({ url: '/_admin/v1/orgs', headers: { authorization: `Bearer ${token}x` } })).statusCode, 401)
    await store.close()
    const failed = await app.inject({ method: 'POST', url: '/_admin/v1/orgs', headers, payload: { name: 'x' } })
    assert.equal(failed.statusCode, 500)
    assert.equal(failed.body, '{"detail":"Unexpected error.","error":500,"errorCode":"UNEXPECTED_ERROR","parameters":[],"reason":"Internal Server Error"}')
    await app.close()
    assert.ok(lines.some((line) => line.includes('unexpected error in the admin API')), lines.join(''))
    assert.ok(lines.every((line) => !line.includes(token)), lines.join(''))
  })
})
