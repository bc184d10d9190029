import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { CLI, runWaymark, stopProcess } from '../helpers/cli-process.js'

test('serve --ready-file: written whole once the server listens on the port it chose, with the admin URL; removed at shutdown', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-ready-'))
  const ready = join(dir, 'ready.json')
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', 'sqlite::memory:', '--ready-file', ready, '--clock', '-30d', '--freeze-clock', '--log-level', 'silent'], {
    env: { ...process.env, WAYMARK_ADMIN_TOKEN: 'ready-file-admin-token' },
  })
  try {
    const until = Date.now() + 15_000
    while (!existsSync(ready)) {
      assert.ok(Date.now() < until && server.exitCode === null, 'the ready file appears')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const info = JSON.parse(await readFile(ready, 'utf8'))
    assert.deepEqual(Object.keys(info), ['url', 'pid', 'adminUrl'])
    assert.equal(info.pid, server.pid)
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(info.adminUrl, `${info.url}/_admin/v1`)
    const clock = (await (await fetch(`${info.adminUrl}/clock`, { headers: { authorization: 'Bearer ready-file-admin-token' } })).json()) as { now: string; frozen: boolean }
    assert.equal(clock.frozen, true)
    assert.ok(Math.abs(Date.parse(clock.now) - (Date.now() - 30 * 86_400_000)) < 60_000, `${clock.now} is 30 days ago`)
    await stopProcess(server)
    assert.equal(server.exitCode, 0)
    assert.equal(existsSync(ready), false, 'removed at shutdown')
  } finally {
    await stopProcess(server)
    await rm(dir, { recursive: true, force: true })
  }
})

test('serve --clock refuses what is not a time, or a time out of the clock\'s range (exit 2)', async () => {
  for (const clock of ['yesterday', '1960-01-01T00:00:00Z', '2200-01-01T00:00:00Z']) {
    const res = await runWaymark(['serve', '--port', '0', '--store', 'sqlite::memory:', '--clock', clock])
    assert.equal(res.code, 2, `${clock}: ${res.stderr}`)
    assert.match(res.stderr, /clock must be/)
  }
})
