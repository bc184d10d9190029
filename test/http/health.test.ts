import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

describe('GET /healthz and /readyz', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp()
  })
  after(() => t.close())

  test('/healthz answers 200 {"status":"OK"} without credentials', async () => {
    const res = await t.raw('/healthz')
    assert.equal(res.status, 200)
    assert.equal(res.body, '{"status":"OK"}')
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(res.headers['cache-control'], 'no-store')
    assert.equal(res.headers['www-authenticate'], undefined)
    assert.equal((await t.raw('/healthz', {}, 'HEAD')).status, 200)
  })

  test('/readyz answers 200 while the store answers', async () => {
    const res = await t.raw('/readyz')
    assert.equal(res.status, 200)
    assert.equal(res.body, '{"status":"OK","store":"reachable"}')
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(res.headers['retry-after'], undefined)
  })

  test('other paths and methods near them stay the API\'s 404', async () => {
    for (const [path, method] of [['/healthz/', 'GET'], ['/healthz/x', 'GET'], ['/readyzz', 'GET'], ['/api/healthz', 'GET'], ['/healthz', 'POST'], ['/readyz', 'DELETE']] as const) {
      const res = await t.raw(path, {}, method)
      assert.equal(res.status, 404, `${method} ${path}`)
      assert.equal(res.headers['x-error-code'], 'RESOURCE_NOT_FOUND', `${method} ${path}`)
    }
  })

  test('/readyz answers 503 when the store fails for any reason; /healthz stays 200', async () => {
    const own = await startTestApp()
    await own.store.close()
    const res = await own.raw('/readyz')
    assert.equal(res.status, 503)
    assert.equal(res.body, '{"status":"UNAVAILABLE","store":"unreachable"}')
    assert.equal(res.headers['retry-after'], '5')
    assert.equal((await own.raw('/healthz')).status, 200)
    await own.close()
  })
})
