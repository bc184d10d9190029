import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { CLI, runWaymark, stopProcess } from '../helpers/cli-process.js'
import { startServe } from '../ops/serve-process.js'

// Issue 13, item 6: a SQLite file that is not a database, or is damaged mid-file, started and answered
// /readyz 200; only the damaged pages answered 500. Now: refused at start with one line; a damaged page met
// later answers 503 and is logged once. The real CLI and a real `waymark serve`.

const ORG = '65a1f0c2e4b0a1b2c3d4f301'
const GROUP = '65a1f0c2e4b0a1b2c3d4f311'
const CLUSTER = '65a1f0c2e4b0a1b2c3d4f321'
const CLIENT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4f3c1', clientSecret: 'mdb_sa_sk_damaged-file-secret' }
const COUNT = 3000

function fixture(): object {
  const checkpoints = Array.from({ length: COUNT }, (_, i) => {
    const at = new Date(Date.UTC(2025, 0, 1) + i * 900_000).toISOString().slice(0, 19) + 'Z'
    const part = (n: number) => ({ typeName: 'REPLICA_SET', replicaSetName: `rs${n}`, shardName: `rs${n}`, tokenDiscovered: true, tokenTimestamp: { date: at, increment: 1 } })
    return { id: (0x65a1f0c2n * 2n ** 64n + BigInt(i)).toString(16).padStart(24, '0'), clusterId: CLUSTER, groupId: GROUP, started: at, completed: at, timestamp: at, restorable: true, parts: [part(0), part(1), part(2)] }
  })
  return {
    organizations: [{ id: ORG, name: 'Damaged' }],
    projects: [{ id: GROUP, orgId: ORG, name: 'P' }],
    clusters: [{ id: CLUSTER, groupId: GROUP, name: 'Cluster0', type: 'SHARDED', backup: 'LEGACY', featureCompatibilityVersion: '4.0', shards: [0, 1].map((n) => ({ shardName: `rs${n}`, replicaSetName: `rs${n}` })), configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'rs2' } }],
    checkpoints,
    serviceAccounts: [{ ...CLIENT, orgId: ORG, roles: [{ groupId: GROUP, roleName: 'GROUP_READ_ONLY' }] }],
  }
}

/** Overwrites a page with random bytes: the middle one of the file, or of a table's leaves. */
async function damagePage(file: string, table?: string): Promise<void> {
  let page = Math.floor((await stat(file)).size / 2 / 4096) + 1
  if (table !== undefined) {
    const db = new Database(file, { readonly: true })
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").pluck().all(table) as number[]
    db.close()
    page = leaves[Math.floor(leaves.length / 2)] ?? assert.fail(`no leaf page of ${table}`)
  }
  const handle = await open(file, 'r+')
  try {
    await handle.write(randomBytes(4096), 0, 4096, (page - 1) * 4096)
  } finally {
    await handle.close()
  }
}

/** `waymark serve` on the store until it exits (it must, refusing the file): its exit code and stderr. */
function serveUntilExit(url: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-produce', '--store', url])
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (/serving on /.test(stderr)) {
        child.kill('SIGKILL')
        reject(new Error(`serve started on a damaged file: ${stderr}`))
      }
    })
    child.on('exit', (code) => resolve({ code, stderr }))
  })
}

describe('damaged SQLite files', () => {
  let dir: string
  let fixtureFile: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-damaged-'))
    fixtureFile = join(dir, 'fixture.json')
    await writeFile(fixtureFile, JSON.stringify(fixture()))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function loadedStore(name: string): Promise<string> {
    const file = join(dir, name)
    const loaded = await runWaymark(['load', fixtureFile, '--store', `sqlite:${file}`])
    assert.equal(loaded.code, 0, loaded.stderr)
    return file
  }

  test('a file that is no database is refused at start with one line naming it', async () => {
    const file = join(dir, 'junk.sqlite')
    await writeFile(file, randomBytes(64 * 1024))
    const { code, stderr } = await serveUntilExit(`sqlite:${file}`)
    assert.equal(code, 1)
    assert.equal(stderr.trim().split('\n').length, 1, stderr)
    // The CLI's store line (cli/cli-store.ts): the store named, then the damage and what to do.
    const path = file.replaceAll('/', '\\/')
    assert.match(stderr, new RegExp(`^waymark: cannot use the store sqlite:${path} \\(from --store\\): ${path} is not a SQLite database or is damaged \\(.*restore it from a backup`))
  })

  test('a file damaged mid-file is refused at start with one line (quick integrity check)', async () => {
    const file = await loadedStore('middle.sqlite')
    await damagePage(file)
    const { code, stderr } = await serveUntilExit(`sqlite:${file}`)
    assert.equal(code, 1)
    assert.equal(stderr.trim().split('\n').length, 1, stderr)
    assert.match(stderr, /is not a SQLite database or is damaged \(.+\); restore it from a backup/)
  })

  test('a damaged page met while serving answers 503 with Retry-After, logged once', async () => {
    const file = await loadedStore('later.sqlite')
    const server = await startServe(['--store', `sqlite:${file}`], { WAYMARK_LOG_LEVEL: 'info' })
    try {
      const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')
      const issued = await fetch(`${server.url}/api/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
      const { access_token: token } = (await issued.json()) as { access_token: string }
      await damagePage(file, 'checkpoints')
      // Another connection's commit makes the server's connection drop the pages it had cached.
      const other = new Database(file)
      other.exec('INSERT INTO write_probe (id, probed_at) VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET probed_at = probed_at + 1')
      other.close()
      const statuses: number[] = []
      for (let page = 1; page <= COUNT / 500; page++) {
        for (let attempt = 0; attempt < 2; attempt++) {
          const res = await fetch(`${server.url}/api/public/v1.0/groups/${GROUP}/clusters/${CLUSTER}/checkpoints?itemsPerPage=500&pageNum=${page}`, {
            headers: { authorization: `Bearer ${token}` },
          })
          const body = await res.text()
          statuses.push(res.status)
          if (res.status === 503) {
            assert.equal(res.headers.get('retry-after'), '5')
            assert.equal(JSON.parse(body).errorCode, 'SERVICE_UNAVAILABLE')
          } else assert.equal(res.status, 200, body)
        }
      }
      assert.ok(statuses.filter((s) => s === 503).length >= 2, `the damaged page is met (twice): ${statuses.join(' ')}`)
      const lines = server.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
      const damaged = lines.filter((l) => l['msg'] === 'store damaged')
      assert.equal(damaged.length, 1, JSON.stringify(lines))
      assert.equal(damaged[0]?.['level'], 50)
      assert.match(String(damaged[0]?.['reason']), /^The store file is damaged: /)
      assert.deepEqual(lines.filter((l) => Number(l['level']) >= 50 && l['msg'] !== 'store damaged'), [])
    } finally {
      await stopProcess(server.child)
    }
  })
})
