import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, test } from 'node:test'
import { CLI } from '../helpers/cli-process.js'

const execFileAsync = promisify(execFile)
const TOKEN = 'cli-admin-token-7c21'

/** Starts `waymark serve` and answers its URL and the line it printed. */
async function serve(args: string[], env: Record<string, string>): Promise<{ url: string; line: string; stop: () => Promise<number | null> }> {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'silent', '--no-produce', ...args], { env: { ...process.env, ...env } })
  const [url, line] = await new Promise<[string, string]>((resolve, reject) => {
    let err = ''
    server.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const match = /serving on (http:\/\/\S+).*\n/.exec(err)
      if (match?.[1]) resolve([match[1], match[0]])
    })
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)))
  })
  return {
    url,
    line,
    stop: async () => {
      const exited = new Promise<number | null>((resolve) => server.on('exit', resolve))
      server.kill('SIGTERM')
      return exited
    },
  }
}

describe('waymark serve and the admin API', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-serve-admin-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  for (const [how, args, env] of [
    ['WAYMARK_ADMIN_TOKEN', [], { WAYMARK_ADMIN_TOKEN: TOKEN }],
    ['--admin-token', ['--admin-token', TOKEN], {}],
  ] as const) {
    test(`${how} turns the admin API on; the token is not printed`, async () => {
      const server = await serve(['--store', `sqlite:${join(dir, `${how}.sqlite`)}`, ...args], env)
      try {
        assert.match(server.line, /admin API at http:\/\/\S+\/_admin\/v1\//)
        assert.equal(server.line.includes(TOKEN), false)
        const on = await fetch(`${server.url}/_admin/v1/orgs`, { headers: { authorization: `Bearer ${TOKEN}` } })
        assert.equal(on.status, 200)
        assert.deepEqual(await on.json(), { results: [], totalCount: 0 })
        assert.equal((await fetch(`${server.url}/_admin/v1/orgs`)).status, 401)
      } finally {
        assert.equal(await server.stop(), 0)
      }
    })
  }

  test('without a token the admin API is off', async () => {
    const server = await serve(['--store', `sqlite:${join(dir, 'off.sqlite')}`], { WAYMARK_ADMIN_TOKEN: '' })
    try {
      assert.equal(server.line.includes('admin API'), false)
      assert.equal((await fetch(`${server.url}/_admin/v1/orgs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404)
    } finally {
      assert.equal(await server.stop(), 0)
    }
  })

  test('a bad token is a usage error that does not repeat it', async () => {
    const failed = await execFileAsync(process.execPath, [CLI, 'serve', '--port', '0', '--admin-token', 'weak 1'], { env: process.env }).then(
      () => assert.fail('serve started'),
      (error: { code: number; stderr: string }) => error,
    )
    assert.equal(failed.code, 2)
    assert.match(failed.stderr, /admin token .* must be 8 to 1024 visible ASCII characters/)
    assert.equal(failed.stderr.includes('weak 1'), false)
  })
})
