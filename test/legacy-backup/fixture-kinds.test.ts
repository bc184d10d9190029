import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runWaymark, stopProcess } from '../helpers/cli-process.js'
import {
  BASE,
  CLOCK,
  clusterFixture,
  clusterIds,
  dialectRoutes,
  GROUP,
  readLegacyBackup,
  storeOf,
  type ClusterIds,
  type Engine,
} from '../helpers/legacy-kinds-world.js'
import type { FreshStore } from '../helpers/test-store.js'
import { startServe, type ServeProcess } from '../ops/serve-process.js'

/**
 * The fixture kinds snapshotSchedules, snapshots and restoreJobs (docs/fixtures.md): loaded by `waymark
 * load` and by the admin API's POST /fixtures, on SQLite and PostgreSQL, then read through the three
 * dialects' real routes (schedule, snapshots, restore jobs, checkpoints); a cluster whose fixture lists its
 * snapshots gets no derived ones on top; a bad entry of each kind is refused with its message, word for word.
 */

const ADMIN = 'fixture-kinds-admin-7d31'
const VIA_CLI = clusterIds(1)
const VIA_ADMIN = clusterIds(2)

for (const engine of ['sqlite', 'postgres'] as const satisfies readonly Engine[]) {
  describe(`legacy backup fixture kinds, ${engine}`, () => {
    let store: FreshStore
    let dir: string
    let server: ServeProcess
    let cliOutput = ''

    const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${server.url}/_admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, json: await res.json() }
    }
    const load = async (name: string, doc: unknown) => {
      await writeFile(join(dir, name), JSON.stringify(doc))
      return runWaymark(['load', join(dir, name), '--store', store.url], { WAYMARK_CLOCK: CLOCK })
    }

    before(async () => {
      store = await storeOf(engine, 'fixture-kinds')
      dir = await mkdtemp(join(tmpdir(), 'waymark-fixture-kinds-'))
      const loaded = await load('world.json', { ...BASE, ...clusterFixture(VIA_CLI) })
      assert.equal(loaded.code, 0, loaded.stderr)
      cliOutput = loaded.stdout
      server = await startServe(['--store', store.url, '--clock', CLOCK, '--freeze-clock'], { WAYMARK_ADMIN_TOKEN: ADMIN, WAYMARK_LOG_LEVEL: 'warn' })
      const res = await admin('POST', '/fixtures', clusterFixture(VIA_ADMIN))
      assert.equal(res.status, 200, JSON.stringify(res.json))
      assert.deepEqual(res.json.loaded, {
        organizations: 0,
        projects: 0,
        clusters: 1,
        checkpoints: 2,
        apiKeys: 0,
        serviceAccounts: 0,
        snapshotSchedules: 1,
        snapshots: 3,
        restoreJobs: 1,
      })
    })
    after(async () => {
      if (server) await stopProcess(server.child)
      await store?.drop()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    test('waymark load counts the three kinds it wrote', () => {
      assert.match(cliOutput, /: 1 organizations, 1 projects, 1 clusters, 2 checkpoints, 1 apiKeys, 0 serviceAccounts, 1 snapshotSchedules, 3 snapshots, 1 restoreJobs\n$/)
    })

    for (const [how, c] of [['waymark load', VIA_CLI], ['the admin API', VIA_ADMIN]] as ReadonlyArray<[string, ClusterIds]>) {
      for (const route of dialectRoutes(c)) {
        test(`loaded by ${how}, read through ${route.name}: the schedule, only the listed snapshots, the restore job, restorability by them`, async () => {
          const read = await readLegacyBackup(server.url, route)
          assert.equal(read.schedule.clusterId, c.id)
          assert.deepEqual(
            [read.schedule.snapshotIntervalHours, read.schedule.snapshotRetentionDays, read.schedule.dailySnapshotRetentionDays, read.schedule.weeklySnapshotRetentionWeeks, read.schedule.monthlySnapshotRetentionMonths],
            [12, 3, 15, 8, 24],
          )
          assert.equal(read.schedule.clusterCheckpointIntervalMin, 15)
          assert.equal(read.schedule.pointInTimeWindowHours, 168)
          if (route.name.startsWith('ops')) {
            assert.deepEqual(
              [read.schedule.referenceHourOfDay, read.schedule.referenceMinuteOfHour, read.schedule.referenceTimeZoneOffset],
              [3, 30, '+0000'],
            )
          }
          // Newest first; exactly the fixture's three, no derived snapshots on top.
          assert.equal(read.snapshots.totalCount, 3)
          assert.deepEqual(read.snapshots.results.map((s: { id: string }) => s.id), [c.running, c.expiring, c.kept])
          assert.deepEqual(read.snapshots.results.map((s: { complete: boolean }) => s.complete), [false, true, true])
          const kept = read.snapshots.results[2]
          assert.equal(kept.doNotDelete, true)
          assert.equal(read.snapshots.results[1].expires, '2026-06-03T12:00:00Z')
          assert.equal(read.jobs.totalCount, 1)
          const [job] = read.jobs.results
          assert.equal(job.id, c.job)
          assert.equal(job.snapshotId, c.kept)
          assert.equal(job.statusName, 'FINISHED')
          assert.equal(job.delivery.statusName, 'READY')
          assert.equal(job.delivery.maxDownloads, 3)
          assert.equal(job.encryptionEnabled, true)
          assert.equal(job.masterKeyUUID, route.name.startsWith('ops') ? undefined : '0b7a4c1e-2f3d-4e5a-8b9c-0d1e2f3a4b5c')
          // The old checkpoint predates every snapshot the fixture lists: not restorable; the new one stands on the kept one.
          // No view shows the day of the full snapshot: the admin API does.
          assert.equal((await admin('GET', `/groups/${GROUP}/clusters/${c.id}/snapshotSchedule`)).json.fullIncrementalDayOfWeek, 'MONDAY')
          const restorable = Object.fromEntries(read.checkpoints.results.map((cp: { id: string; restorable: boolean }) => [cp.id, cp.restorable]))
          assert.deepEqual(restorable, { [c.newCheckpoint]: true, [c.oldCheckpoint]: false })
        })
      }
    }

    test('a bad entry of each kind is refused with its message, word for word, by waymark load and the admin API', async () => {
      const c = VIA_CLI
      const bad = {
        snapshotSchedules: [{ clusterId: c.id, groupId: GROUP, snapshotIntervalHours: 7, referenceHourOfDay: 3 }],
        snapshots: [{ id: '65b0f0c2e4b0a1b2c3d49901', clusterId: c.id, groupId: GROUP, created: '2026-05-31T00:00:00Z', expires: '2026-05-30T00:00:00Z', parts: [] }],
        restoreJobs: [
          {
            id: '65b0f0c2e4b0a1b2c3d49902',
            clusterId: c.id,
            groupId: GROUP,
            clusterName: c.name,
            replicaSetName: 'rs',
            created: '2026-05-31T02:00:00Z',
            finishesAt: '2026-05-31T01:00:00Z',
            source: { kind: 'checkpoint', checkpointId: c.newCheckpoint },
            snapshotId: c.kept,
            timestamp: { date: '2026-05-31T00:00:00Z', increment: 1 },
            method: 'AUTOMATED_RESTORE',
            maxDownloads: 2,
          },
        ],
      }
      const messages = [
        `snapshotSchedules[0] (clusterId ${c.id}): snapshotIntervalHours must be one of 6, 8, 12, 24, not 7`,
        `snapshotSchedules[0] (clusterId ${c.id}): referenceMinuteOfHour is required when referenceHourOfDay is set`,
        `snapshots[0] (id 65b0f0c2e4b0a1b2c3d49901): expires 2026-05-30T00:00:00Z must be after created (2026-05-31T00:00:00Z)`,
        'snapshots[0] (id 65b0f0c2e4b0a1b2c3d49901): parts must have at least 1 item(s)',
        'restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49902): finishesAt 2026-05-31T01:00:00Z must not be before startsAt (2026-05-31T02:00:00Z)',
        'restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49902): maxDownloads is only for HTTP jobs, not AUTOMATED_RESTORE',
        'restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49902): target is required for an AUTOMATED_RESTORE job',
      ]
      const cli = await load('bad.json', bad)
      assert.notEqual(cli.code, 0)
      assert.deepEqual(cli.stderr.trim().split('\n').slice(1).map((line) => line.replace(/^  - /, '')), messages)
      const res = await admin('POST', '/fixtures', bad)
      assert.equal(res.status, 400)
      assert.equal(res.json.errorCode, 'INVALID_ATTRIBUTE')
      assert.deepEqual(
        res.json.badRequestDetail.fields.map((f: { field: string }) => f.field),
        [
          'snapshotSchedules[0].snapshotIntervalHours',
          'snapshotSchedules[0].referenceMinuteOfHour',
          'snapshots[0].expires',
          'snapshots[0].parts',
          'restoreJobs[0].finishesAt',
          'restoreJobs[0].maxDownloads',
          'restoreJobs[0].target',
        ],
      )
    })

    test('the rules across records: a legacy backup cluster, one schedule per cluster, a restore job’s snapshot, checkpoint and cluster name', async () => {
      const c = VIA_CLI
      const cloud = { id: '65b0f0c2e4b0a1b2c3d49910', groupId: GROUP, name: 'Cloud', type: 'REPLICASET', backup: 'CLOUD', featureCompatibilityVersion: '4.0', shards: [{ shardName: 'rs', replicaSetName: 'rs' }] }
      const job = clusterFixture(c)['restoreJobs']?.[0] as Record<string, unknown>
      const doc = {
        clusters: [cloud],
        snapshotSchedules: [
          { clusterId: c.id, groupId: GROUP },
          { clusterId: c.id, groupId: GROUP, snapshotIntervalHours: 8 },
          { clusterId: cloud.id, groupId: GROUP },
        ],
        restoreJobs: [
          { ...job, id: '65b0f0c2e4b0a1b2c3d49920', clusterName: 'Other', snapshotId: '65b0f0c2e4b0a1b2c3d499ff', source: { kind: 'checkpoint', checkpointId: '65b0f0c2e4b0a1b2c3d499fe' } },
          { ...job, id: '65b0f0c2e4b0a1b2c3d49921', snapshotId: c.running, source: { kind: 'snapshot', snapshotId: c.running } },
        ],
      }
      const messages = [
        `snapshotSchedules[1] (clusterId ${c.id}): clusterId is already used by snapshotSchedules[0]`,
        `snapshotSchedules[2] (clusterId ${cloud.id}): clusterId ${cloud.id} is not a legacy backup cluster taking snapshots (its backup is CLOUD)`,
        `restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49920): clusterName Other is not the name of cluster ${c.id} (${c.name})`,
        `restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49920): snapshotId 65b0f0c2e4b0a1b2c3d499ff is not a snapshot of cluster ${c.id} in this file or the store`,
        `restoreJobs[0] (id 65b0f0c2e4b0a1b2c3d49920): source.checkpointId 65b0f0c2e4b0a1b2c3d499fe is not a checkpoint of cluster ${c.id} in this file or the store`,
        `restoreJobs[1] (id 65b0f0c2e4b0a1b2c3d49921): snapshotId ${c.running} is a snapshot still in progress (no completedAt): a restore needs a complete one`,
      ]
      const cli = await load('references.json', doc)
      assert.notEqual(cli.code, 0)
      // waymark load names the store it checked.
      assert.deepEqual(
        cli.stderr.trim().split('\n').slice(1).map((line) => line.replace(/^  - /, '')),
        messages.map((m) => m.replace(/ the store$/, ` the store ${store.url}`)),
      )
      const res = await admin('POST', '/fixtures', doc)
      assert.equal(res.status, 400)
      assert.deepEqual(
        res.json.badRequestDetail.fields.map((f: { description: string }) => f.description),
        messages,
      )
      // Nothing was written: the stored schedule is the fixture's.
      assert.equal((await admin('GET', `/groups/${GROUP}/clusters/${c.id}/snapshotSchedule`)).json.snapshotIntervalHours, 12)
    })
  })
}
