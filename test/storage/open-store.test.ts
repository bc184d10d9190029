import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { openStore, parsePostgresUrl } from '../../src/storage/open-store.js'

const dir = mkdtempSync(join(tmpdir(), 'waymark-open-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('openStore', () => {
  test('opens sqlite: URLs, in memory or on a file', async () => {
    const memory = await openStore('sqlite::memory:')
    assert.equal(memory.engine, 'sqlite')
    await memory.close()
    const file = join(dir, 'data', 'waymark.sqlite')
    const store = await openStore(`sqlite:${file}`)
    await store.close()
    assert.ok(existsSync(file))
  })

  test('takes a bare .sqlite or .db path as sqlite', async () => {
    for (const name of ['bare.sqlite', 'bare.db']) {
      const store = await openStore(join(dir, name))
      assert.equal(store.engine, 'sqlite')
      await store.close()
    }
  })

  test('names the available engines for anything else', async () => {
    await assert.rejects(openStore('mysql://localhost/waymark'), /Unsupported store URL.*sqlite:PATH.*postgres:\/\//)
    await assert.rejects(openStore('./data/waymark.json'), /Unsupported store URL/)
    await assert.rejects(openStore('sqlite:'), /names no file/)
  })

  test('takes postgres:// and postgresql:// URLs as postgres, with an optional schema parameter', async () => {
    assert.deepEqual(parsePostgresUrl('postgres://u@h:5432/db'), { connectionString: 'postgres://u@h:5432/db' })
    assert.deepEqual(parsePostgresUrl('postgresql://u@h/db?sslmode=disable&schema=waymark_a'), {
      connectionString: 'postgresql://u@h/db?sslmode=disable',
      schema: 'waymark_a',
    })
    // Nothing listens on port 1: the postgres engine is tried, and fails fast.
    for (const scheme of ['postgres', 'postgresql']) {
      await assert.rejects(openStore(`${scheme}://postgres@127.0.0.1:1/waymark`), /ECONNREFUSED|connect/)
    }
    await assert.rejects(
      openStore('postgres://postgres@127.0.0.1:1/waymark?schema=Bad-Name'),
      /Invalid PostgreSQL schema/,
    )
  })
})
