import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { openStore } from '../../src/storage/open-store.js'

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
    await assert.rejects(
      openStore('postgres://localhost/waymark'),
      /postgres engine is not available yet.*sqlite/,
    )
    await assert.rejects(openStore('mysql://localhost/waymark'), /Unsupported store URL.*sqlite:PATH/)
    await assert.rejects(openStore('./data/waymark.json'), /Unsupported store URL/)
    await assert.rejects(openStore('sqlite:'), /names no file/)
  })
})
