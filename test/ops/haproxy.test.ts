import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import DigestClient from 'digest-fetch'
import { request as urllibRequest } from 'urllib'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { documentedHaproxyConfig, findHaproxy, freePort, reportNoHaproxy, startHaproxy, type Haproxy } from '../helpers/haproxy.js'
import { dropSchema, freshSchemaName, postgresUnreachable, schemaUrl } from '../helpers/postgres.js'
import { startServe, type ServeProcess } from './serve-process.js'

const run = promisify(execFile)
const LIST = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`
const ACCOUNT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5e1', clientSecret: 'mdb_sa_sk_haproxy-test-00001' }
const FIXTURE = {
  serviceAccounts: [{ ...ACCOUNT, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: IDS.orgA, name: 'haproxy', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] }],
}
/** Calls per Digest client in the measurement, as in issue 15's report. */
const CALLS = 50

const hasPythonRequests = await run('python3', ['-c', 'import requests']).then(() => true, () => false)
const PYTHON = `
import sys, requests
from requests.auth import HTTPDigestAuth
url, user, password, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
session = requests.Session()
session.auth = HTTPDigestAuth(user, password)
print(",".join(str(session.get(url).status_code) for _ in range(calls)))
`

/**
 * The documented haproxy configuration (docs/deployment.md, `balance source`, health checks on /readyz) in
 * front of two `waymark serve` instances on one store, with a round-robin copy of it beside it for the
 * comparison. Real haproxy from Debian, run in the foreground on 127.0.0.1.
 */
const haproxy = await findHaproxy()
if ('missing' in haproxy) {
  reportNoHaproxy('two instances behind haproxy: rolling restart, Digest cost per balancing', haproxy.missing)
} else {
  describe(`two instances behind haproxy (${haproxy.version})`, () => {
    let dir: string
    let store: string
    let schema: string | undefined
    let fixture: string
    const ports: number[] = []
    const instances: ServeProcess[] = []
    let proxy: Haproxy
    let sourceUrl: string
    let roundRobinUrl: string

    const start = async (index: number, first: boolean): Promise<ServeProcess> => {
      const extra = first ? ['--demo', '--fixtures', fixture] : []
      return startServe([...extra, '--port', String(ports[index]), '--store', store, '--log-level', 'warn', '--trusted-proxy', '127.0.0.1', '--no-rate-limit'])
    }

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'waymark-haproxy-test-'))
      fixture = join(dir, 'account.json')
      await writeFile(fixture, JSON.stringify(FIXTURE))
      if ((await postgresUnreachable()) === undefined) {
        schema = freshSchemaName('haproxy')
        store = schemaUrl(schema)
      } else {
        store = `sqlite:${join(dir, 'shared.sqlite')}`
      }
      ports.push(await freePort(), await freePort())
      instances.push(await start(0, true))
      instances.push(await start(1, false))
      const [sourcePort, roundRobinPort] = [await freePort(), await freePort()]
      const documented = (await documentedHaproxyConfig())
        .replace(/^(\s*)bind .*$/m, `$1bind 127.0.0.1:${sourcePort}`)
        .replace(/^(\s*server \S+) \S+/m, `$1 127.0.0.1:${ports[0]}`)
        .replace(/^(\s*server \S+) (?!127\.0\.0\.1:)\S+/m, `$1 127.0.0.1:${ports[1]}`)
      assert.match(documented, /balance source/)
      const listen = documented.slice(documented.indexOf('listen waymark'))
      // The same with round robin, and without haproxy's retries: only the drain keeps its calls from failing.
      const roundRobin = listen
        .replace('listen waymark', 'listen waymark_roundrobin\n    retries 0\n    no option redispatch')
        .replace(/bind \S+/, `bind 127.0.0.1:${roundRobinPort}`)
        .replace('balance source', 'balance roundrobin')
        .replace(/^\s*hash-type .*\n/m, '')
      proxy = await startHaproxy(`${documented}\n${roundRobin}`)
      await proxy.allUp(15_000)
      sourceUrl = `http://127.0.0.1:${sourcePort}`
      roundRobinUrl = `http://127.0.0.1:${roundRobinPort}`
    })

    after(async () => {
      await proxy?.stop()
      for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill('SIGKILL')
      await Promise.all(instances.map((instance) => instance.exited))
      if (schema !== undefined) await dropSchema(schema)
      await rm(dir, { recursive: true, force: true })
    })

    /** The 401s a Digest client costs over CALLS calls through a proxy, counted by haproxy. */
    const measure = async (name: 'waymark' | 'waymark_roundrobin', client: () => Promise<number[]>): Promise<number> => {
      const before4xx = await proxy.responses4xx(name)
      const statuses = await client()
      assert.deepEqual(statuses, Array(CALLS).fill(200), 'every call succeeds in the end')
      return (await proxy.responses4xx(name)) - before4xx
    }
    const python = (base: string) => async (): Promise<number[]> => {
      const { stdout } = await run('python3', ['-c', PYTHON, base + LIST, KEYS.demoread.publicKey, KEYS.demoread.privateKey, String(CALLS)])
      return stdout.trim().split(',').map(Number)
    }
    const digestFetch = (base: string) => async (): Promise<number[]> => {
      const client = new DigestClient(KEYS.demoread.publicKey, KEYS.demoread.privateKey)
      const statuses: number[] = []
      for (let i = 0; i < CALLS; i++) {
        const res = await client.fetch(base + LIST)
        await res.arrayBuffer()
        statuses.push(res.status)
      }
      return statuses
    }
    const urllib = (base: string) => async (): Promise<number[]> => {
      const statuses: number[] = []
      for (let i = 0; i < CALLS; i++) {
        const res = await urllibRequest(base + LIST, { digestAuth: `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`, dataType: 'text' })
        statuses.push(res.status)
      }
      return statuses
    }

    test('Digest clients: balance source costs one challenge per client, round robin one more 401 per call for clients that reuse the nonce', async (t) => {
      const figures: Record<string, { source: number; roundRobin: number }> = {}
      const clients: Array<[string, (base: string) => () => Promise<number[]>]> = [['digest-fetch', digestFetch], ['urllib', urllib]]
      if (hasPythonRequests) clients.unshift(['Python requests', python])
      else t.diagnostic('python3 has no requests module: Python requests not measured')
      for (const [name, client] of clients) {
        figures[name] = { source: await measure('waymark', client(sourceUrl)), roundRobin: await measure('waymark_roundrobin', client(roundRobinUrl)) }
        t.diagnostic(`${name}, ${CALLS} calls: 401s with balance source ${figures[name]?.source}, with round robin ${figures[name]?.roundRobin}`)
      }
      // Clients that reuse the nonce with a growing nc: one challenge in all with balance source; with round
      // robin, every call lands on the other instance than the one holding the lease: stale=true, one 401 more.
      for (const name of ['Python requests', 'digest-fetch'].filter((n) => n in figures)) {
        assert.equal(figures[name]?.source, 1, `${name}: one challenge in all with balance source`)
        assert.ok((figures[name]?.roundRobin ?? 0) >= CALLS - 1, `${name}: about one 401 per call with round robin`)
      }
      // urllib asks for a challenge on every call, wherever it lands: one 401 per call either way.
      assert.equal(figures['urllib']?.source, CALLS)
      assert.equal(figures['urllib']?.roundRobin, CALLS)
    })

    test('a rolling restart under steady load: zero failed requests', async (t) => {
      const issued = await fetch(`${sourceUrl}/api/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
      assert.equal(issued.status, 200)
      const token = ((await issued.json()) as { access_token: string }).access_token
      let running = true
      let answered = 0
      const failures: string[] = []
      const MAX_CALLS = 40_000
      /** One client: calls back to back (a 10 ms pause) until the restarts are over. */
      const loop = async (call: () => Promise<number>): Promise<void> => {
        while (running && answered < MAX_CALLS) {
          try {
            const status = await call()
            if (status !== 200) failures.push(`status ${status}`)
          } catch (error) {
            failures.push(String((error as { cause?: unknown }).cause ?? error))
          }
          answered++
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      }
      const bearer = (base: string) => async (): Promise<number> => {
        const res = await fetch(base + LIST, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
        await res.arrayBuffer()
        return res.status
      }
      const digest = new DigestClient(KEYS.demoread.publicKey, KEYS.demoread.privateKey)
      const digestCall = async (): Promise<number> => {
        const res = await digest.fetch(sourceUrl + LIST)
        await res.arrayBuffer()
        return res.status
      }
      const load = Promise.all([loop(bearer(roundRobinUrl)), loop(bearer(roundRobinUrl)), loop(bearer(sourceUrl)), loop(digestCall)])
      try {
        await new Promise((resolve) => setTimeout(resolve, 500))
        for (const index of [0, 1]) {
          const old = instances[index]
          assert.ok(old)
          const signalled = performance.now()
          old.child.kill('SIGTERM')
          const { code, at } = await old.exited
          assert.equal(code, 0, old.stderr())
          assert.match(old.stderr(), /SIGTERM: draining: \/readyz answers 503/)
          t.diagnostic(`instance ${index + 1}: exited ${Math.round(at - signalled)} ms after SIGTERM (drain 5 s), ${answered} calls so far`)
          instances[index] = await start(index, false)
          await proxy.allUp(15_000)
        }
        await new Promise((resolve) => setTimeout(resolve, 500))
      } finally {
        running = false
        await load
      }
      t.diagnostic(`${answered} calls during the two restarts, ${failures.length} failed`)
      assert.ok(answered > 200, `steady load: ${answered} calls`)
      const kinds = [...new Set(failures)].map((kind) => `${kind} × ${failures.filter((f) => f === kind).length}`)
      assert.deepEqual(kinds, [], 'no call failed')
      assert.doesNotMatch(proxy.output(), /\bNOSRV\b|no server available/)
    })
  })
}
