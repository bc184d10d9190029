import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { stopProcess } from '../helpers/cli-process.js'
import { DigestCaller, runAttack, type AttackCall } from './memory-attack.js'
import { startServe, type ServeProcess } from './serve-process.js'

/**
 * Issue 13, item 1, scaled down: a read-only caller (the public demo key), within the default rate limit,
 * asks for large pages whose bodies differ only by what the caller chose (the Host in every link, the
 * page size, pretty/envelope, the dialect, includeCount). Before every cache and memo was bounded in
 * bytes, each body was kept (16 per page record, 64 records), so the server grew to gigabytes and died.
 * Now its resident memory must stay under the ceiling, and it must still answer.
 *
 * The ceiling: a fresh `serve --demo` is about 70-110 MiB; the caches add at most 16 MiB of remembered
 * answers, 16 MiB of memoized bodies and 60 MiB of store records (docs/security.md); each request in
 * flight allocates tens of MB for a while (the page read, its view, the 7.5 MB text and its bytes), which
 * V8 collects lazily: the bounded server peaked at 280-300 MiB here. Unbounded, the 60-shard run passed
 * 630 MiB after 96 requests (870 MiB after 288) and the long-Host one 905 MiB after 100, growing with
 * every new variant until the heap limit killed it.
 */
const CEILING_MIB = 512
const V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'

/** A Host as long as the 16 KiB header limit allows beside the request line and the Authorization. */
const longHost = (i: number): string => `h${i}.${'a'.repeat(15_000)}`

describe('memory under hostile but authorised reads (a real `waymark serve --demo`)', { timeout: 180_000 }, () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'waymark-memory-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('long Host headers × page sizes × pretty/envelope: resident memory stays bounded and the server answers', async () => {
    const server = await startServe(['--demo', '--store', `sqlite:${join(dir, 'hosts.sqlite')}`])
    const caller = new DigestCaller(server.url, KEYS.demoread, 2)
    try {
      const calls: AttackCall[] = []
      // 10 page sizes × 10 hosts: 100 distinct bodies of 3.5 to 8 MB each (Cluster0 has 672 checkpoints).
      for (let size = 0; size < 10; size++) {
        for (let host = 0; host < 10; host++) {
          const items = 500 - size * 30
          calls.push({
            target: `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?pretty=true&envelope=true&itemsPerPage=${items}`,
            host: longHost(host),
          })
        }
      }
      const report = await runAttack(server.child.pid!, caller, calls, { concurrency: 2, ceilingMiB: CEILING_MIB })
      console.log(`long hosts: ${JSON.stringify(report)}`)
      assert.equal(report.stoppedBecause, undefined, report.stoppedBecause)
      assert.equal(report.requests, calls.length)
      // A Host longer than a DNS name is no host: links carry the listening address instead.
      const page = await caller.get(calls[0]!.target.replace('itemsPerPage=500', 'itemsPerPage=1'), longHost(0))
      assert.equal(page.status, 200)
      assert.ok(!page.head.includes('aaaa') && page.head.includes(`"href" : "${server.url}/api/atlas/v1.0/`), page.head)
      await stillAnswers(server, caller)
    } finally {
      caller.close()
      await stopProcess(server.child)
    }
  })

  it('--public-url, a 60-shard cluster: dialects × pretty × envelope × includeCount × page sizes stay bounded', async () => {
    const fixture = join(dir, 'wide.json')
    writeFileSync(fixture, JSON.stringify(wideCluster(60, 400)))
    const server = await startServe(['--demo', '--fixtures', fixture, '--public-url', 'https://waymark.example.net', '--store', `sqlite:${join(dir, 'wide.sqlite')}`])
    const caller = new DigestCaller(server.url, KEYS.demoread, 2)
    try {
      const calls: AttackCall[] = []
      const paths = [
        { prefix: '/api/atlas/v2', cluster: 'Wide60', collection: 'backupCheckpoints', accept: V2_ACCEPT },
        { prefix: '/api/atlas/v1.0', cluster: 'Wide60', collection: 'backupCheckpoints' },
        { prefix: '/api/public/v1.0', cluster: WIDE_ID, collection: 'checkpoints' },
      ]
      for (const items of [400, 390, 380, 370, 360, 350, 340, 330]) {
        for (const path of paths) {
          for (const pretty of [true, false]) {
            for (const envelope of [true, false]) {
              for (const includeCount of [true, false]) {
                const query = `pretty=${pretty}&envelope=${envelope}&includeCount=${includeCount}&itemsPerPage=${items}`
                const target = `${path.prefix}/groups/${IDS.projectA}/clusters/${path.cluster}/${path.collection}?${query}`
                calls.push({ target, ...(path.accept !== undefined ? { accept: path.accept } : {}) })
              }
            }
          }
        }
      }
      const report = await runAttack(server.child.pid!, caller, calls, { concurrency: 2, ceilingMiB: CEILING_MIB })
      console.log(`public URL, 60 shards: ${JSON.stringify(report)}`)
      assert.equal(report.stoppedBecause, undefined, report.stoppedBecause)
      assert.ok(report.bytesAnswered > 400e6, `${report.bytesAnswered} bytes answered`)
      await stillAnswers(server, caller)
    } finally {
      caller.close()
      await stopProcess(server.child)
    }
  })
})

async function stillAnswers(server: ServeProcess, caller: DigestCaller): Promise<void> {
  const health = await fetch(`${server.url}/healthz`)
  assert.equal(health.status, 200)
  const page = await caller.get(`/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=5`)
  assert.equal(page.status, 200)
}

const WIDE_ID = '65a1f0c2e4b0a1b2c3d4e5ff'

/** A cluster of `shards` shards (and a CSRS) in the demo project, with `count` checkpoints. */
function wideCluster(shards: number, count: number): object {
  const names = Array.from({ length: shards }, (_, i) => `wide60-shard-${i}`)
  const checkpoints = Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(2020, 6, 1) + i * 900_000).toISOString().replace('.000Z', 'Z')
    const part = (typeName: string, name: string, shard: boolean): object => ({
      typeName,
      replicaSetName: name,
      ...(shard ? { shardName: name } : {}),
      tokenDiscovered: true,
      tokenTimestamp: { date: at, increment: 1 },
    })
    return {
      id: `5f1a${i.toString(16).padStart(20, '0')}`,
      clusterId: WIDE_ID,
      groupId: IDS.projectA,
      started: at,
      completed: at,
      timestamp: at,
      restorable: true,
      parts: [...names.map((name) => part('REPLICA_SET', name, true)), part('CONFIG_SERVER_REPLICA_SET', 'wide60-config', false)],
    }
  })
  return {
    clusters: [
      {
        id: WIDE_ID,
        groupId: IDS.projectA,
        name: 'Wide60',
        type: 'SHARDED',
        backup: 'LEGACY',
        featureCompatibilityVersion: '4.0',
        shards: names.map((name) => ({ shardName: name, replicaSetName: name })),
        configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'wide60-config' },
      },
    ],
    checkpoints,
  }
}
