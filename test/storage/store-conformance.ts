import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import { newObjectId } from '../../src/domain/ids.js'
import type {
  ApiKey,
  Checkpoint,
  CheckpointPart,
  Cluster,
  Organization,
  Project,
  ServiceAccount,
} from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'
import { mulberry32, randomInt } from '../../src/fixtures/prng.js'
import type { Store } from '../../src/storage/store.js'
import { timelineConformance } from './store-conformance-timeline.js'

const EMPTY: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

function data(partial: Partial<DataSet>): DataSet {
  return { ...EMPTY, ...partial }
}

const BASE = Date.UTC(2026, 9, 1) / 1000

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z'
}

function shardPart(name: string, date: string, increment = 1): CheckpointPart {
  return {
    typeName: 'REPLICA_SET',
    replicaSetName: name,
    shardName: name,
    tokenDiscovered: true,
    tokenTimestamp: { date, increment },
  }
}

interface World {
  readonly org: Organization
  readonly project: Project
  readonly otherProject: Project
  readonly clusterA: Cluster
  readonly clusterB: Cluster
  readonly otherA: Cluster
}

function world(): World {
  const org = { id: newObjectId(), name: 'Conformance Org' }
  const project = { id: newObjectId(), orgId: org.id, name: 'Conformance Project' }
  const otherProject = { id: newObjectId(), orgId: org.id, name: 'Other Project' }
  const sharded = (id: string, groupId: string, name: string): Cluster => ({
    id,
    groupId,
    name,
    type: 'SHARDED',
    backup: 'LEGACY',
    featureCompatibilityVersion: '4.0',
    shards: [
      { shardName: `${name}-shard-0`, replicaSetName: `${name}-shard-0` },
      { shardName: `${name}-shard-1`, replicaSetName: `${name}-shard-1` },
    ],
    configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${name}-config-0` },
    checkpointIntervalMinutes: null,
    pointInTimeWindowHours: 24,
  })
  const clusterA: Cluster = {
    ...sharded(newObjectId(), project.id, 'ClusterA'),
    checkpointIntervalMinutes: 15,
    pointInTimeWindowHours: 48,
  }
  const clusterB: Cluster = {
    id: newObjectId(),
    groupId: project.id,
    name: 'ReplicaB',
    type: 'REPLICASET',
    backup: 'LEGACY',
    featureCompatibilityVersion: '4.0',
    shards: [{ shardName: 'ReplicaB', replicaSetName: 'ReplicaB' }],
    configServer: null,
    checkpointIntervalMinutes: null,
    pointInTimeWindowHours: 24,
  }
  const otherA = sharded(newObjectId(), otherProject.id, 'ClusterA')
  return { org, project, otherProject, clusterA, clusterB, otherA }
}

function worldData(w: World): DataSet {
  return data({
    organizations: [w.org],
    projects: [w.project, w.otherProject],
    clusters: [w.clusterA, w.clusterB, w.otherA],
  })
}

function checkpoint(cluster: Cluster, seconds: number, id = newObjectId(seconds * 1000)): Checkpoint {
  return {
    id,
    clusterId: cluster.id,
    groupId: cluster.groupId,
    started: iso(seconds - 5),
    completed: iso(seconds + 4),
    timestamp: iso(seconds),
    restorable: true,
    parts: [
      shardPart(`${cluster.name}-shard-0`, iso(seconds - 1), 2),
      shardPart(`${cluster.name}-shard-1`, iso(seconds)),
    ],
  }
}

function newestFirst(checkpoints: Iterable<Checkpoint>): Checkpoint[] {
  return [...checkpoints].sort((a, b) =>
    a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
  )
}

async function allPages(store: Store, clusterId: string, limit: number): Promise<Checkpoint[]> {
  const items: Checkpoint[] = []
  for (let offset = 0; ; offset += limit) {
    const page = await store.pageCheckpoints(clusterId, { offset, limit })
    if (page.items.length === 0) return items
    items.push(...page.items)
  }
}

async function assertListing(store: Store, clusterId: string, expected: Iterable<Checkpoint>): Promise<void> {
  const sorted = newestFirst(expected)
  const page = await store.pageCheckpoints(clusterId, { offset: 0, limit: 500 })
  assert.equal(page.totalCount, sorted.length)
  assert.deepEqual(
    page.items.map((c) => c.id),
    sorted.slice(0, 500).map((c) => c.id),
  )
  assert.deepEqual(await allPages(store, clusterId, 7), sorted)
}

/**
 * The behaviour every Store engine must show. `open` returns a new connection to one shared database on
 * every call (so two connections can be compared); tests use fresh ids, so the database need not be empty.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  async function withStore(fn: (store: Store, w: World) => Promise<void>): Promise<void> {
    const store = await open()
    try {
      const w = world()
      await store.apply(worldData(w))
      await fn(store, w)
    } finally {
      await store.close()
    }
  }

  timelineConformance(name, open)

  describe(`Store conformance: ${name}`, () => {
    test('organizations, projects and clusters round-trip', () =>
      withStore(async (store, w) => {
        assert.deepEqual(await store.getOrganization(w.org.id), w.org)
        assert.deepEqual(await store.getProject(w.project.id), w.project)
        assert.equal(await store.getOrganization(newObjectId()), undefined)
        assert.equal(await store.getProject(newObjectId()), undefined)
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterA.id), w.clusterA)
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterB.id), w.clusterB)
        assert.equal((await store.getClusterById(w.project.id, w.clusterB.id))?.configServer, null)
      }))

    test('the discovery fields of projects and clusters round-trip, set or not, and are replaced with the record', () =>
      withStore(async (store, w) => {
        const project: Project = { ...w.project, createdAt: '2024-01-13T02:09:07Z', tags: [{ key: 'env', value: 'prod' }, { key: 'ünï', value: 'x y' }] }
        const cluster: Cluster = {
          ...w.clusterA,
          createdAt: '2024-02-01T10:00:00Z',
          mongoDBVersion: '4.0.3',
          stateName: 'UPDATING',
          provider: 'GCP',
          region: 'WESTERN_EUROPE',
          instanceSize: 'M40',
          diskSizeGB: 80.5,
          backupStatus: 'STOPPED',
        }
        await store.apply(data({ projects: [project], clusters: [cluster] }))
        assert.deepEqual(await store.getProject(w.project.id), project)
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterA.id), cluster)
        assert.deepEqual(await store.getClusterByName(w.project.id, 'ClusterA'), cluster)
        assert.deepEqual((await store.listClusters()).find((c) => c.id === cluster.id), cluster)
        assert.deepEqual((await store.listProjects()).find((p) => p.id === project.id), project)
        // Written again without them: they are gone (the defaults apply), as with every field of a record.
        await store.apply(data({ projects: [w.project], clusters: [w.clusterA] }))
        assert.deepEqual(await store.getProject(w.project.id), w.project)
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterA.id), w.clusterA)
      }))

    test('lists the projects of an organization and the clusters of a project, by id', () =>
      withStore(async (store, w) => {
        const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1))
        assert.deepEqual(await store.listProjectsOfOrganization(w.org.id), byId([w.project, w.otherProject]))
        assert.deepEqual(await store.listProjectsOfOrganization(newObjectId()), [])
        assert.deepEqual(await store.listClustersOfProject(w.project.id), byId([w.clusterA, w.clusterB]))
        assert.deepEqual(await store.listClustersOfProject(w.otherProject.id), [w.otherA])
        assert.deepEqual(await store.listClustersOfProject(newObjectId()), [])
        // A write is seen by the next list (the cached store empties its lists).
        await store.deleteCluster(w.project.id, w.clusterB.id)
        assert.deepEqual(await store.listClustersOfProject(w.project.id), [w.clusterA])
      }))

    test('a cluster checkpoint schedule round-trips and is replaced with the cluster', () =>
      withStore(async (store, w) => {
        assert.equal((await store.getClusterById(w.project.id, w.clusterA.id))?.checkpointIntervalMinutes, 15)
        assert.equal((await store.getClusterByName(w.project.id, 'ClusterA'))?.pointInTimeWindowHours, 48)
        for (const schedule of [
          { checkpointIntervalMinutes: 60, pointInTimeWindowHours: 1 },
          { checkpointIntervalMinutes: null, pointInTimeWindowHours: 8760 },
          { checkpointIntervalMinutes: 30, pointInTimeWindowHours: 24 },
        ] as const) {
          const changed: Cluster = { ...w.clusterA, ...schedule }
          await store.apply(data({ clusters: [changed] }))
          assert.deepEqual(await store.getClusterById(w.project.id, w.clusterA.id), changed)
        }
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterB.id), w.clusterB)
      }))

    test('clusters are found by id and by name within their own group only', () =>
      withStore(async (store, w) => {
        assert.deepEqual(await store.getClusterByName(w.project.id, 'ClusterA'), w.clusterA)
        assert.deepEqual(await store.getClusterByName(w.otherProject.id, 'ClusterA'), w.otherA)
        assert.equal(await store.getClusterByName(w.otherProject.id, 'ReplicaB'), undefined)
        assert.equal(await store.getClusterByName(w.project.id, 'clustera'), undefined)
        assert.equal(await store.getClusterById(w.otherProject.id, w.clusterA.id), undefined)
        assert.equal(await store.getClusterById(w.project.id, newObjectId()), undefined)
      }))

    test('an SCCC cluster and its checkpoint parts round-trip exactly', () =>
      withStore(async (store, w) => {
        const sccc: Cluster = {
          ...w.clusterA,
          id: newObjectId(),
          name: 'Sccc',
          featureCompatibilityVersion: '3.4',
          configServer: { typeName: 'CONFIG_SERVER', hostIds: ['cfg-0:27019', 'cfg-1:27019'] },
        }
        const inProgress: Checkpoint = {
          id: newObjectId(),
          clusterId: sccc.id,
          groupId: sccc.groupId,
          started: '2017-11-14T01:35:00Z',
          timestamp: '2017-11-14T01:35:04Z',
          restorable: false,
          parts: [
            {
              typeName: 'REPLICA_SET',
              replicaSetName: 'rs0',
              tokenDiscovered: false,
              tokenTimestamp: { date: '2017-11-14T01:35:04Z', increment: 1 },
            },
            {
              typeName: 'CONFIG_SERVER',
              hostId: 'cfg-0:27019',
              tokenDiscovered: true,
              tokenTimestamp: { date: '2017-11-14T01:35:02Z', increment: 6 },
            },
          ],
        }
        await store.apply(data({ clusters: [sccc], checkpoints: [inProgress] }))
        assert.deepEqual(await store.getClusterById(sccc.groupId, sccc.id), sccc)
        const got = await store.getCheckpoint(sccc.id, inProgress.id)
        assert.deepEqual(got, inProgress)
        assert.equal(got !== undefined && 'completed' in got, false)
        assert.deepEqual(
          Object.keys(got?.parts[0] ?? {}),
          ['typeName', 'replicaSetName', 'tokenDiscovered', 'tokenTimestamp'],
        )
        assert.deepEqual((await store.pageCheckpoints(sccc.id, { offset: 0, limit: 10 })).items, [inProgress])
      }))

    test('an empty cluster has no checkpoints and a count of 0', () =>
      withStore(async (store, w) => {
        assert.deepEqual(
          await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 100 }),
          { items: [], totalCount: 0 },
        )
        assert.deepEqual(
          await store.pageCheckpoints(newObjectId(), { offset: 5, limit: 1 }),
          { items: [], totalCount: 0 },
        )
      }))

    test('pages are newest first, by timestamp then id, with ties broken by id', () =>
      withStore(async (store, w) => {
        const cps: Checkpoint[] = []
        for (let i = 0; i < 9; i++) cps.push(checkpoint(w.clusterA, BASE + i * 900))
        const tie = BASE + 3 * 900
        cps.push(
          checkpoint(w.clusterA, tie, 'ffffffffffffffffffffff01'),
          checkpoint(w.clusterA, tie, '000000000000000000000001'),
        )
        await store.apply(data({ checkpoints: [...cps].reverse() }))
        const expected = newestFirst(cps)
        const ties = expected.filter((c) => c.timestamp === iso(tie)).map((c) => c.id)
        assert.equal(ties[0], 'ffffffffffffffffffffff01')
        assert.equal(ties.at(-1), '000000000000000000000001')
        for (let limit = 1; limit <= cps.length + 1; limit++) {
          for (let offset = 0; offset <= cps.length + 1; offset++) {
            const page = await store.pageCheckpoints(w.clusterA.id, { offset, limit })
            assert.equal(page.totalCount, cps.length)
            assert.deepEqual(
              page.items,
              expected.slice(offset, offset + limit),
              `offset ${offset} limit ${limit}`,
            )
          }
        }
      }))

    test('offsets near and past the end', () =>
      withStore(async (store, w) => {
        const cps = Array.from({ length: 25 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        await store.apply(data({ checkpoints: cps }))
        const oldest = newestFirst(cps).at(-1)
        const last = await store.pageCheckpoints(w.clusterA.id, { offset: 24, limit: 5 })
        assert.deepEqual(last, { items: [oldest], totalCount: 25 })
        const tail = await store.pageCheckpoints(w.clusterA.id, { offset: 22, limit: 10 })
        assert.deepEqual(tail.items, newestFirst(cps).slice(22))
        assert.deepEqual(
          await store.pageCheckpoints(w.clusterA.id, { offset: 25, limit: 5 }),
          { items: [], totalCount: 25 },
        )
        assert.deepEqual(
          await store.pageCheckpoints(w.clusterA.id, { offset: 10_000, limit: 500 }),
          { items: [], totalCount: 25 },
        )
      }))

    test('a checkpoint is found only under its own cluster', () =>
      withStore(async (store, w) => {
        const cp = checkpoint(w.clusterA, BASE)
        await store.apply(data({ checkpoints: [cp] }))
        assert.deepEqual(await store.getCheckpoint(w.clusterA.id, cp.id), cp)
        assert.equal(await store.getCheckpoint(w.clusterB.id, cp.id), undefined)
        assert.equal(await store.getCheckpoint(w.otherA.id, cp.id), undefined)
        assert.equal(await store.getCheckpoint(w.clusterA.id, newObjectId()), undefined)
      }))

    test('apply is idempotent', () =>
      withStore(async (store, w) => {
        const cps = Array.from(
          { length: 30 },
          (_, i) => checkpoint(i % 3 ? w.clusterA : w.clusterB, BASE + i * 100),
        )
        const set = data({ ...worldData(w), checkpoints: cps })
        const first = await store.apply(set)
        const listingA = await allPages(store, w.clusterA.id, 500)
        const listingB = await allPages(store, w.clusterB.id, 500)
        const second = await store.apply(set)
        assert.deepEqual(second, first)
        assert.deepEqual(first, { organizations: 1, projects: 2, clusters: 3, checkpoints: 30, apiKeys: 0, serviceAccounts: 0, snapshotSchedules: 0, snapshots: 0, restoreJobs: 0 })
        assert.deepEqual(await allPages(store, w.clusterA.id, 500), listingA)
        assert.deepEqual(await allPages(store, w.clusterB.id, 500), listingB)
        await assertListing(store, w.clusterA.id, cps.filter((c) => c.clusterId === w.clusterA.id))
      }))

    test('inserting out of order keeps the order and the count right', () =>
      withStore(async (store, w) => {
        const expected = new Map<string, Checkpoint>()
        const add = async (cps: Checkpoint[]) => {
          await store.apply(data({ checkpoints: cps }))
          for (const c of cps) expected.set(c.id, c)
          await assertListing(store, w.clusterA.id, expected.values())
        }
        await add(Array.from({ length: 20 }, (_, i) => checkpoint(w.clusterA, BASE + 1000 + i * 10)))
        await add([checkpoint(w.clusterA, BASE + 5000)])
        await add([checkpoint(w.clusterA, BASE)])
        await add([
          checkpoint(w.clusterA, BASE + 1055),
          checkpoint(w.clusterA, BASE + 1105),
          checkpoint(w.clusterA, BASE + 9000),
        ])
        await add([checkpoint(w.clusterA, BASE + 1000)])
        const moved = [...expected.values()][4]
        assert.ok(moved)
        await add([{ ...moved, timestamp: iso(BASE + 4000) }])
        await add([{ ...moved, timestamp: iso(BASE - 50) }])
      }))

    test('random batches, re-timestamps and moves keep every listing right', () =>
      withStore(async (store, w) => {
        const rng = mulberry32(20261101)
        const expected = new Map<string, Checkpoint>()
        const clusters = [w.clusterA, w.clusterB]
        for (let round = 0; round < 25; round++) {
          const batch: Checkpoint[] = []
          const size = randomInt(rng, 1, 12)
          for (let i = 0; i < size; i++) {
            const cluster = clusters[randomInt(rng, 0, 1)] ?? w.clusterA
            const seconds = BASE + randomInt(rng, 0, 40) * 60
            const existing = [...expected.values()]
            const pick = existing.length > 0 && rng() < 0.3 ? randomInt(rng, 0, existing.length - 1) : -1
            const reuse = existing[pick]
            batch.push(reuse ? checkpoint(cluster, seconds, reuse.id) : checkpoint(cluster, seconds))
          }
          await store.apply(data({ checkpoints: batch }))
          for (const c of batch) expected.set(c.id, c)
          for (const cluster of clusters) {
            await assertListing(
              store,
              cluster.id,
              [...expected.values()].filter((c) => c.clusterId === cluster.id),
            )
          }
        }
      }))

    test('a checkpoint can move to another cluster', () =>
      withStore(async (store, w) => {
        const a = Array.from({ length: 6 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        const b = Array.from({ length: 3 }, (_, i) => checkpoint(w.clusterB, BASE + 30 + i * 60))
        await store.apply(data({ checkpoints: [...a, ...b] }))
        const mover = a[2]
        assert.ok(mover)
        const moved: Checkpoint = { ...mover, clusterId: w.clusterB.id }
        await store.apply(data({ checkpoints: [moved] }))
        assert.equal(await store.getCheckpoint(w.clusterA.id, mover.id), undefined)
        assert.deepEqual(await store.getCheckpoint(w.clusterB.id, mover.id), moved)
        await assertListing(store, w.clusterA.id, a.filter((c) => c.id !== mover.id))
        await assertListing(store, w.clusterB.id, [...b, moved])
      }))

    test('apply writes everything or nothing', () =>
      withStore(async (store, w) => {
        const org = { id: newObjectId(), name: 'Never written' }
        const clash: Cluster = { ...w.clusterB, id: newObjectId() }
        await assert.rejects(
          store.apply(
            data({ organizations: [org], clusters: [clash], checkpoints: [checkpoint(w.clusterA, BASE)] }),
          ),
        )
        assert.equal(await store.getOrganization(org.id), undefined)
        assert.equal(await store.getClusterById(clash.groupId, clash.id), undefined)
        assert.equal((await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 10 })).totalCount, 0)
      }))

    test('api keys round-trip and are replaced by public key', () =>
      withStore(async (store, w) => {
        const publicKey = Array.from(
          newObjectId().slice(-8),
          (c) => String.fromCharCode(97 + (parseInt(c, 16) % 26)),
        ).join('')
        const key: ApiKey = {
          publicKey,
          orgId: w.org.id,
          description: 'conformance key',
          digestHa1: '0123456789abcdef0123456789abcdef',
          roles: [
            { orgId: w.org.id, roleName: 'ORG_MEMBER' },
            { groupId: w.project.id, roleName: 'GROUP_READ_ONLY' },
          ],
          accessList: ['10.0.0.0/8', '2001:db8::/32'],
          createdAt: '2026-10-01T00:00:00Z',
        }
        assert.equal((await store.apply(data({ apiKeys: [key] }))).apiKeys, 1)
        assert.deepEqual(await store.getApiKey(publicKey), key)
        const replaced: ApiKey = { ...key, description: '', roles: [] }
        await store.apply(data({ apiKeys: [replaced] }))
        assert.deepEqual(await store.getApiKey(publicKey), replaced)
        assert.equal(await store.getApiKey('nosuchky'), undefined)
      }))

    test('opening a migrated store reports its schema version and applies nothing', async () => {
      await (await open()).close()
      const store = await open()
      try {
        const { from, to, applied } = store.migration
        assert.ok(to >= 2, `schema version ${to}`)
        assert.equal(from, to)
        assert.deepEqual(applied, [])
      } finally {
        await store.close()
      }
    })

    test('lists every organization, project, cluster, key and service account, in id order', () =>
      withStore(async (store, w) => {
        const key: ApiKey = {
          publicKey: `k${newObjectId().slice(-7)}`,
          orgId: w.org.id,
          description: 'listed key',
          digestHa1: '0123456789abcdef0123456789abcdef',
          roles: [{ groupId: w.project.id, roleName: 'GROUP_READ_ONLY' }],
          accessList: ['10.0.0.0/8'],
          createdAt: '2026-10-01T00:00:00Z',
        }
        const account: ServiceAccount = {
          clientId: `mdb_sa_id_${newObjectId()}`,
          uid: 'a'.repeat(32),
          orgId: w.org.id,
          name: 'listed account',
          description: '',
          roles: [{ orgId: w.org.id, roleName: 'ORG_READ_ONLY' }],
          secrets: [
            { id: newObjectId(), hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', createdAt: '2026-10-01T00:00:00Z', expiresAt: '2027-10-01T00:00:00Z' },
          ],
          accessList: [],
          createdAt: '2026-10-01T00:00:00Z',
        }
        await store.apply(data({ apiKeys: [key], serviceAccounts: [account] }))
        const sorted = <T>(items: T[], idOf: (item: T) => string): void =>
          assert.deepEqual(items.map(idOf), items.map(idOf).sort(), 'in order')
        const organizations = await store.listOrganizations()
        sorted(organizations, (o) => o.id)
        assert.deepEqual(organizations.find((o) => o.id === w.org.id), w.org)
        const projects = await store.listProjects()
        sorted(projects, (p) => p.id)
        assert.deepEqual(projects.filter((p) => p.orgId === w.org.id), [w.project, w.otherProject].sort((a, b) => (a.id < b.id ? -1 : 1)))
        const clusters = await store.listClusters()
        sorted(clusters, (c) => c.id)
        const mine = new Set([w.project.id, w.otherProject.id])
        assert.deepEqual(
          clusters.filter((c) => mine.has(c.groupId)),
          [w.clusterA, w.clusterB, w.otherA].sort((a, b) => (a.id < b.id ? -1 : 1)),
        )
        const keys = await store.listApiKeys()
        sorted(keys, (k) => k.publicKey)
        assert.deepEqual(keys.find((k) => k.publicKey === key.publicKey), key)
        const accounts = await store.listServiceAccounts()
        sorted(accounts, (a) => a.clientId)
        assert.deepEqual(accounts.find((a) => a.clientId === account.clientId), account)
      }))

    test('secrets are listed, and putSecret replaces a value every connection then reads', async () => {
      const name = `conformance-put-${newObjectId()}`
      const one = await open()
      const two = await open()
      try {
        assert.equal(await one.getOrCreateSecret(name, () => 'first'), 'first')
        await two.putSecret(name, 'second')
        assert.equal(await one.getOrCreateSecret(name, () => 'third'), 'second')
        const fresh = `conformance-put-${newObjectId()}`
        await one.putSecret(fresh, 'made by put')
        assert.equal(await two.getOrCreateSecret(fresh, () => 'not this'), 'made by put')
        const listed = await two.listSecrets()
        assert.deepEqual(
          listed.map((s) => s.name),
          listed.map((s) => s.name).sort(),
        )
        assert.deepEqual(listed.find((s) => s.name === name), { name, value: 'second' })
        assert.deepEqual(listed.find((s) => s.name === fresh), { name: fresh, value: 'made by put' })
      } finally {
        await one.close()
        await two.close()
      }
    })

    test('lists the revoked tokens that expire after a given time', () =>
      withStore(async (store) => {
        const now = Math.floor(Date.now() / 1000)
        const soon = `jti-soon-${newObjectId()}`
        const later = `jti-later-${newObjectId()}`
        await store.revokeToken(soon, now + 100)
        await store.revokeToken(later, now + 3000)
        const listed = (await store.listRevokedTokens(now)).filter((t) => t.jti === soon || t.jti === later)
        assert.deepEqual(listed, [
          { jti: later, expiresAtSeconds: now + 3000 },
          { jti: soon, expiresAtSeconds: now + 100 },
        ])
        const afterSoon = (await store.listRevokedTokens(now + 100)).filter((t) => t.jti === soon || t.jti === later)
        assert.deepEqual(afterSoon, [{ jti: later, expiresAtSeconds: now + 3000 }])
      }))

    test('checkpointsAfter walks a cluster oldest first by (timestamp, id), from any cursor', () =>
      withStore(async (store, w) => {
        const cps = Array.from({ length: 23 }, (_, i) => checkpoint(w.clusterA, BASE + (i % 20) * 60))
        cps.push(checkpoint(w.clusterA, BASE + 5 * 60, '000000000000000000000002'))
        cps.push(checkpoint(w.clusterA, BASE + 5 * 60, 'fffffffffffffffffffffff2'))
        await store.apply(data({ checkpoints: cps.slice(12) }))
        await store.apply(data({ checkpoints: [...cps.slice(0, 12), checkpoint(w.clusterB, BASE)] }))
        const oldestFirst = newestFirst(cps).reverse()
        for (const limit of [1, 4, 25, 500]) {
          const walked: Checkpoint[] = []
          for (let cursor: Checkpoint | undefined; ; ) {
            const batch = await store.checkpointsAfter(w.clusterA.id, cursor, limit)
            assert.ok(batch.length <= limit)
            if (batch.length === 0) break
            walked.push(...batch)
            cursor = batch.at(-1)
          }
          assert.deepEqual(walked, oldestFirst, `limit ${limit}`)
        }
        // A cursor that is not a stored checkpoint of the cluster: between two, before all, after all.
        const tie = oldestFirst.findIndex((c) => c.id === '000000000000000000000002')
        const between = { timestamp: iso(BASE + 5 * 60), id: '000000000000000000000001' }
        assert.deepEqual(await store.checkpointsAfter(w.clusterA.id, between, 3), oldestFirst.slice(tie, tie + 3))
        assert.deepEqual(
          await store.checkpointsAfter(w.clusterA.id, { timestamp: iso(BASE - 1), id: 'f'.repeat(24) }, 2),
          oldestFirst.slice(0, 2),
        )
        const newest = oldestFirst.at(-1)
        assert.ok(newest)
        assert.deepEqual(await store.checkpointsAfter(w.clusterA.id, newest, 10), [])
        assert.deepEqual(await store.checkpointsAfter(w.clusterA.id, { timestamp: iso(BASE + 9999), id: '0'.repeat(24) }, 10), [])
        // A checkpoint of another cluster as the cursor is only a key here.
        assert.deepEqual(await store.checkpointsAfter(w.clusterB.id, newest, 10), [])
        assert.deepEqual(await store.checkpointsAfter(w.otherA.id, undefined, 10), [])
        await assert.rejects(store.checkpointsAfter(w.clusterA.id, undefined, 0), RangeError)
      }))

    test('countCheckpointsUpTo counts a cluster\'s checkpoints at or before a key', () =>
      withStore(async (store, w) => {
        const cps = Array.from({ length: 15 }, (_, i) => checkpoint(w.clusterA, BASE + (i % 10) * 60))
        await store.apply(data({ checkpoints: cps.slice(5) }))
        await store.apply(data({ checkpoints: [...cps.slice(0, 5), checkpoint(w.clusterB, BASE + 60)] }))
        const oldestFirst = newestFirst(cps).reverse()
        for (const [i, cp] of oldestFirst.entries()) {
          assert.equal(await store.countCheckpointsUpTo(w.clusterA.id, cp), i + 1, `#${i}`)
          // A key that is not stored, just after the one before (ids are hex: '!' sorts before any digit).
          const previous = oldestFirst[i - 1]
          if (previous) {
            const between = { timestamp: previous.timestamp, id: `${previous.id}!` }
            assert.equal(await store.countCheckpointsUpTo(w.clusterA.id, between), i, `before #${i}`)
          }
        }
        assert.equal(await store.countCheckpointsUpTo(w.clusterA.id, { timestamp: iso(BASE - 1), id: 'f'.repeat(24) }), 0)
        assert.equal(await store.countCheckpointsUpTo(w.clusterA.id, { timestamp: iso(BASE + 9999), id: '0'.repeat(24) }), 15)
        assert.equal(await store.countCheckpointsUpTo(w.otherA.id, { timestamp: iso(BASE + 9999), id: '0'.repeat(24) }), 0)
      }))

    test('findCluster finds a cluster by its id alone', () =>
      withStore(async (store, w) => {
        assert.deepEqual(await store.findCluster(w.clusterA.id), w.clusterA)
        assert.deepEqual(await store.findCluster(w.otherA.id), w.otherA)
        assert.equal(await store.findCluster(newObjectId()), undefined)
      }))

    test('listScheduledClusters lists the clusters whose checkpoint schedule is on, by id', () =>
      withStore(async (store, w) => {
        const ours = new Set([w.clusterA.id, w.clusterB.id, w.otherA.id])
        const listed = async () => (await store.listScheduledClusters()).filter((c) => ours.has(c.id))
        assert.deepEqual(await listed(), [w.clusterA])
        const otherOn: Cluster = { ...w.otherA, checkpointIntervalMinutes: 60 }
        const aOff: Cluster = { ...w.clusterA, checkpointIntervalMinutes: null }
        await store.apply(data({ clusters: [otherOn] }))
        assert.deepEqual(await listed(), [w.clusterA, otherOn].sort((a, b) => (a.id < b.id ? -1 : 1)))
        await store.apply(data({ clusters: [aOff] }))
        assert.deepEqual(await listed(), [otherOn])
        const all = await store.listScheduledClusters()
        assert.deepEqual(all.map((c) => c.id), all.map((c) => c.id).sort())
      }))

    test('expireCheckpoints marks the oldest restorable checkpoints before a time not restorable', () =>
      withStore(async (store, w) => {
        const a = Array.from({ length: 10 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        const already = { ...checkpoint(w.clusterA, BASE + 30), restorable: false }
        const b = Array.from({ length: 4 }, (_, i) => checkpoint(w.clusterB, BASE + i * 60))
        await store.apply(data({ checkpoints: [...a, already, ...b] }))
        const cut = iso(BASE + 6 * 60)
        assert.equal(await store.expireCheckpoints(w.clusterA.id, cut, 2), 2)
        const flags = async () =>
          Promise.all(a.map(async (c) => (await store.getCheckpoint(w.clusterA.id, c.id))?.restorable))
        assert.deepEqual(await flags(), [false, false, true, true, true, true, true, true, true, true])
        assert.equal(await store.expireCheckpoints(w.clusterA.id, cut, 100), 4)
        assert.deepEqual(await flags(), [false, false, false, false, false, false, true, true, true, true])
        assert.equal(await store.expireCheckpoints(w.clusterA.id, cut, 100), 0)
        assert.equal(await store.expireCheckpoints(newObjectId(), cut, 100), 0)
        for (const c of b) assert.equal((await store.getCheckpoint(w.clusterB.id, c.id))?.restorable, true)
        const expired = a.map((c, i) => (i < 6 ? { ...c, restorable: false } : c))
        await assertListing(store, w.clusterA.id, [...expired, already])
        await assert.rejects(store.expireCheckpoints(w.clusterA.id, cut, 0), RangeError)
      }))

    test('pruneCheckpoints deletes the oldest checkpoints before a time and keeps the ranks right', () =>
      withStore(async (store, w) => {
        const a = Array.from({ length: 20 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        const tie = checkpoint(w.clusterA, BASE + 8 * 60)
        const b = Array.from({ length: 5 }, (_, i) => checkpoint(w.clusterB, BASE + i * 60))
        await store.apply(data({ checkpoints: [...a, tie, ...b] }))
        const cut = iso(BASE + 8 * 60)
        assert.equal(await store.pruneCheckpoints(w.clusterA.id, cut, 3), 3)
        const kept = new Map([...a.slice(3), tie].map((c) => [c.id, c]))
        await assertListing(store, w.clusterA.id, kept.values())
        assert.equal(await store.pruneCheckpoints(w.clusterA.id, cut, 100), 5)
        for (const c of a.slice(3, 8)) kept.delete(c.id)
        await assertListing(store, w.clusterA.id, kept.values())
        assert.equal(await store.pruneCheckpoints(w.clusterA.id, cut, 100), 0)
        assert.equal(await store.pruneCheckpoints(newObjectId(), cut, 100), 0)
        await assertListing(store, w.clusterB.id, b)
        const later = [
          checkpoint(w.clusterA, BASE + 60 * 60),
          checkpoint(w.clusterA, BASE + 10 * 60 + 30),
          checkpoint(w.clusterA, BASE),
        ]
        await store.apply(data({ checkpoints: later }))
        for (const c of later) kept.set(c.id, c)
        await assertListing(store, w.clusterA.id, kept.values())
        assert.equal(await store.pruneCheckpoints(w.clusterA.id, iso(BASE + 61 * 60), 1000), kept.size)
        assert.deepEqual(await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 5 }), { items: [], totalCount: 0 })
        await store.apply(data({ checkpoints: later }))
        await assertListing(store, w.clusterA.id, later)
        await assert.rejects(store.pruneCheckpoints(w.clusterA.id, cut, -1), RangeError)
      }))

    test('a secret is created once and shared by every connection', async () => {
      const name = `conformance-${newObjectId()}`
      const one = await open()
      const two = await open()
      try {
        let calls = 0
        const first = await one.getOrCreateSecret(name, () => `one-${++calls}`)
        assert.equal(first, 'one-1')
        assert.equal(await one.getOrCreateSecret(name, () => `one-${++calls}`), 'one-1')
        assert.equal(await two.getOrCreateSecret(name, () => 'two'), 'one-1')
        assert.equal(calls, 1)
      } finally {
        await one.close()
        await two.close()
      }
    })

    test('a nonce lease is held by its first owner across every connection, and expired leases go', async () => {
      const nonce = `conformance-${newObjectId()}`
      const one = await open()
      const two = await open()
      try {
        const until = Math.floor(Date.now() / 1000) + 300
        assert.equal(await one.claimNonceLease(nonce, 'owner-a', until), true)
        assert.equal(await two.claimNonceLease(nonce, 'owner-b', until), false)
        assert.equal(await one.claimNonceLease(nonce, 'owner-b', until), false)
        // The holder claiming again (a claim retried after an error) still holds it, on any connection.
        assert.equal(await two.claimNonceLease(nonce, 'owner-a', until), true)
        assert.equal(await one.claimNonceLease(`${nonce}-other`, 'owner-b', until), true)
        // Claims of one turn are one batch: the first claimant of a nonce wins within it too.
        const first = `conformance-batch-${newObjectId()}`
        const second = `conformance-batch-${newObjectId()}`
        assert.deepEqual(
          await Promise.all([
            one.claimNonceLease(first, 'owner-a', until),
            one.claimNonceLease(first, 'owner-b', until),
            one.claimNonceLease(second, 'owner-b', until),
            one.claimNonceLease(first, 'owner-a', until),
            one.claimNonceLease(nonce, 'owner-b', until),
          ]),
          [true, false, true, true, false],
        )
        // A lease already past its expiry is dropped by a later claim's pruning, so another owner may take it.
        const expired = `conformance-expired-${newObjectId()}`
        assert.equal(await one.claimNonceLease(expired, 'owner-a', 1), true)
        const fresh = await open()
        try {
          await fresh.claimNonceLease(`conformance-prune-${newObjectId()}`, 'owner-c', until)
          assert.equal(await fresh.claimNonceLease(expired, 'owner-b', until), true)
        } finally {
          await fresh.close()
        }
      } finally {
        await one.close()
        await two.close()
      }
    })
  })

  describe(`Store conformance, lists and deletes: ${name}`, () => {
    const keyOf = (publicKey: string, orgId: string, roles: ApiKey['roles']): ApiKey => ({
      publicKey,
      orgId,
      description: '',
      digestHa1: '0123456789abcdef0123456789abcdef',
      roles,
      accessList: [],
      createdAt: '2026-10-01T00:00:00Z',
    })
    const accountOf = (clientId: string, orgId: string, roles: ServiceAccount['roles']): ServiceAccount => ({
      clientId,
      uid: newObjectId() + '00000000',
      orgId,
      name: clientId,
      description: '',
      roles,
      secrets: [{ id: newObjectId(), hash: 'scrypt$1$1$1$c2FsdA$aGFzaA', createdAt: '2026-10-01T00:00:00Z', expiresAt: '2027-10-01T00:00:00Z' }],
      accessList: [],
      createdAt: '2026-10-01T00:00:00Z',
    })
    const letters = (): string => Array.from(newObjectId().slice(-8), (c) => String.fromCharCode(97 + (parseInt(c, 16) % 26))).join('')

    test('lists hold every record, in id order', () =>
      withStore(async (store, w) => {
        const key = keyOf(letters(), w.org.id, [])
        const account = accountOf(`mdb_sa_id_${newObjectId()}`, w.org.id, [])
        await store.apply(data({ apiKeys: [key], serviceAccounts: [account] }))
        const sorted = <T>(items: T[], id: (item: T) => string) => items.map(id).every((v, i, all) => i === 0 || (all[i - 1] ?? '') < v)
        const orgs = await store.listOrganizations()
        assert.deepEqual(orgs.find((o) => o.id === w.org.id), w.org)
        assert.ok(sorted(orgs, (o) => o.id))
        const projects = await store.listProjects()
        assert.deepEqual(projects.filter((p) => p.orgId === w.org.id), [w.project, w.otherProject].sort((a, b) => (a.id < b.id ? -1 : 1)))
        assert.ok(sorted(projects, (p) => p.id))
        const clusters = await store.listClusters()
        assert.deepEqual(clusters.find((c) => c.id === w.clusterA.id), w.clusterA)
        assert.ok(sorted(clusters, (c) => c.id))
        const keys = await store.listApiKeys()
        assert.deepEqual(keys.find((k) => k.publicKey === key.publicKey), key)
        assert.ok(sorted(keys, (k) => k.publicKey))
        const accounts = await store.listServiceAccounts()
        assert.deepEqual(accounts.find((a) => a.clientId === account.clientId), account)
        assert.ok(sorted(accounts, (a) => a.clientId))
      }))

    test('deleting checkpoints anywhere keeps every listing and page right', () =>
      withStore(async (store, w) => {
        const cps = Array.from({ length: 40 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        const other = Array.from({ length: 5 }, (_, i) => checkpoint(w.clusterB, BASE + i * 60))
        await store.apply(data({ checkpoints: [...cps, ...other] }))
        const left = new Map(cps.map((c) => [c.id, c]))
        const order = newestFirst(cps)
        // the newest, the oldest, one near each end, the middle, then at random
        const victims = [order[0], order.at(-1), order[2], order.at(-3), order[20]]
        const rng = mulberry32(5)
        let added = false
        for (const victim of victims) {
          assert.ok(victim)
          assert.equal(await store.deleteCheckpoint(w.clusterA.id, victim.id), true)
          left.delete(victim.id)
          await assertListing(store, w.clusterA.id, left.values())
        }
        while (left.size > 0) {
          const ids = [...left.keys()]
          const id = ids[randomInt(rng, 0, ids.length - 1)] ?? ''
          assert.equal(await store.deleteCheckpoint(w.clusterA.id, id), true)
          left.delete(id)
          await assertListing(store, w.clusterA.id, left.values())
          // later inserts still land in the right places
          if (!added && left.size === 17) {
            added = true
            const more = [checkpoint(w.clusterA, BASE + 5), checkpoint(w.clusterA, BASE + 1205), checkpoint(w.clusterA, BASE + 99_999)]
            await store.apply(data({ checkpoints: more }))
            for (const c of more) left.set(c.id, c)
            await assertListing(store, w.clusterA.id, left.values())
          }
        }
        assert.deepEqual(await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 10 }), { items: [], totalCount: 0 })
        await assertListing(store, w.clusterB.id, other)
      }))

    test('a checkpoint is deleted only under its own cluster', () =>
      withStore(async (store, w) => {
        const cp = checkpoint(w.clusterA, BASE)
        await store.apply(data({ checkpoints: [cp] }))
        assert.deepEqual(await store.findCheckpoint(cp.id), cp)
        assert.equal(await store.findCheckpoint(newObjectId()), undefined)
        assert.equal(await store.deleteCheckpoint(w.clusterB.id, cp.id), false)
        assert.equal(await store.deleteCheckpoint(w.clusterA.id, newObjectId()), false)
        assert.deepEqual(await store.getCheckpoint(w.clusterA.id, cp.id), cp)
        assert.equal(await store.deleteCheckpoint(w.clusterA.id, cp.id), true)
        assert.equal(await store.deleteCheckpoint(w.clusterA.id, cp.id), false)
        assert.equal(await store.findCheckpoint(cp.id), undefined)
      }))

    test('deleting a cluster deletes its checkpoints, only in its own project', () =>
      withStore(async (store, w) => {
        const cps = Array.from({ length: 7 }, (_, i) => checkpoint(w.clusterA, BASE + i * 60))
        const kept = checkpoint(w.otherA, BASE)
        await store.apply(data({ checkpoints: [...cps, kept] }))
        const none = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }
        assert.deepEqual(await store.deleteCluster(w.otherProject.id, w.clusterA.id), none)
        assert.deepEqual(await store.deleteCluster(w.project.id, w.clusterA.id), { ...none, clusters: 1, checkpoints: 7 })
        assert.equal(await store.getClusterById(w.project.id, w.clusterA.id), undefined)
        assert.equal((await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 10 })).totalCount, 0)
        assert.deepEqual(await store.getCheckpoint(w.otherA.id, kept.id), kept)
        assert.deepEqual(await store.deleteCluster(w.project.id, w.clusterA.id), none)
        // the name is free again
        await store.apply(data({ clusters: [{ ...w.clusterA, id: newObjectId() }] }))
      }))

    test('deleting a project deletes its clusters and checkpoints and the roles on it', () =>
      withStore(async (store, w) => {
        const cps = [checkpoint(w.clusterA, BASE), checkpoint(w.clusterB, BASE), checkpoint(w.otherA, BASE)]
        const key = keyOf(letters(), w.org.id, [
          { orgId: w.org.id, roleName: 'ORG_MEMBER' },
          { groupId: w.project.id, roleName: 'GROUP_READ_ONLY' },
          { groupId: w.otherProject.id, roleName: 'GROUP_OWNER' },
        ])
        const untouched = keyOf(letters(), w.org.id, [{ groupId: w.otherProject.id, roleName: 'GROUP_READ_ONLY' }])
        const account = accountOf(`mdb_sa_id_${newObjectId()}`, w.org.id, [{ groupId: w.project.id, roleName: 'GROUP_OWNER' }])
        await store.apply(data({ checkpoints: cps, apiKeys: [key, untouched], serviceAccounts: [account] }))
        const summary = await store.deleteProject(w.project.id)
        assert.deepEqual(summary, { organizations: 0, projects: 1, clusters: 2, checkpoints: 2, apiKeys: 0, serviceAccounts: 0 })
        assert.equal(await store.getProject(w.project.id), undefined)
        assert.equal(await store.getClusterById(w.project.id, w.clusterB.id), undefined)
        assert.deepEqual(await store.getCheckpoint(w.otherA.id, cps[2]?.id ?? ''), cps[2])
        assert.deepEqual((await store.getApiKey(key.publicKey))?.roles, [key.roles[0], key.roles[2]])
        assert.deepEqual(await store.getApiKey(untouched.publicKey), untouched)
        assert.deepEqual((await store.getServiceAccount(account.clientId))?.roles, [])
        assert.equal((await store.deleteProject(w.project.id)).projects, 0)
      }))

    test('deleting an organization deletes everything under it, and nothing else', () =>
      withStore(async (store, w) => {
        const otherOrg = { id: newObjectId(), name: 'Other' }
        const otherProject = { id: newObjectId(), orgId: otherOrg.id, name: 'Other' }
        const otherCluster = { ...w.clusterB, id: newObjectId(), groupId: otherProject.id }
        const cps = [checkpoint(w.clusterA, BASE), checkpoint(w.clusterA, BASE + 60), checkpoint(w.otherA, BASE)]
        const survivor = checkpoint(otherCluster, BASE)
        const key = keyOf(letters(), w.org.id, [{ orgId: w.org.id, roleName: 'ORG_OWNER' }])
        const otherKey = keyOf(letters(), otherOrg.id, [{ groupId: otherProject.id, roleName: 'GROUP_OWNER' }])
        const account = accountOf(`mdb_sa_id_${newObjectId()}`, w.org.id, [])
        await store.apply(
          data({
            organizations: [otherOrg],
            projects: [otherProject],
            clusters: [otherCluster],
            checkpoints: [...cps, survivor],
            apiKeys: [key, otherKey],
            serviceAccounts: [account],
          }),
        )
        assert.deepEqual(await store.deleteOrganization(w.org.id), {
          organizations: 1,
          projects: 2,
          clusters: 3,
          checkpoints: 3,
          apiKeys: 1,
          serviceAccounts: 1,
        })
        assert.equal(await store.getOrganization(w.org.id), undefined)
        assert.equal(await store.getProject(w.otherProject.id), undefined)
        assert.equal(await store.getApiKey(key.publicKey), undefined)
        assert.equal(await store.getServiceAccount(account.clientId), undefined)
        assert.deepEqual(await store.getApiKey(otherKey.publicKey), otherKey)
        assert.deepEqual(await store.getCheckpoint(otherCluster.id, survivor.id), survivor)
        assert.equal((await store.deleteOrganization(w.org.id)).organizations, 0)
      }))

    test('API keys and service accounts are deleted by their own ids', () =>
      withStore(async (store, w) => {
        const key = keyOf(letters(), w.org.id, [])
        const account = accountOf(`mdb_sa_id_${newObjectId()}`, w.org.id, [])
        await store.apply(data({ apiKeys: [key], serviceAccounts: [account] }))
        assert.equal(await store.deleteApiKey(key.publicKey), true)
        assert.equal(await store.deleteApiKey(key.publicKey), false)
        assert.equal(await store.getApiKey(key.publicKey), undefined)
        assert.equal(await store.deleteServiceAccount(account.clientId), true)
        assert.equal(await store.deleteServiceAccount(account.clientId), false)
        assert.equal(await store.getServiceAccount(account.clientId), undefined)
      }))

    test('a service account keeps its identity when replaced, and a new one takes its own', () =>
      withStore(async (store, w) => {
        const account = accountOf(`mdb_sa_id_${newObjectId()}`, w.org.id, [])
        await store.apply(data({ serviceAccounts: [account] }))
        assert.equal((await store.getServiceAccount(account.clientId))?.uid, account.uid)
        // A replace by client id (a fixture reloaded, an admin update) is the same account: its uid stays.
        await store.apply(data({ serviceAccounts: [{ ...account, uid: 'f'.repeat(32), name: 'renamed' }] }))
        const replaced = await store.getServiceAccount(account.clientId)
        assert.equal(replaced?.name, 'renamed')
        assert.equal(replaced?.uid, account.uid)
        // Deleted and created again with the same client id: another account, with the uid given.
        await store.deleteServiceAccount(account.clientId)
        await store.apply(data({ serviceAccounts: [{ ...account, uid: 'f'.repeat(32) }] }))
        assert.equal((await store.getServiceAccount(account.clientId))?.uid, 'f'.repeat(32))
        assert.deepEqual(
          (await store.listServiceAccounts()).find((a) => a.clientId === account.clientId)?.uid,
          'f'.repeat(32),
        )
      }))

    test('reset deletes every record and keeps the server secrets and replay records', () =>
      withStore(async (store, w) => {
        const secret = await store.getOrCreateSecret(`conformance-reset-${newObjectId()}`, () => 'kept')
        const nonce = `conformance-reset-${newObjectId()}`
        const until = Math.floor(Date.now() / 1000) + 300
        assert.equal(await store.claimNonceLease(nonce, 'owner-a', until), true)
        await store.apply(data({ checkpoints: [checkpoint(w.clusterA, BASE)], apiKeys: [keyOf(letters(), w.org.id, [])] }))
        const summary = await store.reset()
        assert.ok(summary.organizations >= 1 && summary.checkpoints >= 1 && summary.apiKeys >= 1, JSON.stringify(summary))
        assert.deepEqual(await store.listOrganizations(), [])
        assert.deepEqual(await store.listProjects(), [])
        assert.deepEqual(await store.listClusters(), [])
        assert.deepEqual(await store.listApiKeys(), [])
        assert.deepEqual(await store.listServiceAccounts(), [])
        assert.equal((await store.pageCheckpoints(w.clusterA.id, { offset: 0, limit: 10 })).totalCount, 0)
        assert.equal(await store.getOrCreateSecret(`conformance-reset-other-${newObjectId()}`, () => 'new'), 'new')
        assert.equal(secret, 'kept')
        assert.equal(await store.claimNonceLease(nonce, 'owner-b', until), false)
        assert.deepEqual(await store.reset(), { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 })
        // the same ids load again
        await store.apply(worldData(w))
        assert.deepEqual(await store.getClusterById(w.project.id, w.clusterA.id), w.clusterA)
      }))
  })
}
