import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { CLI, runWaymark, servingUrl } from '../helpers/cli-process.js'

const run = promisify(execFile)
const UNIT = new URL('../../../examples/waymark.service', import.meta.url)

/** The unit with its two paths (node, the bundle) pointing at this machine's. */
async function localUnit(): Promise<string> {
  const text = await readFile(UNIT, 'utf8')
  assert.match(text, /^ExecStart=\/usr\/bin\/node \/opt\/waymark\/dist\/bin\/waymark\.js serve /m)
  return text.replace('/usr/bin/node', process.execPath).replace('/opt/waymark/dist/bin/waymark.js', CLI)
}

const analyze = await run('systemd-analyze', ['--version']).then(
  ({ stdout }) => ({ version: stdout.split('\n')[0] ?? '' }),
  (error: Error) => ({ missing: error.message }),
)

/**
 * examples/waymark.service, the unit docs/deployment.md gives: `systemd-analyze verify` accepts it without
 * a warning, and its ExecStart line, run as written, serves.
 */
describe('examples/waymark.service', () => {
  test('has the flags an operator needs', async () => {
    const text = await readFile(UNIT, 'utf8')
    const exec = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? ''
    for (const flag of ['--no-migrate', '--wait-for-store', '--drain-seconds', '--shutdown-timeout']) assert.ok(exec.includes(flag), flag)
    assert.match(text, /^TimeoutStopSec=30$/m)
  })

  test('systemd-analyze verify accepts it without a warning', { skip: 'missing' in analyze ? `systemd-analyze is not available (${analyze.missing})` : false }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-unit-'))
    try {
      const file = join(dir, 'waymark.service')
      await writeFile(file, await localUnit())
      const { stdout, stderr } = await run('systemd-analyze', ['verify', file])
      const about = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('waymark.service'))
      assert.deepEqual(about, [])
      // It does catch mistakes: an unknown key is a warning about the file.
      await writeFile(file, (await localUnit()).replace('KillSignal=SIGTERM', 'KillSignal=SIGTERM\nDrainSeconds=5'))
      const bad = await run('systemd-analyze', ['verify', file])
      assert.match(bad.stderr, /Unknown key 'DrainSeconds'/)
      if ('version' in analyze) t.diagnostic(analyze.version)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('its ExecStart line serves a migrated store, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-unit-run-'))
    try {
      const store = `sqlite:${join(dir, 'waymark.sqlite')}`
      assert.equal((await runWaymark(['migrate', '--store', store])).code, 0)
      const exec = /^ExecStart=(.*)$/m.exec(await localUnit())?.[1] ?? ''
      const [file, ...args] = exec.split(' ')
      assert.equal(file, process.execPath)
      const child = spawn(file, args, { env: { ...process.env, WAYMARK_STORE: store, WAYMARK_PORT: '0', WAYMARK_HOST: '127.0.0.1' } })
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      const url = await servingUrl(child)
      assert.equal((await fetch(`${url}/healthz`)).status, 200)
      child.kill('SIGTERM')
      assert.equal(await exited, 0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
