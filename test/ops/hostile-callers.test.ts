import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { stopProcess } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge, type Credentials } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { startServe, type ServeProcess } from './serve-process.js'

/**
 * Issue 13, item 6, against a real `waymark serve --demo`: what its log says of clients that abort their
 * bodies or put secrets in a query, and how many nonce leases an authenticated caller without a role can
 * make it write.
 */
const ADMIN_TOKEN = 'hostile-callers-admin-token'
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`

interface LogRecord {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

const records = (server: ServeProcess): LogRecord[] =>
  server
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord)

/** One Digest call with a fresh nonce (challenge, then the answer), as the Go SDK makes every call. */
async function digestCall(url: string, path: string, credentials: Credentials): Promise<Response> {
  const challenge = await fetch(`${url}${path}`)
  await challenge.arrayBuffer()
  const { nonce } = parseChallenge(challenge.headers.get('www-authenticate') ?? '')
  return fetch(`${url}${path}`, { headers: { authorization: digestAuthorization({ credentials, method: 'GET', uri: path, nonce, nc: 1 }) } })
}

describe('hostile callers of a real `waymark serve`', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-hostile-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('a client aborting its POST body is not our error: no error line, no stack, a debug line at most', async () => {
    const server = await startServe(['--demo', '--store', `sqlite:${join(dir, 'abort.sqlite')}`, '--log-level', 'debug'], { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN })
    try {
      const { port } = new URL(server.url)
      const heads = [
        'POST /api/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=cli',
        'POST /api/oauth/revoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ntoken=abc',
        `POST /_admin/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":`,
      ]
      for (let round = 0; round < 5; round++) {
        for (const head of heads) {
          await new Promise<void>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1', () => {
              socket.write(head)
              setTimeout(() => socket.destroy(), 50)
            })
            socket.on('error', () => undefined)
            socket.on('close', () => resolve())
          })
        }
      }
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const lines = records(server)
      const loud = lines.filter((r) => r.level >= 40)
      assert.deepEqual(loud, [], 'warnings or errors for aborted bodies')
      assert.equal(server.stdout().includes('"stack"'), false)
      assert.equal(lines.filter((r) => r.msg === 'request abandoned before its body was read').length, 15)
    } finally {
      await stopProcess(server.child)
    }
  })

  test('the debug access log redacts every query parameter the API does not document (access_token, client_secret…)', async () => {
    const server = await startServe(['--demo', '--store', `sqlite:${join(dir, 'redact.sqlite')}`, '--log-level', 'debug'])
    try {
      const secrets = ['s3cr3t-access-token', 's3cr3t-client-secret', 's3cr3t-password', 's3cr3t-bare']
      const query = `pageNum=1&access_token=${secrets[0]}&client_secret=${secrets[1]}&itemsPerPage=2&password=${secrets[2]}&${secrets[3]}&pretty=true`
      const res = await digestCall(server.url, `${V1}?${query}`, KEYS.demoread)
      assert.equal(res.status, 200)
      await new Promise((resolve) => setTimeout(resolve, 200))
      for (const secret of secrets) assert.equal(server.stdout().includes(secret), false, `${secret} reached the log`)
      const access = records(server).filter((r) => r.msg === 'request' && r.status === 200)
      assert.equal(access.length, 1)
      assert.equal(
        access[0]?.url,
        `${V1}?pageNum=1&access_token=[redacted]&client_secret=[redacted]&itemsPerPage=2&password=[redacted]&[redacted]&pretty=true`,
      )
    } finally {
      await stopProcess(server.child)
    }
  })

  test('an authenticated caller without a role is rate-limited per caller: fresh nonces stop writing lease rows; others are not slowed', async () => {
    const file = join(dir, 'leases.sqlite')
    const server = await startServe(['--demo', '--store', `sqlite:${file}`], {
      WAYMARK_RATE_LIMIT_CAPACITY: '10',
      WAYMARK_RATE_LIMIT_REFILL: '1',
      WAYMARK_RATE_LIMIT_PERIOD_SECONDS: '3600',
    })
    try {
      const leases = (): number => {
        const db = new Database(file, { readonly: true, fileMustExist: true })
        try {
          return db.prepare('SELECT count(*) FROM digest_nonce_leases').pluck().get() as number
        } finally {
          db.close()
        }
      }
      const before = leases()
      const statuses: number[] = []
      for (let i = 0; i < 40; i++) statuses.push((await digestCall(server.url, V1, KEYS.demonone)).status)
      // Ten refusals (the bucket's capacity), then 429 for the rest: no more lease written.
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), ...Array<number>(30).fill(429)])
      const limited = await digestCall(server.url, V1, KEYS.demonone)
      assert.equal(limited.headers.get('x-error-code'), 'RATE_LIMITED_TOKEN_BUCKET')
      assert.ok(Number(limited.headers.get('retry-after')) > 0)
      assert.equal(leases() - before, 10, 'one lease row per call the bucket let through')
      // A caller with a role on the same project is served at once, its own project bucket untouched.
      const reader = await digestCall(server.url, V1, KEYS.demoread)
      assert.equal(reader.status, 200)
      assert.equal(reader.headers.get('ratelimit-remaining'), '9')
    } finally {
      await stopProcess(server.child)
    }
  })
})
