import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
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
 * Asks /healthz every 10 ms (one connection, keep-alive) until `stop`; answers the latencies (ms) and the
 * highest resident memory of the server seen meanwhile.
 */
function watchHealth(server: ServeProcess): { stop(): Promise<{ latencies: number[]; maxRssMb: number }> } {
  const { hostname, port } = new URL(server.url)
  const latencies: number[] = []
  let maxRssMb = 0
  let running = true
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now()
      const req = request({ host: hostname, port, path: '/healthz', agent: false, headers: { connection: 'close' } }, (res) => {
        res.resume()
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`healthz ${res.statusCode}`))))
      })
      req.on('error', reject)
      req.end()
    })
  const loop = (async () => {
    while (running) {
      latencies.push(await once())
      maxRssMb = Math.max(maxRssMb, await rssMb(server.child.pid as number))
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return { latencies, maxRssMb }
    },
  }
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
    const watch = watchHealth(server)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    const loaded = await loadFixture(accountsFixture())
    const took = performance.now() - started
    const { latencies } = await watch.stop()
    assert.equal(loaded.status, 200, loaded.text)
    assert.equal(JSON.parse(loaded.text).loaded.serviceAccounts, 100)
    const max = Math.max(...latencies)
    t.diagnostic(`100 accounts loaded in ${took.toFixed(0)} ms; /healthz ${latencies.length} probes, max ${max.toFixed(1)} ms`)
    assert.ok(latencies.length >= 5, `probed while loading: ${latencies.length}`)
    assert.ok(max < HEALTHZ_MAX_MS, `/healthz took up to ${max.toFixed(1)} ms while loading`)
  })
})
