import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { runWaymark } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { startServe, type ServeProcess } from './serve-process.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`
const FORM = 'application/x-www-form-urlencoded'

interface LogRecord {
  readonly level: number
  readonly time: number
  readonly msg: string
  readonly [field: string]: unknown
}

/** Every line of stdout as a log record: fails on any line that is not one. */
function records(server: ServeProcess): LogRecord[] {
  return server
    .stdout()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as LogRecord
      assert.equal(typeof record.level, 'number', line)
      assert.equal(typeof record.time, 'number', line)
      assert.equal(typeof record.msg, 'string', line)
      return record
    })
}

/** The access line of the answer that carried this request id; waits for it to be written. */
async function accessLine(server: ServeProcess, response: Response): Promise<LogRecord> {
  const id = response.headers.get('x-request-id')
  for (let i = 0; i < 50; i++) {
    const line = records(server).find((r) => r.msg === 'request' && r.reqId === id)
    if (line) return line
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`no access line for ${id}`)
}

async function stop(server: ServeProcess): Promise<number | null> {
  server.child.kill('SIGTERM')
  return (await server.exited).code
}

describe('logs an operator can use', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-logs-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('the access line names the client (after a trusted X-Forwarded-For), the caller and the user agent, refusals included', async () => {
    const store = `sqlite:${join(dir, 'access.sqlite')}`
    const server = await startServe(['--demo', '--store', store, '--log-level', 'debug', '--trusted-proxy', '127.0.0.1'])
    try {
      const fenced = JSON.parse((await runWaymark(['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--access-list', '192.0.2.1', '--json', '--store', store])).stdout)
      const account = JSON.parse((await runWaymark(['service-account', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--json', '--store', store])).stdout)
      const from = { 'user-agent': 'ops-probe/2.1 (logs test)', 'x-forwarded-for': '198.51.100.20, 203.0.113.7' }
      const digest = async (key: { publicKey: string; privateKey: string }): Promise<Response> => {
        const challenge = await fetch(`${server.url}${V2}`, { headers: { ...from, accept: ATLAS_V2_ACCEPT } })
        const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
        return fetch(`${server.url}${V2}`, { headers: { ...from, accept: ATLAS_V2_ACCEPT, authorization: digestAuthorization({ credentials: key, method: 'GET', uri: V2, nonce, nc: 1 }) } })
      }
      const expect = async (response: Response, status: number, caller: string | undefined, errorCode?: string): Promise<void> => {
        assert.equal(response.status, status)
        const line = await accessLine(server, response)
        assert.equal(line.status, status)
        assert.equal(line.clientAddress, '203.0.113.7', 'the right-most X-Forwarded-For entry, the peer being trusted')
        assert.equal(line.userAgent, 'ops-probe/2.1 (logs test)')
        assert.equal(line.caller, caller)
        assert.equal(line.errorCode, errorCode)
      }
      await expect(await digest(KEYS.demoread), 200, 'demoread')
      await expect(await digest(fenced), 403, fenced.publicKey, 'IP_ADDRESS_NOT_ON_ACCESS_LIST')
      await expect(await digest(KEYS.demonone), 401, 'demonone', 'USER_UNAUTHORIZED')
      await expect(await digest({ publicKey: 'demoread', privateKey: '00000000-0000-4000-8000-000000000000' }), 401, 'demoread')
      await expect(await fetch(`${server.url}${V2}`, { headers: { ...from, accept: ATLAS_V2_ACCEPT } }), 401, undefined)

      const basic = (secret: string): string => `Basic ${Buffer.from(`${account.clientId}:${secret}`).toString('base64')}`
      const tokenCall = (secret: string): Promise<Response> =>
        fetch(`${server.url}/api/oauth/token`, { method: 'POST', headers: { ...from, authorization: basic(secret), 'content-type': FORM }, body: 'grant_type=client_credentials' })
      const issued = await tokenCall(account.clientSecret)
      await expect(issued.clone(), 200, account.clientId)
      await expect(await tokenCall('mdb_sa_sk_wrong-secret-000000'), 401, account.clientId)
      const token = ((await issued.json()) as { access_token: string }).access_token
      const bearer = (): Promise<Response> => fetch(`${server.url}${V2}`, { headers: { ...from, accept: ATLAS_V2_ACCEPT, authorization: `Bearer ${token}` } })
      await expect(await bearer(), 200, account.clientId)
      await expect(await bearer(), 200, account.clientId)
      assert.equal((await runWaymark(['service-account', 'delete', account.clientId, '--store', store])).code, 0)
      await expect(await bearer(), 401, account.clientId)

      const all = server.stdout()
      for (const secret of [account.clientSecret, token, KEYS.demoread.privateKey, fenced.privateKey]) assert.equal(all.includes(secret), false)
    } finally {
      assert.equal(await stop(server), 0)
    }
  })

  test('JSON when stdout is not a terminal: nothing but log records on stdout, the human lines on stderr; SIGHUP is ignored with a line', async () => {
    const server = await startServe(['--demo', '--store', `sqlite:${join(dir, 'json.sqlite')}`])
    server.child.kill('SIGHUP')
    for (let i = 0; i < 50 && !server.stderr().includes('SIGHUP'); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving after SIGHUP')
    assert.equal(await stop(server), 0)
    const lines = records(server)
    const messages = lines.map((r) => r.msg)
    for (const msg of ['serving', 'SIGHUP ignored: logs go to stdout, there is no log file to reopen', 'shutting down', 'shut down']) {
      assert.ok(messages.includes(msg), `${msg} in ${messages.join(' | ')}`)
    }
    assert.equal(lines.find((r) => r.msg === 'serving')?.url, server.url)
    assert.match(server.stderr(), /^waymark: serving on /m)
    assert.match(server.stderr(), /^waymark: SIGHUP ignored: logs go to stdout, there is no log file to reopen \(stop with SIGTERM\)$/m)
    assert.doesNotMatch(server.stdout(), /waymark: /)
  })

  test('--log-format pretty (or WAYMARK_LOG_FORMAT) writes pino-pretty lines; a terminal gets them by default; a bad value is a usage error', async () => {
    for (const [args, env] of [[['--log-format', 'pretty'], {}], [[], { WAYMARK_LOG_FORMAT: 'pretty' }]] as const) {
      const server = await startServe(['--store', `sqlite:${join(dir, 'pretty.sqlite')}`, ...args], env)
      assert.equal(await stop(server), 0)
      const out = server.stdout()
      assert.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: serving$/m)
      assert.match(out, /^ {4}url: "http:\/\/127\.0\.0\.1:\d+"$/m)
      assert.match(out, /INFO: shut down/)
      assert.throws(() => JSON.parse(out.split('\n')[0] ?? ''))
    }
    assert.equal(loadConfig({}, {}, true).logFormat, 'pretty')
    assert.equal(loadConfig({}, {}, false).logFormat, 'json')
    assert.equal(loadConfig({ logFormat: 'json' }, { WAYMARK_LOG_FORMAT: 'pretty' }, true).logFormat, 'json')
    assert.throws(() => loadConfig({}, { WAYMARK_LOG_FORMAT: 'xml' }), /log format must be one of json, pretty, got "xml"/)
    const bad = await runWaymark(['serve', '--port', '0', '--log-format', 'xml'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--log-format/)
  })
})
