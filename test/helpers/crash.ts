import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import type { Checkpoint, Cluster } from '../../src/domain/types.js'
import { validateFixture } from '../../src/fixtures/validate-fixture.js'
import { history } from '../../src/producer/history.js'
import { openStore } from '../../src/storage/open-store.js'
import { ADVISORY_LOCK_KEY } from '../../src/storage/postgres/postgres-migrations.js'
import { CLI, runWaymark, servingUrl, stopProcess } from './cli-process.js'
import { digestAuthorization, parseChallenge } from './digest-client.js'
import { sql } from './postgres.js'
import { ATLAS_V2_ACCEPT } from './test-app.js'

/**
 * What the crash-safety tests (test/crash/) share: a large deterministic history, killing a `waymark`
 * child with SIGKILL at a chosen moment, and checking what the store holds afterwards through the CLI
 * (`waymark migrate`) and a `waymark serve` child (HTTP). No side effects on import.
 */

export const ORG_ID = '5f0d00000000000000000001'
export const GROUP_ID = '5f0d00000000000000000002'
export const CLUSTER_ID = '5f0d00000000000000000003'
export const KEY = { publicKey: 'crashkey', privateKey: '8d3c1b2a-4f5e-4a6b-9c7d-0e1f2a3b4c5d' } as const
export const SEED = 77
/** The histories start here: far enough in the past that nothing is restorable or in flight. */
export const FROM = Date.parse('2000-01-01T00:00:00Z') / 1000
export const INTERVAL = 900

/** An organization, a project, a sharded cluster on a 15-minute schedule and a key that reads it. */
export const BASE_FIXTURE = {
  organizations: [{ id: ORG_ID, name: 'Crash Org' }],
  projects: [{ id: GROUP_ID, orgId: ORG_ID, name: 'Crash Project' }],
  clusters: [
    {
      id: CLUSTER_ID,
      groupId: GROUP_ID,
      name: 'Crash',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [0, 1, 2].map((i) => ({ shardName: `Crash-shard-${i}`, replicaSetName: `Crash-shard-${i}` })),
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Crash-config' },
      checkpointIntervalMinutes: 15,
      pointInTimeWindowHours: 24,
    },
  ],
  apiKeys: [{ ...KEY, orgId: ORG_ID, roles: [{ groupId: GROUP_ID, roleName: 'GROUP_READ_ONLY' }] }],
}

export function crashCluster(): Cluster {
  const validated = validateFixture(BASE_FIXTURE)
  assert.ok(validated.ok)
  const cluster = validated.data.clusters[0]
  assert.ok(cluster)
  return cluster
}

/** The first `count` checkpoints of the cluster's schedule from {@link FROM}, oldest first, as `waymark generate --seed` makes them. */
export function expectedHistory(count: number): Checkpoint[] {
  const to = FROM + count * INTERVAL
  const checkpoints = [...history({ cluster: crashCluster(), seed: SEED, from: FROM, to, intervalSeconds: INTERVAL, asOf: to + 86_400 })]
  assert.equal(checkpoints.length, count)
  return checkpoints
}

export const isoOfSeconds = (seconds: number): string => `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`

/** A `waymark` child whose output is collected; `exit` resolves with its code or signal. */
export interface Child {
  readonly process: ChildProcess
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output(): string
}

export function spawnWaymark(args: string[]): Child {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { process: child, exit, output: () => output }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Polls `probe` every 10 ms until it says yes, then waits `delayMs` more and SIGKILLs the child. Fails
 * when the child ends by itself first (it finished before the moment came), except that with `allowFinish`
 * an end during the delay (exit code 0) answers undefined. Returns how long after the spawn the kill was sent.
 */
export async function killWhen(child: Child, spawnedAt: number, probe: () => Promise<boolean>, delayMs: number): Promise<number>
export async function killWhen(
  child: Child,
  spawnedAt: number,
  probe: () => Promise<boolean>,
  delayMs: number,
  allowFinish: boolean,
): Promise<number | undefined>
export async function killWhen(
  child: Child,
  spawnedAt: number,
  probe: () => Promise<boolean>,
  delayMs: number,
  allowFinish = false,
): Promise<number | undefined> {
  let ended = false
  void child.exit.then(() => (ended = true))
  while (!(await probe())) {
    if (ended) assert.fail(`the child ended before it could be killed: ${child.output()}`)
    await sleep(10)
  }
  if (delayMs > 0) await sleep(delayMs)
  const killedAt = performance.now() - spawnedAt
  child.process.kill('SIGKILL')
  const { code, signal } = await child.exit
  // It may have been exiting already when the signal was sent.
  if (allowFinish && code === 0) return undefined
  assert.equal(signal, 'SIGKILL', `the child was killed, not finished (exit ${code}): ${child.output()}`)
  return killedAt
}


/**
 * Whether an `apply` is writing to the store now: another process holds the lock it writes under. On
 * SQLite the database's write lock (`apply` is a BEGIN IMMEDIATE transaction; the schema's migration, a
 * write too, is told apart by the tables not being there yet; SQLite keeps a transaction's pages in memory
 * and writes them to its log at commit, so the files do not show a write in progress); on PostgreSQL the
 * schema's apply advisory lock, which `apply` takes first in its transaction.
 */
export async function writing(url: string): Promise<boolean> {
  if (url.startsWith('sqlite:')) {
    let db: Database.Database
    try {
      db = new Database(url.slice('sqlite:'.length), { fileMustExist: true, timeout: 0 })
    } catch {
      return false // not created yet
    }
    const busy = (error: unknown) => (error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true
    try {
      // Locked while the file is being created and switched to WAL: not yet migrated, so not writing.
      let migrated: boolean
      try {
        migrated = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'checkpoints'").get() !== undefined
      } catch (error) {
        if (busy(error)) return false
        throw error
      }
      if (!migrated) return false
      try {
        db.exec('BEGIN IMMEDIATE')
        db.exec('ROLLBACK')
        return false
      } catch (error) {
        if (busy(error)) return true
        throw error
      }
    } finally {
      db.close()
    }
  }
  // The transaction-level advisory lock every apply takes first: (ADVISORY_LOCK_KEY, hashtext('apply:' || schema)).
  const schema = new URL(url).searchParams.get('schema') ?? 'public'
  const rows = await sql(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::bigint::text::oid
       AND objid = (hashtext('apply:' || $2)::bigint & 4294967295)::text::oid`,
    [ADVISORY_LOCK_KEY, schema],
  )
  return rows.length > 0
}

/** `waymark migrate` on the store: it opens and says its schema is current. */
export async function assertMigrateCurrent(url: string): Promise<void> {
  const res = await runWaymark(['migrate', '--store', url])
  assert.equal(res.code, 0, res.stderr)
  assert.match(res.stdout, /: already at schema version \d+\n$/)
}

/** What `waymark migrate` says, without a process: opening the store applied no migration. */
export async function assertOpensCurrent(url: string): Promise<void> {
  const store = await openStore(url)
  try {
    assert.deepEqual(store.migration.applied, [], 'the schema is current')
  } finally {
    await store.close()
  }
}

/** A `waymark serve` child on the store, for the duration of `use`. */
export async function withServe<T>(url: string, use: (get: (path: string) => Promise<Response>) => Promise<T>): Promise<T> {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', url, '--log-level', 'silent', '--no-produce', '--no-rate-limit'])
  try {
    const base = await servingUrl(server)
    const get = async (path: string): Promise<Response> => {
      const headers = { accept: ATLAS_V2_ACCEPT }
      const challenge = await fetch(`${base}${path}`, { headers })
      await challenge.arrayBuffer()
      assert.equal(challenge.status, 401)
      const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
      const authorization = digestAuthorization({ credentials: KEY, method: 'GET', uri: path, nonce, nc: 1 })
      return fetch(`${base}${path}`, { headers: { ...headers, authorization } })
    }
    const ready = await fetch(`${base}/readyz`)
    assert.equal(ready.status, 200, await ready.text())
    return await use(get)
  } finally {
    await stopProcess(server)
  }
}

const LIST = `/api/atlas/v2/groups/${GROUP_ID}/clusters/Crash/backupCheckpoints`
const PER_PAGE = 500

/**
 * Through a `waymark serve` child: the cluster's list answers `expected` (oldest first) newest first,
 * with the right totalCount on every page, pages 1, 2, a middle one, the last and the one past it exactly
 * the expected checkpoints; one checkpoint by id on the Ops Manager path. The dense ranks are what make
 * those pages right. Returns how many pages were checked.
 */
export async function assertServedHistory(url: string, expected: readonly Checkpoint[]): Promise<void> {
  await withServe(url, async (get) => {
    const pages = Math.ceil(expected.length / PER_PAGE)
    const spots = [...new Set([1, 2, Math.max(1, Math.floor(pages / 2)), pages, pages + 1])]
    for (const pageNum of spots) {
      const res = await get(`${LIST}?pageNum=${pageNum}&itemsPerPage=${PER_PAGE}`)
      assert.equal(res.status, 200)
      const body = (await res.json()) as { totalCount: number; results: Array<Record<string, unknown>> }
      assert.equal(body.totalCount, expected.length, `totalCount on page ${pageNum}`)
      const newestFirst = (n: number) => expected[expected.length - 1 - n]
      const want = Array.from({ length: Math.max(0, Math.min(PER_PAGE, expected.length - (pageNum - 1) * PER_PAGE)) }, (_, i) =>
        newestFirst((pageNum - 1) * PER_PAGE + i),
      )
      assert.deepEqual(
        body.results.map(({ links: _links, ...checkpoint }) => checkpoint),
        want,
        `page ${pageNum} of ${pages}`,
      )
    }
    const middle = expected[Math.floor(expected.length / 2)]
    if (middle) {
      const res = await get(`/api/public/v1.0/groups/${GROUP_ID}/clusters/${CLUSTER_ID}/checkpoints/${middle.id}`)
      assert.equal(res.status, 200)
      const { links: _links, ...checkpoint } = (await res.json()) as Record<string, unknown>
      assert.deepEqual(checkpoint, middle)
    }
  })
}

/** Through a `waymark serve` child on a store that holds nothing of the fixture: the key is unknown (401). */
export async function assertServedNothing(url: string): Promise<void> {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', url, '--log-level', 'silent', '--no-produce'])
  try {
    const base = await servingUrl(server)
    assert.equal((await fetch(`${base}/readyz`)).status, 200)
    const challenge = await fetch(`${base}${LIST}`, { headers: { accept: ATLAS_V2_ACCEPT } })
    assert.equal(challenge.status, 401)
    const { nonce } = parseChallenge(String(challenge.headers.get('www-authenticate')))
    const authorization = digestAuthorization({ credentials: KEY, method: 'GET', uri: LIST, nonce, nc: 1 })
    const res = await fetch(`${base}${LIST}`, { headers: { accept: ATLAS_V2_ACCEPT, authorization } })
    assert.equal(res.status, 401, 'the fixture\'s key is not in the store')
  } finally {
    await stopProcess(server)
  }
}
