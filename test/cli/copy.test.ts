import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Checkpoint, CheckpointPart, Cluster } from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { mulberry32 } from '../../src/fixtures/prng.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS, TEST_FIXTURE } from '../helpers/fixtures.js'
import {
  POSTGRES_SERVER,
  POSTGRES_URL,
  dropSchema,
  freshSchemaName,
  postgresUnreachable,
  reportUnreachable,
  schemaUrl,
  sql,
} from '../helpers/postgres.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { runWaymark as waymark, CLI } from '../helpers/cli-process.js'




const EMPTY: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

/** A sharded cluster of the demo project holding {@link GENERATED_COUNT} generated checkpoints. */
const GENERATED: Cluster = {
  id: '65a1f0c2e4b0a1b2c3d4e520',
  groupId: IDS.projectA,
  name: 'Generated0',
  type: 'SHARDED',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [0, 1, 2].map((n) => ({ shardName: `gen-shard-${n}`, replicaSetName: `gen-shard-${n}` })),
  configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'gen-config' },
  // A schedule other than the defaults, so that the comparison shows the schedule columns are copied.
  checkpointIntervalMinutes: 30,
  pointInTimeWindowHours: 48,
}
const GENERATED_COUNT = 100_000
const GENERATED_START = Date.UTC(2023, 0, 1) / 1000

function iso(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`
}

/**
 * The i-th generated checkpoint, deterministic: one every 5 minutes, with a pair sharing each 97th
 * timestamp (ties are ordered by id), an in-progress one now and then and undiscovered tokens.
 */
function generated(i: number, rng: () => number): Checkpoint {
  const seconds = GENERATED_START + Math.floor(i / 2) * 300 + (i % 2 === 1 && i % 97 !== 1 ? 150 : 0)
  const discovered = rng() > 0.01
  const parts: CheckpointPart[] = [
    ...GENERATED.shards.map((s, n) => ({
      typeName: 'REPLICA_SET' as const,
      replicaSetName: s.replicaSetName,
      shardName: s.shardName,
      tokenDiscovered: n !== 1 || discovered,
      tokenTimestamp: { date: iso(seconds - n), increment: 1 + Math.floor(rng() * 9) },
    })),
    { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'gen-config', tokenDiscovered: true, tokenTimestamp: { date: iso(seconds), increment: 3 } },
  ]
  const inProgress = rng() < 0.002
  return {
    id: `${seconds.toString(16).padStart(8, '0')}${(0xabc000000000 + i).toString(16).padStart(16, '0')}`,
    clusterId: GENERATED.id,
    groupId: GENERATED.groupId,
    started: iso(seconds - 7),
    ...(inProgress ? {} : { completed: iso(seconds + 6) }),
    timestamp: iso(seconds),
    restorable: discovered && !inProgress,
    parts,
  }
}

/** Writes the generated cluster through the store's apply, 10,000 checkpoints a transaction. */
async function generate(store: Store): Promise<void> {
  await store.apply({ ...EMPTY, clusters: [GENERATED] })
  const rng = mulberry32(4_100_000)
  for (let i = 0; i < GENERATED_COUNT; i += 10_000) {
    const batch: Checkpoint[] = []
    for (let j = i; j < Math.min(GENERATED_COUNT, i + 10_000); j++) batch.push(generated(j, rng))
    await store.apply({ ...EMPTY, checkpoints: batch })
  }
}

/** Service accounts reading everything of each organization, to call both apps with bearer tokens. */
const READER_A = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c1', clientSecret: 'mdb_sa_sk_copy-reader-a', orgId: IDS.orgA }
const READER_B = { clientId: 'mdb_sa_id_75b2a1d3f5c6b7a8c9d0e6c2', clientSecret: 'mdb_sa_sk_copy-reader-b', orgId: IDS.orgB }
const SERVICE_ACCOUNTS = {
  serviceAccounts: [READER_A, READER_B].map((a) => ({ ...a, name: 'copy test', roles: [{ orgId: a.orgId, roleName: 'ORG_READ_ONLY' }] })),
}

/**
 * The source's data: the demo, the test fixture (whose load gives its clusters snapshots and a schedule),
 * two service accounts, a snapshot schedule other than the defaults, and restore jobs through the admin API:
 * a sharded cluster's batch (one job a part), one of them ended KILLED, so the copy must carry every field.
 */
async function seed(store: Store): Promise<void> {
  await store.apply(demoDataSet())
  await loadFixture(TEST_FIXTURE, store)
  await loadFixture(SERVICE_ACCOUNTS, store)
  const app = await appFor(store)
  try {
    const cluster = `/_admin/v1/groups/${IDS.projectA}/clusters/${IDS.cluster0}`
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
    const schedule = await app.inject({
      method: 'PATCH',
      url: `/api/public/v1.0/groups/${IDS.projectA}/backupConfigs/${IDS.cluster0}/snapshotSchedule`,
      headers: { authorization: digestAuthorization({ credentials: KEYS.grpowner, method: 'PATCH', uri: `/api/public/v1.0/groups/${IDS.projectA}/backupConfigs/${IDS.cluster0}/snapshotSchedule`, nonce: await nonceOf(app), nc: 1 }), 'content-type': 'application/json' },
      payload: { snapshotIntervalHours: 8, dailySnapshotRetentionDays: 9 },
    })
    assert.equal(schedule.statusCode, 200, schedule.body)
    const created = await app.inject({ method: 'POST', url: `${cluster}/restoreJobs`, headers: admin, payload: { delivery: { methodName: 'HTTP', maxDownloads: 3, expirationHours: 5 } } })
    assert.equal(created.statusCode, 201, created.body)
    const [first] = created.json().results as Array<{ id: string }>
    assert.ok(first)
    const ended = await app.inject({ method: 'POST', url: `${cluster}/restoreJobs/${first.id}/end`, headers: admin, payload: { statusName: 'KILLED' } })
    assert.equal(ended.statusCode, 200, ended.body)
  } finally {
    await app.close()
  }
}

const ADMIN_TOKEN = 'copy-test-admin-token'

function appFor(store: Store): Promise<FastifyInstance> {
  return buildApp({ config: loadConfig({ logLevel: 'silent', rateLimit: false, adminToken: ADMIN_TOKEN }, {}), store })
}

async function nonceOf(app: FastifyInstance): Promise<string> {
  const challenge = await app.inject({ url: `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints` })
  return parseChallenge(String(challenge.headers['www-authenticate'])).nonce
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

async function token(app: FastifyInstance, account: { clientId: string; clientSecret: string }): Promise<string> {
  const basic = `Basic ${Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64')}`
  const res = await app.inject({ method: 'POST', url: '/api/oauth/token', headers: { ...FORM, authorization: basic }, payload: 'grant_type=client_credentials' })
  assert.equal(res.statusCode, 200, res.body)
  return String(res.json().access_token)
}

async function revoke(app: FastifyInstance, account: { clientId: string; clientSecret: string }, revoked: string): Promise<void> {
  const basic = `Basic ${Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64')}`
  const res = await app.inject({ method: 'POST', url: '/api/oauth/revoke', headers: { ...FORM, authorization: basic }, payload: `token=${revoked}` })
  assert.equal(res.statusCode, 200, res.body)
}

/** Both apps answer the same way: status, Content-Type and body byte for byte. Returns the body. */
async function sameAnswer(apps: readonly [FastifyInstance, FastifyInstance], url: string, bearer: string): Promise<string> {
  const headers = { authorization: `Bearer ${bearer}`, ...(url.startsWith('/api/atlas/v2/') ? { accept: ATLAS_V2_ACCEPT } : {}) }
  const [a, b] = await Promise.all(apps.map((app) => app.inject({ url, headers })))
  assert.ok(a && b)
  assert.equal(b.statusCode, a.statusCode, url)
  assert.equal(b.headers['content-type'], a.headers['content-type'], url)
  assert.equal(b.body, a.body, url)
  return a.body
}

function listUrls(cluster: Cluster): string[] {
  return [
    `/api/atlas/v2/groups/${cluster.groupId}/clusters/${cluster.name}/backupCheckpoints`,
    `/api/atlas/v1.0/groups/${cluster.groupId}/clusters/${cluster.name}/backupCheckpoints`,
    `/api/public/v1.0/groups/${cluster.groupId}/clusters/${cluster.id}/checkpoints`,
  ]
}

/** A cluster's schedule, snapshots and restore jobs in the three dialects. */
function legacyBackupUrls(cluster: Cluster): string[] {
  const atlas = (version: string) => `/api/atlas/${version}/groups/${cluster.groupId}/clusters/${cluster.name}`
  const ops = `/api/public/v1.0/groups/${cluster.groupId}`
  return [
    ...['v2', 'v1.0'].flatMap((v) => [`${atlas(v)}/snapshotSchedule`, `${atlas(v)}/snapshots?itemsPerPage=500`, `${atlas(v)}/restoreJobs?itemsPerPage=500`]),
    `${ops}/backupConfigs/${cluster.id}/snapshotSchedule`,
    `${ops}/clusters/${cluster.id}/snapshots?itemsPerPage=500`,
    `${ops}/clusters/${cluster.id}/restoreJobs?itemsPerPage=500`,
  ]
}

/**
 * Compares two stores: every record kind through the store, every checkpoint through getCheckpoint on
 * both, and through HTTP every list page of every cluster in the three dialects (500 a page; the large
 * cluster all pages on Atlas v2 and a spread on the others) plus gets of a sample of checkpoints.
 */
async function assertSameStores(source: Store, target: Store, bearer: { readonly [orgId: string]: string }): Promise<{ checkpoints: number }> {
  assert.deepEqual(await target.listOrganizations(), await source.listOrganizations())
  assert.deepEqual(await target.listProjects(), await source.listProjects())
  const clusters = await source.listClusters()
  assert.deepEqual(await target.listClusters(), clusters)
  assert.deepEqual(await target.listApiKeys(), await source.listApiKeys())
  assert.deepEqual(await target.listServiceAccounts(), await source.listServiceAccounts())
  assert.deepEqual(await target.listSecrets(), await source.listSecrets())
  const now = Math.floor(Date.now() / 1000)
  assert.deepEqual(await target.listRevokedTokens(now), await source.listRevokedTokens(now))
  let snapshots = 0
  let restoreJobs = 0
  for (const cluster of clusters) {
    assert.deepEqual(await target.getSnapshotSettings(cluster.id), await source.getSnapshotSettings(cluster.id), cluster.name)
    const fromSource = await source.listSnapshotsOfCluster(cluster.id)
    assert.deepEqual(await target.listSnapshotsOfCluster(cluster.id), fromSource, cluster.name)
    const jobs = await source.pageRestoreJobs(cluster.id, undefined, { offset: 0, limit: 500 })
    assert.deepEqual(await target.pageRestoreJobs(cluster.id, undefined, { offset: 0, limit: 500 }), jobs, cluster.name)
    snapshots += fromSource.length
    restoreJobs += jobs.totalCount
  }
  // The seed's restore jobs, the schedule it set and snapshots are there to be compared.
  assert.ok(snapshots > 0 && restoreJobs > 1, `${snapshots} snapshots, ${restoreJobs} restore jobs`)
  assert.deepEqual(await source.getSnapshotSettings(IDS.cluster0), { snapshotIntervalHours: 8, dailySnapshotRetentionDays: 9 })

  let checkpoints = 0
  const sample: Array<{ cluster: Cluster; id: string }> = []
  for (const cluster of clusters) {
    const total = (await source.pageCheckpoints(cluster.id, { offset: 0, limit: 1 })).totalCount
    assert.equal((await target.pageCheckpoints(cluster.id, { offset: 0, limit: 1 })).totalCount, total, cluster.name)
    let after: Checkpoint | undefined
    for (;;) {
      const batch = await source.checkpointsAfter(cluster.id, after, 5_000)
      if (batch.length === 0) break
      for (let i = 0; i < batch.length; i += 100) {
        const ids = batch.slice(i, i + 100).map((c) => c.id)
        const [fromSource, fromTarget] = await Promise.all([
          Promise.all(ids.map((id) => source.getCheckpoint(cluster.id, id))),
          Promise.all(ids.map((id) => target.getCheckpoint(cluster.id, id))),
        ])
        assert.deepEqual(fromTarget, fromSource)
        assert.deepEqual(fromSource.map((c) => c?.id), ids)
      }
      checkpoints += batch.length
      for (let i = 0; i < batch.length; i += 997) sample.push({ cluster, id: batch[i]?.id ?? '' })
      after = batch.at(-1)
    }
  }

  const apps = [await appFor(source), await appFor(target)] as const
  try {
    for (const cluster of clusters) {
      const project = await source.getProject(cluster.groupId)
      const caller = bearer[project?.orgId ?? ''] ?? ''
      for (const [d, url] of listUrls(cluster).entries()) {
        const first = await sameAnswer(apps, `${url}?itemsPerPage=500`, caller)
        const total = Number(JSON.parse(first).totalCount ?? 0)
        const pages = Math.ceil(total / 500)
        const everyPage = pages <= 4 || d === 0
        for (let page = 2; page <= pages + 1; page++) {
          if (everyPage || page % 37 === 0 || page >= pages) await sameAnswer(apps, `${url}?pageNum=${page}&itemsPerPage=500`, caller)
        }
        await sameAnswer(apps, `${url}?pageNum=3&itemsPerPage=7&pretty=true&envelope=true&includeCount=false`, caller)
      }
      for (const url of legacyBackupUrls(cluster)) await sameAnswer(apps, url, caller)
    }
    for (const { cluster, id } of sample) {
      for (const url of listUrls(cluster)) await sameAnswer(apps, `${url}/${id}?pretty=true`, bearer[IDS.orgA] ?? '')
    }
  } finally {
    await Promise.all(apps.map((app) => app.close()))
  }
  return { checkpoints }
}

describe('waymark copy: the command line', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-copy-cli-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('refuses to copy a store onto itself, however the URL spells it (exit 2, nothing opened)', async () => {
    const file = join(dir, 'self.sqlite')
    const spelled = [
      [`sqlite:${file}`, `sqlite:${dir}/sub/.././self.sqlite`],
      [`sqlite:${file}`, file],
      [`${POSTGRES_URL}?schema=copy_self`, `postgresql://other:pw@${POSTGRES_SERVER.host}${POSTGRES_SERVER.port === 5432 ? '' : `:${POSTGRES_SERVER.port}`}/${POSTGRES_SERVER.database}?schema=copy_self`],
      [POSTGRES_URL, `${POSTGRES_URL}?schema=public`],
    ]
    for (const [from, to] of spelled) {
      const res = await waymark(['copy', '--from', from ?? '', '--to', to ?? ''])
      assert.equal(res.code, 2, `${from} → ${to}: ${res.stderr}`)
      assert.match(res.stderr, /--from and --to name the same store/)
    }
  })

  test('--help exits 0; a missing --to or a bad --batch-size is a usage error (exit 2)', async () => {
    const help = await waymark(['copy', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Usage: waymark copy \[options\]/)
    const from = `sqlite:${join(dir, 'from.sqlite')}`
    assert.equal((await waymark(['copy', '--from', from])).code, 2)
    for (const size of ['0', '-5', '1.5', 'lots', '100001']) {
      const res = await waymark(['copy', '--from', from, '--to', `sqlite:${join(dir, 'to.sqlite')}`, '--batch-size', size])
      assert.equal(res.code, 2, size)
      assert.match(res.stderr, /--batch-size/)
    }
  })

  test('copies SQLite to SQLite and, run again, finds everything already there', async () => {
    const from = `sqlite:${join(dir, 'small-source.sqlite')}`
    const to = `sqlite:${join(dir, 'small-target.sqlite')}`
    const store = await openStore(from)
    await seed(store)
    await store.close()
    const first = await waymark(['copy', '--from', from, '--to', to, '--batch-size', '100'])
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /^organizations: 2$/m)
    assert.match(first.stdout, /^clusters: 7$/m)
    assert.match(first.stdout, /^service accounts: 2$/m)
    assert.match(first.stdout, /^checkpoints: 851 \(851 copied, 0 already there, 7 clusters\) in [\d.]+ s, \d+\/s$/m)
    assert.match(first.stdout, /^copied everything in [\d.]+ s$/m)
    assert.equal(first.stderr, '')
    const again = await waymark(['copy', '--from', from, '--to', to])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /^checkpoints: 851 \(0 copied, 851 already there, 7 clusters, 5 resumed\)/m)
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('waymark copy between SQLite and PostgreSQL', why, process.env.CI === 'true')
} else {
  describe('waymark copy between SQLite and PostgreSQL', () => {
    let dir: string
    const schemas: string[] = []
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'waymark-copy-'))
    })
    after(async () => {
      for (const schema of schemas) await dropSchema(schema)
      await rm(dir, { recursive: true, force: true })
    })

    test('SQLite → PostgreSQL of the demo and 100,000 generated checkpoints, killed midway and resumed', async (t) => {
      const sourceUrl = `sqlite:${join(dir, 'source.sqlite')}`
      const schema = freshSchemaName()
      schemas.push(schema)
      const targetUrl = schemaUrl(schema)

      let started = performance.now()
      const source = await openStore(sourceUrl)
      await seed(source)
      await generate(source)
      t.diagnostic(`source written in ${Math.round(performance.now() - started)} ms`)

      // Servers on the source issue tokens and revoke one before the copy: the target must agree.
      const sourceApp = await appFor(source)
      const bearer = { [IDS.orgA]: await token(sourceApp, READER_A), [IDS.orgB]: await token(sourceApp, READER_B) }
      const revoked = await token(sourceApp, READER_A)
      await revoke(sourceApp, READER_A, revoked)
      const ops = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${GENERATED.id}/checkpoints?itemsPerPage=1`
      const challenge = await sourceApp.inject({ url: ops })
      const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
      await sourceApp.close()

      // First run: killed once it has copied some, not all, of the generated cluster.
      started = performance.now()
      const child = spawn(process.execPath, [CLI, 'copy', '--from', sourceUrl, '--to', targetUrl], { stdio: 'ignore' })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      let seen = 0
      for (let exitCode: number | null | undefined; ; ) {
        seen = await countGenerated(schema).catch(() => 0) // 0 until the copy has created the tables
        if (seen >= 15_000) break
        exitCode = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50))])
        if (exitCode !== undefined) assert.fail(`the copy ended (${exitCode}) before it could be killed, at ${seen}`)
      }
      child.kill('SIGKILL')
      assert.equal(await exited, null)
      const atKill = await countGenerated(schema)
      t.diagnostic(`killed after ${Math.round(performance.now() - started)} ms with ${atKill} generated checkpoints copied`)
      assert.ok(atKill >= 15_000 && atKill < GENERATED_COUNT, `killed midway: ${atKill}`)
      const [{ n: onTarget } = { n: '0' }] = await sql<{ n: string }>('SELECT count(*) AS n FROM checkpoints', [], schema)

      // Second run: continues where the first stopped and completes.
      started = performance.now()
      const resumed = await waymark(['copy', '--from', sourceUrl, '--to', targetUrl])
      const resumeMs = Math.round(performance.now() - started)
      assert.equal(resumed.code, 0, resumed.stderr)
      t.diagnostic(`resumed run: ${resumeMs} ms; ${resumed.stdout.trim().replaceAll('\n', ' | ')}`)
      const all = 851 + GENERATED_COUNT
      const match = /^checkpoints: (\d+) \((\d+) copied, (\d+) already there, 8 clusters/m.exec(resumed.stdout)
      assert.ok(match, resumed.stdout)
      assert.deepEqual(match.slice(1).map(Number), [all, all - Number(onTarget), Number(onTarget)])

      // The two stores now answer every list and get identically, tokens and nonces included.
      started = performance.now()
      const target = await openStore(targetUrl)
      try {
        const { checkpoints } = await assertSameStores(source, target, bearer)
        assert.equal(checkpoints, all)
        const targetApp = await appFor(target)
        try {
          const revokedCall = await targetApp.inject({ url: ops, headers: { authorization: `Bearer ${revoked}` } })
          assert.equal(revokedCall.statusCode, 401)
          const digest = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: ops, nonce, nc: 1 })
          assert.equal((await targetApp.inject({ url: ops, headers: { authorization: digest } })).statusCode, 200)
        } finally {
          await targetApp.close()
        }
      } finally {
        await target.close()
        await source.close()
      }
      t.diagnostic(`comparison: ${Math.round(performance.now() - started)} ms`)
    })

    test('PostgreSQL → SQLite of the demo', async () => {
      const schema = freshSchemaName()
      schemas.push(schema)
      const sourceUrl = schemaUrl(schema)
      const targetUrl = `sqlite:${join(dir, 'from-postgres.sqlite')}`
      const source = await openStore(sourceUrl)
      await seed(source)
      const sourceApp = await appFor(source)
      const bearer = { [IDS.orgA]: await token(sourceApp, READER_A), [IDS.orgB]: await token(sourceApp, READER_B) }
      await sourceApp.close()

      const res = await waymark(['copy', '--from', sourceUrl, '--to', targetUrl])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, /^checkpoints: 851 \(851 copied, 0 already there, 7 clusters\)/m)
      const target = await openStore(targetUrl)
      try {
        assert.equal((await assertSameStores(source, target, bearer)).checkpoints, 851)
      } finally {
        await target.close()
        await source.close()
      }
    })
  })
}

/** How many of the generated cluster's checkpoints a PostgreSQL schema holds. */
async function countGenerated(schema: string): Promise<number> {
  const [row] = await sql<{ n: string }>('SELECT count(*) AS n FROM checkpoints WHERE cluster_id = $1', [GENERATED.id], schema)
  return Number(row?.n ?? 0)
}
