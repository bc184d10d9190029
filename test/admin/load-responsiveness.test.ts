import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { stopProcess } from '../helpers/cli-process.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'
import { startServe, type ServeProcess } from '../ops/serve-process.js'

// Issue 13, item 4: loading fixtures froze everything. A 100-service-account fixture blocked the event loop
// for 8.8 s (synchronous scrypt); a large checkpoint fixture froze the server and kept its memory. A real
// `waymark serve`: /healthz is asked every 10 ms while the admin API loads, and must answer within 100 ms.

const ADMIN = 'load-responsiveness-admin-1e7b'
const ORG = '65a1f0c2e4b0a1b2c3d4f401'
const GROUP = '65a1f0c2e4b0a1b2c3d4f411'
const CLUSTER = '65a1f0c2e4b0a1b2c3d4f421'
const HEALTHZ_MAX_MS = 100
/** About 27 MB of JSON. */
const CHECKPOINTS = 30_000
/** What the server's resident memory may grow by while it loads them. */
const RSS_GROWTH_MAX_MB = 100

const WORLD = {
  organizations: [{ id: ORG, name: 'Load' }],
  projects: [{ id: GROUP, orgId: ORG, name: 'P' }],
  clusters: [
    {
      id: CLUSTER,
      groupId: GROUP,
      name: 'Cluster0',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [0, 1, 2].map((n) => ({ shardName: `shard-${n}`, replicaSetName: `shard-${n}` })),
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config' },
    },
  ],
}

/** 100 service accounts, each with its own secret (17 KB of JSON). */
function accountsFixture(): object {
  return {
    serviceAccounts: Array.from({ length: 100 }, (_, i) => ({
      clientId: `mdb_sa_id_65a1f0c2e4b0a1b2c3${i.toString(16).padStart(6, '0')}`,
      clientSecret: `mdb_sa_sk_load-responsiveness-${i}`,
      orgId: ORG,
      roles: [{ groupId: GROUP, roleName: 'GROUP_READ_ONLY' }],
    })),
  }
}

/** Resident memory of a process, in MB. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024
}

/**
 * A prober in a process of its own (so that what the test process does cannot delay it): asks /healthz
 * every 10 ms, a new connection each time, until `stop`; answers the latencies (ms). The server's resident
 * memory is sampled meanwhile.
 */
const PROBER = `
const http = require('node:http')
const [host, port] = process.argv.slice(1)
const latencies = []
let running = true
process.stdin.on('data', () => { running = false })
const once = () => new Promise((resolve, reject) => {
  const started = performance.now()
  const req = http.request({ host, port, path: '/healthz', agent: false }, (res) => {
    res.resume()
    res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error('healthz ' + res.statusCode))))
  })
  req.on('error', reject)
  req.end()
})
;(async () => {
  while (running) {
    latencies.push(await once())
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  process.stdout.write(JSON.stringify(latencies))
})()
`

function watchHealth(server: ServeProcess): { stop(): Promise<{ latencies: number[]; maxRssMb: number }> } {
  const { hostname, port } = new URL(server.url)
  const prober = spawn(process.execPath, ['-e', PROBER, hostname, port], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  prober.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise((resolve) => prober.on('exit', resolve))
  let maxRssMb = 0
  const sampler = setInterval(() => void rssMb(server.child.pid as number).then((mb) => (maxRssMb = Math.max(maxRssMb, mb))), 50)
  return {
    stop: async () => {
      clearInterval(sampler)
      maxRssMb = Math.max(maxRssMb, await rssMb(server.child.pid as number))
      prober.stdin.end('stop')
      await exited
      return { latencies: JSON.parse(out) as number[], maxRssMb }
    },
  }
}

/** `count` checkpoints of the cluster, oldest first, as one JSON document (about 900 bytes each). */
function checkpointsFixture(count: number): Buffer {
  const parts: string[] = ['{"checkpoints":[']
  const base = Date.UTC(2024, 0, 1)
  for (let i = 0; i < count; i++) {
    const at = new Date(base + i * 900_000).toISOString().slice(0, 19) + 'Z'
    const part = (n: number) => ({ typeName: 'REPLICA_SET', replicaSetName: `shard-${n}`, shardName: `shard-${n}`, tokenDiscovered: true, tokenTimestamp: { date: at, increment: 1 } })
    const cp = {
      id: (0x65a1f0c2n * 2n ** 64n + BigInt(i)).toString(16).padStart(24, '0'),
      clusterId: CLUSTER,
      groupId: GROUP,
      started: at,
      completed: at,
      timestamp: at,
      restorable: true,
      parts: [part(0), part(1), part(2), { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config', tokenDiscovered: true, tokenTimestamp: { date: at, increment: 2 } }],
    }
    parts.push(`${i === 0 ? '' : ','}${JSON.stringify(cp)}`)
  }
  parts.push(']}')
  return Buffer.from(parts.join(''))
}

/**
 * Runs a measured load up to three times, until /healthz stayed under the bound throughout one of them.
 * The machine is shared: a scheduling hiccup of the prober or the server can exceed 100 ms with no work
 * of ours, so one clean run shows the server itself never held its event loop that long; a server that
 * does (a synchronous load: 833 ms and more measured, every time) fails every attempt.
 */
async function withinBound(t: { diagnostic(message: string): void }, run: (attempt: number) => Promise<{ max: number; note: string }>): Promise<void> {
  const seen: string[] = []
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { max, note } = await run(attempt)
    seen.push(`attempt ${attempt}: ${note}`)
    t.diagnostic(seen.at(-1) as string)
    if (max < HEALTHZ_MAX_MS) return
  }
  assert.fail(`/healthz exceeded ${HEALTHZ_MAX_MS} ms while loading in every attempt: ${seen.join('; ')}`)
}

describe('loading fixtures keeps the server responsive', () => {
  let store: FreshStore
  let server: ServeProcess

  before(async () => {
    store = await freshStore('load-responsiveness')
    server = await startServe(['--store', store.url], { WAYMARK_ADMIN_TOKEN: ADMIN, WAYMARK_LOG_LEVEL: 'warn' })
    assert.equal((await loadFixture(WORLD)).status, 200)
  })
  after(async () => {
    if (server) await stopProcess(server.child)
    await store?.drop()
  })

  async function loadFixture(body: object | Buffer): Promise<{ status: number; text: string }> {
    const res = await fetch(`${server.url}/_admin/v1/fixtures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
    })
    return { status: res.status, text: await res.text() }
  }

  test(`a fixture of 100 service accounts: /healthz within ${HEALTHZ_MAX_MS} ms throughout`, async (t) => {
    await withinBound(t, async () => {
      const watch = watchHealth(server)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const started = performance.now()
      const loaded = await loadFixture(accountsFixture())
      const took = performance.now() - started
      const { latencies } = await watch.stop()
      assert.equal(loaded.status, 200, loaded.text)
      assert.equal(JSON.parse(loaded.text).loaded.serviceAccounts, 100)
      assert.ok(latencies.length >= 5, `probed while loading: ${latencies.length}`)
      const max = Math.max(...latencies)
      return { max, note: `100 accounts loaded in ${took.toFixed(0)} ms; /healthz ${latencies.length} probes, max ${max.toFixed(1)} ms` }
    })
  })

  test(`a ${CHECKPOINTS.toLocaleString('en')}-checkpoint fixture (tens of MB): /healthz within ${HEALTHZ_MAX_MS} ms, memory bounded, one load at a time`, async (t) => {
    const body = checkpointsFixture(CHECKPOINTS)
    const mb = (body.length / 1024 / 1024).toFixed(1)
    await withinBound(t, async () => {
      const before = await rssMb(server.child.pid as number)
      const watch = watchHealth(server)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const started = performance.now()
      const loading = loadFixture(body)
      // A second document while the first loads is refused at once, before its body is read.
      await new Promise((resolve) => setTimeout(resolve, 300))
      const second = await fetch(`${server.url}/_admin/v1/fixtures`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(WORLD),
      })
      const loaded = await loading
      const took = performance.now() - started
      const { latencies, maxRssMb } = await watch.stop()
      assert.equal(loaded.status, 200, loaded.text)
      assert.equal(JSON.parse(loaded.text).loaded.checkpoints, CHECKPOINTS)
      assert.equal(second.status, 409, await second.clone().text())
      assert.equal(second.headers.get('retry-after'), '5')
      assert.equal(((await second.json()) as { errorCode: string }).errorCode, 'FIXTURE_LOAD_IN_PROGRESS')
      assert.ok(maxRssMb - before < RSS_GROWTH_MAX_MB, `RSS grew by ${(maxRssMb - before).toFixed(0)} MB loading ${mb} MB`)
      const page = await fetch(`${server.url}/_admin/v1/groups/${GROUP}/clusters/${CLUSTER}/checkpoints?itemsPerPage=1`, { headers: { authorization: `Bearer ${ADMIN}` } })
      assert.equal(((await page.json()) as { totalCount: number }).totalCount, CHECKPOINTS)
      const max = Math.max(...latencies)
      const note = `${mb} MB loaded in ${took.toFixed(0)} ms; /healthz ${latencies.length} probes, max ${max.toFixed(1)} ms; RSS ${before.toFixed(0)} MB before, max ${maxRssMb.toFixed(0)} MB`
      return { max, note }
    })
  })
})
