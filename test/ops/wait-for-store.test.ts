import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, test } from 'node:test'
import { CLI, runWaymark, servingUrl, stopProcess } from '../helpers/cli-process.js'
import { dropSchema, freshSchemaName, POSTGRES_SERVER, POSTGRES_URL, postgresUnreachable, reportUnreachable } from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The test database's URL through another port (a relay in front of it), in `schema`. */
function throughPort(port: number, schema: string): string {
  const url = new URL(POSTGRES_URL)
  url.port = String(port)
  url.searchParams.set('schema', schema)
  return url.toString()
}

const ATTEMPT = /^waymark: waiting for the store postgres:\/\/\S+: attempt (\d+): The store cannot be reached: .*ECONNREFUSED.*; next in \d+\.\d s, \d+\.\d s left of --wait-for-store$/

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('serve --wait-for-store', why)
} else {
  /**
   * `serve --wait-for-store SECONDS` started before its database is reachable (a relay in front of the
   * test PostgreSQL, not listening yet): one line per failed attempt, then it serves once the database
   * answers. Without the flag, or once the wait is over, it fails with the reason.
   */
  describe('serve --wait-for-store', () => {
    test('comes up once the database is reachable, one line per attempt before', async () => {
      const relay = await startTcpProxy({ host: POSTGRES_SERVER.host, port: POSTGRES_SERVER.port })
      await relay.cut()
      const schema = freshSchemaName('wait')
      const started = performance.now()
      const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--wait-for-store', '30', '--store', throughPort(relay.port, schema), '--log-level', 'warn'], {
        env: { ...process.env, WAYMARK_DRAIN_SECONDS: '0' },
      })
      let stderr = ''
      server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      try {
        const serving = servingUrl(server)
        while (!/attempt 3:/.test(stderr)) {
          assert.equal(server.exitCode, null, stderr)
          assert.ok(performance.now() - started < 15_000, `three attempts within 15 s: ${stderr}`)
          await sleep(50)
        }
        await relay.restore()
        const url = await serving
        const up = performance.now() - started
        assert.equal((await fetch(`${url}/readyz`)).status, 200)
        const attempts = stderr.split('\n').filter((line) => line.includes('attempt'))
        assert.ok(attempts.length >= 3, stderr)
        attempts.forEach((line, i) => assert.equal(ATTEMPT.exec(line)?.[1], String(i + 1), line))
        // Backoff: 0.25 s, then 0.5 s, then 1 s between attempts.
        assert.match(attempts[0] ?? '', /next in 0\.3 s/)
        assert.match(attempts[1] ?? '', /next in 0\.5 s/)
        assert.match(attempts[2] ?? '', /next in 1\.0 s/)
        assert.ok(up < 10_000, `serving ${Math.round(up)} ms after the start`)
      } finally {
        await stopProcess(server)
        await relay.close()
        await dropSchema(schema)
      }
    })

    test('without it, or once the wait is over, serve fails with the reason; other failures are not retried', async () => {
      const relay = await startTcpProxy({ host: POSTGRES_SERVER.host, port: POSTGRES_SERVER.port })
      await relay.cut()
      try {
        const store = throughPort(relay.port, freshSchemaName('nowait'))
        const once = await runWaymark(['serve', '--port', '0', '--store', store])
        assert.equal(once.code, 1)
        assert.doesNotMatch(once.stderr, /attempt/)
        assert.match(once.stderr, /ECONNREFUSED/)

        const started = performance.now()
        const expired = await runWaymark(['serve', '--port', '0', '--store', store], { WAYMARK_WAIT_FOR_STORE_SECONDS: '1' })
        const ms = performance.now() - started
        assert.equal(expired.code, 1)
        const lines = expired.stderr.trim().split('\n')
        assert.ok(lines.length >= 3, expired.stderr)
        assert.match(lines.at(-1) ?? '', /ECONNREFUSED/)
        assert.ok(ms >= 1_000 && ms < 5_000, `gave up after ${Math.round(ms)} ms`)
      } finally {
        await relay.close()
      }
      const invalid = await runWaymark(['serve', '--port', '0', '--wait-for-store', '30', '--store', `${POSTGRES_URL}?schema=Not-A-Schema`])
      assert.equal(invalid.code, 1)
      assert.doesNotMatch(invalid.stderr, /attempt/)
    })
  })
}
