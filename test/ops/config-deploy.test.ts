import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { runWaymark } from '../helpers/cli-process.js'
import { startServe } from './serve-process.js'

test('deployment settings: --no-migrate, --wait-for-store, --drain-seconds: defaults, flags over variables, refusals', () => {
  const defaults = loadConfig({}, {})
  assert.equal(defaults.migrate, true)
  assert.equal(defaults.waitForStoreMs, 0)
  assert.equal(defaults.drainMs, 5_000)

  assert.equal(loadConfig({}, { WAYMARK_MIGRATE: 'off' }).migrate, false)
  assert.equal(loadConfig({ migrate: false }, { WAYMARK_MIGRATE: 'on' }).migrate, false)
  assert.equal(loadConfig({}, { WAYMARK_WAIT_FOR_STORE_SECONDS: '60' }).waitForStoreMs, 60_000)
  assert.equal(loadConfig({ waitForStore: '0.5' }, { WAYMARK_WAIT_FOR_STORE_SECONDS: '60' }).waitForStoreMs, 500)
  assert.equal(loadConfig({}, { WAYMARK_DRAIN_SECONDS: '0' }).drainMs, 0)
  assert.equal(loadConfig({ drainSeconds: '12' }, { WAYMARK_DRAIN_SECONDS: '0' }).drainMs, 12_000)

  assert.throws(() => loadConfig({}, { WAYMARK_MIGRATE: 'no' }), /WAYMARK_MIGRATE must be on or off, got "no"/)
  for (const bad of ['', 'abc', '-1', '3601', 'Infinity']) {
    assert.throws(() => loadConfig({}, { WAYMARK_WAIT_FOR_STORE_SECONDS: bad }), /the wait for the store \(--wait-for-store\) must be a number of seconds from 0 to 3600/, bad)
    assert.throws(() => loadConfig({}, { WAYMARK_DRAIN_SECONDS: bad }), /the drain \(--drain-seconds\) must be a number of seconds from 0 to 3600/, bad)
  }
})

test('serve refuses a bad --wait-for-store or WAYMARK_MIGRATE as a usage error (exit 2), before opening any store', async () => {
  const wait = await runWaymark(['serve', '--port', '0', '--wait-for-store', 'forever', '--store', 'sqlite::memory:'])
  assert.equal(wait.code, 2)
  assert.equal(wait.stderr, 'waymark: the wait for the store (--wait-for-store) must be a number of seconds from 0 to 3600, got "forever"\n')
  const migrate = await runWaymark(['serve', '--port', '0', '--store', 'sqlite::memory:'], { WAYMARK_MIGRATE: 'false' })
  assert.equal(migrate.code, 2)
  assert.equal(migrate.stderr, 'waymark: WAYMARK_MIGRATE must be on or off, got "false"\n')
})

test('serve --no-migrate on SQLite: a missing file is refused (and not created), a migrated one served', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-no-migrate-'))
  try {
    const file = join(dir, 'sub', 'waymark.sqlite')
    const missing = await runWaymark(['serve', '--no-migrate', '--port', '0', '--store', `sqlite:${file}`])
    assert.equal(missing.code, 1)
    assert.ok(missing.stderr.startsWith(`waymark: cannot use the store sqlite:${file} (from --store): This database is at schema version 0 and this Waymark needs `), missing.stderr)
    assert.match(missing.stderr, /--no-migrate changes no schema: run `waymark migrate` .* Name another store with --store URL or WAYMARK_STORE=URL\.\n$/)
    assert.equal(existsSync(join(dir, 'sub')), false, 'nothing was created')
    const store = `sqlite:${join(dir, 'waymark.sqlite')}`
    assert.equal((await runWaymark(['migrate', '--store', store])).code, 0)
    const server = await startServe(['--no-migrate', '--store', store])
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200)
    server.child.kill('SIGINT')
    assert.equal((await server.exited).code, 0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
