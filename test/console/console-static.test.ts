import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'

/** How the console's files are served (no browser): on with the admin API only, types, caching, no traversal. */

const BUILT = fileURLToPath(new URL('../../console/', import.meta.url))
const manifest = JSON.parse(readFileSync(join(BUILT, 'manifest.json'), 'utf8')) as { files: string[] }
const script = manifest.files.find((f) => f.endsWith('.js')) ?? ''
const style = manifest.files.find((f) => f.endsWith('.css')) ?? ''

async function app(adminToken: string | undefined, consoleDir?: string): Promise<{ app: FastifyInstance; store: Store }> {
  const config = loadConfig({ logLevel: 'silent' }, { WAYMARK_STORE: 'sqlite::memory:', ...(adminToken ? { WAYMARK_ADMIN_TOKEN: adminToken } : {}) })
  const store = await openStore(config.store)
  return { app: await buildApp({ config, store, ...(consoleDir !== undefined ? { consoleDir } : {}) }), store }
}

const get = (a: FastifyInstance, url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET') => a.inject({ method, url, headers })

describe('the console\'s files', () => {
  let on: { app: FastifyInstance; store: Store }
  let off: { app: FastifyInstance; store: Store }
  before(async () => {
    on = await app('console-static-admin-token')
    off = await app(undefined)
  })
  after(async () => {
    for (const a of [on, off]) {
      await a.app.close()
      await a.store.close()
    }
  })

  test('without the admin API, every /console path answers as any unknown path', async () => {
    for (const path of ['/console', '/console/', `/console/${script}`, '/console/favicon.svg', '/console/index.html', '/console/x/y']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await get(off.app, path, {}, method)
        const unknown = await get(off.app, `/nothing${path}`, {}, method)
        assert.equal(res.statusCode, 404, path)
        assert.equal(res.headers['content-type'], unknown.headers['content-type'])
        assert.equal(res.headers['x-error-code'], 'RESOURCE_NOT_FOUND')
        if (method === 'GET') assert.deepEqual(res.json(), { ...unknown.json(), detail: `Cannot find resource ${path}.`, parameters: [path] })
      }
    }
  })

  test('the page, its script, its style sheet and its icon, each with its type and caching', async () => {
    const redirect = await get(on.app, '/console')
    assert.equal(redirect.statusCode, 301)
    assert.equal(redirect.headers['location'], '/console/')

    const page = await get(on.app, '/console/')
    assert.equal(page.statusCode, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(page.headers['cache-control'], 'no-cache')
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/)
    assert.ok(page.body.includes(`src="${script}"`) && page.body.includes(`href="${style}"`), 'the page loads the hashed files')
    assert.ok(!/https?:\/\//.test(page.body), 'nothing from elsewhere')
    assert.deepEqual((await get(on.app, '/console/index.html')).body, page.body)

    for (const [file, type] of [
      [script, 'text/javascript; charset=utf-8'],
      [style, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await get(on.app, `/console/${file}`)
      assert.equal(res.statusCode, 200, file)
      assert.equal(res.headers['content-type'], type)
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable')
      assert.deepEqual(res.rawPayload, readFileSync(join(BUILT, file)))
      assert.ok(!res.rawPayload.toString().includes('//cdn') && !res.rawPayload.toString().includes('https://unpkg'), 'no CDN')
    }
    const icon = await get(on.app, '/console/favicon.svg')
    assert.equal(icon.headers['content-type'], 'image/svg+xml')
    assert.equal(icon.headers['cache-control'], 'no-cache')
  })

  test('conditional requests and HEAD', async () => {
    const page = await get(on.app, '/console/')
    const etag = String(page.headers['etag'])
    assert.match(etag, /^"[\w-]{27}"$/)
    const again = await get(on.app, '/console/', { 'if-none-match': etag })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '')
    assert.equal((await get(on.app, '/console/', { 'if-none-match': '"other"' })).statusCode, 200)
    const head = await get(on.app, `/console/${script}`, {}, 'HEAD')
    assert.equal(head.statusCode, 200)
    assert.equal(head.body, '')
    assert.equal(Number(head.headers['content-length']), readFileSync(join(BUILT, script)).length)
  })

  test('only the built files: no traversal, no listing, no other method', async () => {
    for (const path of [
      '/console/../package.json',
      '/console/..%2Fpackage.json',
      '/console/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/..%5C..%5Cpackage.json',
      '/console/manifest.json',
      '/console/%2Fetc%2Fpasswd',
      '/console//etc/passwd',
      '/console/chunks/',
      '/console/main.js',
      `/console/${script}%00`,
      `/console/${script}/`,
      '/console/.%2e/.%2e/src/app.ts',
    ]) {
      const res = await get(on.app, path)
      assert.equal(res.statusCode, 404, `${path}: ${res.statusCode}`)
      assert.equal(res.headers['x-error-code'], 'RESOURCE_NOT_FOUND', path)
    }
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const res = await on.app.inject({ method, url: '/console/' })
      assert.equal(res.statusCode, 404, method)
    }
  })

  test('a manifest naming anything but plain files of known types is refused at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-console-manifest-'))
    try {
      await writeFile(join(dir, 'index.html'), '<!doctype html>')
      for (const files of [['index.html', '../package.json'], ['index.html', 'a/b.js'], ['index.html', 'run.sh'], ['other.html']]) {
        await writeFile(join(dir, 'manifest.json'), JSON.stringify({ files }))
        await assert.rejects(app('console-static-admin-token', `${dir}/`), /manifest\.json/, JSON.stringify(files))
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
