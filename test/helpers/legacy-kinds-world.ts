import { digestAuthorization, parseChallenge } from './digest-client.js'
import { assertLegacySchema } from './legacy-openapi.js'
import { dropSchema, freshSchemaName, schemaUrl } from './postgres.js'
import { freshStore, type FreshStore } from './test-store.js'
import { ATLAS_V2_ACCEPT } from './test-app.js'

/**
 * A world for the legacy backup fixture kinds (test/legacy-backup/fixture-kinds.test.ts,
 * test/admin/admin-snapshots.test.ts): a project with legacy backup sharded clusters, a key that reads it, and
 * fixture documents that list each cluster's snapshot schedule, snapshots and restore jobs; and reading
 * them through the three dialects' real routes over HTTP with Digest.
 */

export const CLOCK = '2026-06-01T00:00:00Z'
export const ORG = '65b0f0c2e4b0a1b2c3d40001'
export const GROUP = '65b0f0c2e4b0a1b2c3d40002'
export const KEY = { publicKey: 'fixkinds', privateKey: '3c1e1f8a-5b7d-4e2a-9f00-1a2b3c4d5e6f' }

export type Engine = 'sqlite' | 'postgres'

/** A fresh store of the engine (a SQLite file, or a PostgreSQL schema). */
export async function storeOf(engine: Engine, label: string): Promise<FreshStore> {
  if (engine === 'sqlite') return freshStore(label)
  const schema = freshSchemaName(label)
  return { url: schemaUrl(schema), drop: () => dropSchema(schema) }
}

export interface ClusterIds {
  readonly id: string
  readonly name: string
  /** Kept (doNotDelete), complete, at 2026-05-31T00:00Z: the base of the newer checkpoint. */
  readonly kept: string
  /** Complete, expiring, at 2026-05-31T12:00Z. */
  readonly expiring: string
  /** In progress, at 2026-05-31T18:00Z. */
  readonly running: string
  /** A checkpoint older than every snapshot (so not restorable) and one after the kept snapshot. */
  readonly oldCheckpoint: string
  readonly newCheckpoint: string
  readonly job: string
}

/** The ids of cluster `n` (1, 2, …). */
export function clusterIds(n: number): ClusterIds {
  const id = (k: number) => `65b0f0c2e4b0a1b2c3d4${String(n).padStart(2, '0')}${String(k).padStart(2, '0')}`
  return { id: id(0), name: `Legacy${n}`, kept: id(1), expiring: id(2), running: id(3), oldCheckpoint: id(4), newCheckpoint: id(5), job: id(6) }
}

const part = (c: ClusterIds, at: string) => [
  { typeName: 'REPLICA_SET', replicaSetName: `${c.name}-rs`, shardName: 'sh0', tokenDiscovered: true, tokenTimestamp: { date: at, increment: 1 } },
  { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${c.name}-cfg`, tokenDiscovered: true, tokenTimestamp: { date: at, increment: 1 } },
]

/** The base records of a fixture (organization, project, key), to load once. */
export const BASE = {
  organizations: [{ id: ORG, name: 'Legacy kinds' }],
  projects: [{ id: GROUP, orgId: ORG, name: 'Legacy kinds' }],
  apiKeys: [{ ...KEY, orgId: ORG, roles: [{ groupId: GROUP, roleName: 'GROUP_READ_ONLY' }] }],
}

/** A fixture of one legacy backup sharded cluster (a shard, a CSRS config server) with its schedule, three snapshots, two checkpoints and a restore job. */
export function clusterFixture(c: ClusterIds): Record<string, unknown[]> {
  const sizes = { dataSizeBytes: 1000, fileSizeBytes: 3000, storageSizeBytes: 2000 }
  const snapshotPart = [
    { typeName: 'REPLICA_SET', replicaSetName: `${c.name}-rs`, clusterId: c.id.replace(/..$/, '90'), ...sizes },
    { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${c.name}-cfg`, clusterId: c.id.replace(/..$/, '91'), ...sizes },
  ]
  return {
    clusters: [
      {
        id: c.id,
        groupId: GROUP,
        name: c.name,
        type: 'SHARDED',
        backup: 'LEGACY',
        featureCompatibilityVersion: '4.0',
        shards: [{ shardName: 'sh0', replicaSetName: `${c.name}-rs` }],
        configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${c.name}-cfg` },
        checkpointIntervalMinutes: 15,
        pointInTimeWindowHours: 168,
      },
    ],
    checkpoints: [
      { id: c.oldCheckpoint, clusterId: c.id, groupId: GROUP, started: '2026-05-30T01:00:00Z', completed: '2026-05-30T01:00:09Z', timestamp: '2026-05-30T01:00:05Z', restorable: true, parts: part(c, '2026-05-30T01:00:05Z') },
      { id: c.newCheckpoint, clusterId: c.id, groupId: GROUP, started: '2026-05-31T06:00:00Z', completed: '2026-05-31T06:00:09Z', timestamp: '2026-05-31T06:00:05Z', restorable: true, parts: part(c, '2026-05-31T06:00:05Z') },
    ],
    snapshotSchedules: [
      {
        clusterId: c.id,
        groupId: GROUP,
        snapshotIntervalHours: 12,
        snapshotRetentionDays: 3,
        dailySnapshotRetentionDays: 15,
        weeklySnapshotRetentionWeeks: 8,
        monthlySnapshotRetentionMonths: 24,
        referenceHourOfDay: 3,
        referenceMinuteOfHour: 30,
        fullIncrementalDayOfWeek: 'MONDAY',
      },
    ],
    snapshots: [
      { id: c.kept, clusterId: c.id, groupId: GROUP, created: '2026-05-31T00:00:00Z', completedAt: '2026-05-31T00:20:00Z', doNotDelete: true, incremental: false, parts: snapshotPart },
      { id: c.expiring, clusterId: c.id, groupId: GROUP, created: '2026-05-31T12:00:00Z', completedAt: '2026-05-31T12:20:00Z', expires: '2026-06-03T12:00:00Z', parts: snapshotPart },
      { id: c.running, clusterId: c.id, groupId: GROUP, created: '2026-05-31T18:00:00Z', expires: '2026-06-03T18:00:00Z', parts: snapshotPart },
    ],
    restoreJobs: [
      {
        id: c.job,
        clusterId: c.id,
        groupId: GROUP,
        clusterName: c.name,
        replicaSetName: `${c.name}-rs`,
        created: '2026-05-31T02:00:00Z',
        finishesAt: '2026-05-31T02:10:00Z',
        source: { kind: 'snapshot', snapshotId: c.kept },
        snapshotId: c.kept,
        timestamp: { date: '2026-05-31T00:00:00Z', increment: 1 },
        method: 'HTTP',
        maxDownloads: 3,
        masterKeyUUID: '0b7a4c1e-2f3d-4e5a-8b9c-0d1e2f3a4b5c',
      },
    ],
  }
}

/** The three dialects' legacy backup routes of a cluster. */
export function dialectRoutes(c: ClusterIds) {
  const atlas = (version: string) => ({
    name: `atlas ${version}`,
    v2: version === 'v2',
    schedule: `/api/atlas/${version}/groups/${GROUP}/clusters/${c.name}/snapshotSchedule`,
    snapshots: `/api/atlas/${version}/groups/${GROUP}/clusters/${c.name}/snapshots`,
    restoreJobs: `/api/atlas/${version}/groups/${GROUP}/clusters/${c.name}/restoreJobs`,
    checkpoints: `/api/atlas/${version}/groups/${GROUP}/clusters/${c.name}/backupCheckpoints`,
  })
  return [
    atlas('v2'),
    atlas('v1.0'),
    {
      name: 'ops manager v1.0',
      v2: false,
      schedule: `/api/public/v1.0/groups/${GROUP}/backupConfigs/${c.id}/snapshotSchedule`,
      snapshots: `/api/public/v1.0/groups/${GROUP}/clusters/${c.id}/snapshots`,
      restoreJobs: `/api/public/v1.0/groups/${GROUP}/clusters/${c.id}/restoreJobs`,
      checkpoints: `/api/public/v1.0/groups/${GROUP}/clusters/${c.id}/checkpoints`,
    },
  ]
}

/** A GET of the real API with Digest (a fresh nonce each time); the answer's status and JSON body. */
export async function apiGet(base: string, path: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = path.startsWith('/api/atlas/v2/') ? { accept: ATLAS_V2_ACCEPT } : {}
  const first = await fetch(`${base}${path}`, { headers })
  await first.arrayBuffer()
  const challenge = first.headers.get('www-authenticate')
  if (first.status !== 401 || challenge === null) throw new Error(`${path}: no challenge (${first.status})`)
  const { nonce } = parseChallenge(challenge)
  const res = await fetch(`${base}${path}`, { headers: { ...headers, authorization: digestAuthorization({ credentials: KEY, method: 'GET', uri: path, nonce, nc: 1 }) } })
  return { status: res.status, json: await res.json() }
}

/** What a dialect shows of a cluster's legacy backup records, v2 answers checked against the upstream schemas. */
export async function readLegacyBackup(base: string, route: ReturnType<typeof dialectRoutes>[number]) {
  const schedule = await apiGet(base, route.schedule)
  const snapshots = await apiGet(base, `${route.snapshots}?completed=all&itemsPerPage=100`)
  const jobs = await apiGet(base, route.restoreJobs)
  const checkpoints = await apiGet(base, route.checkpoints)
  for (const [what, res] of Object.entries({ schedule, snapshots, jobs, checkpoints })) {
    if (res.status !== 200) throw new Error(`${route.name} ${what}: ${res.status} ${JSON.stringify(res.json)}`)
  }
  if (route.v2) {
    assertLegacySchema('ApiAtlasSnapshotScheduleView', schedule.json)
    assertLegacySchema('PaginatedSnapshotView', snapshots.json)
    assertLegacySchema('PaginatedRestoreJobView', jobs.json)
  }
  return { schedule: schedule.json, snapshots: snapshots.json, jobs: jobs.json, checkpoints: checkpoints.json }
}
