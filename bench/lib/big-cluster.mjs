// One sharded cluster with many checkpoints (three shards and a CSRS, one checkpoint every 15 minutes
// from 2000-01-01), written through Store.apply in batches, as a backup history of that size would be.
// Shared by the storage benchmark (sqlite-paging.mjs) and the HTTP benchmark (http-bench.mjs).

export const BIG = {
  org: 'b0b0b0b0b0b0b0b0b0b00001',
  group: 'b0b0b0b0b0b0b0b0b0b00002',
  cluster: 'b0b0b0b0b0b0b0b0b0b00003',
  clusterName: 'Big0',
}

const START = Date.UTC(2000, 0, 1) / 1000
const iso = (s) => new Date(s * 1000).toISOString().slice(0, 19) + 'Z'
const id = (s, i) => s.toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0')
const EMPTY = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

/** The i-th checkpoint (0 is the oldest). */
export function checkpoint(i, clusterId = BIG.cluster, groupId = BIG.group) {
  const started = START + i * 900
  const part = (typeName, name, shard, k) => ({
    typeName,
    replicaSetName: name,
    ...(shard ? { shardName: name } : {}),
    tokenDiscovered: true,
    tokenTimestamp: { date: iso(started + 2 + k), increment: 1 + k },
  })
  return {
    id: id(started, i),
    clusterId,
    groupId,
    started: iso(started),
    completed: iso(started + 9),
    timestamp: iso(started + 5),
    restorable: true,
    parts: [
      part('REPLICA_SET', 'Big0-shard-0', true, 0),
      part('REPLICA_SET', 'Big0-shard-1', true, 1),
      part('REPLICA_SET', 'Big0-shard-2', true, 2),
      part('CONFIG_SERVER_REPLICA_SET', 'Big0-config-0', false, 3),
    ],
  }
}

/** The organization, project and cluster the checkpoints belong to. */
export function bigClusterSkeleton({ org = BIG.org, group = BIG.group, cluster = BIG.cluster, name = BIG.clusterName } = {}) {
  return {
    ...EMPTY,
    organizations: [{ id: org, name: 'Bench' }],
    projects: [{ id: group, orgId: org, name: 'Bench' }],
    clusters: [
      {
        id: cluster,
        groupId: group,
        name,
        type: 'SHARDED',
        backup: 'LEGACY',
        featureCompatibilityVersion: '4.0',
        shards: [0, 1, 2].map((n) => ({ shardName: `${name}-shard-${n}`, replicaSetName: `${name}-shard-${n}` })),
        configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${name}-config-0` },
        // No schedule: the benchmark's history is loaded, not produced.
        checkpointIntervalMinutes: null,
        pointInTimeWindowHours: 24,
      },
    ],
  }
}

/**
 * Writes `count` checkpoints of one cluster, oldest first, `batch` per apply. Returns the milliseconds
 * spent in apply (generation excluded).
 */
export async function loadCheckpoints(store, count, { batch = 10_000, clusterId = BIG.cluster, groupId = BIG.group, onBatch } = {}) {
  let applyMs = 0
  for (let i = 0; i < count; i += batch) {
    const checkpoints = []
    for (let j = i; j < Math.min(count, i + batch); j++) checkpoints.push(checkpoint(j, clusterId, groupId))
    const t0 = process.hrtime.bigint()
    await store.apply({ ...EMPTY, checkpoints })
    applyMs += Number(process.hrtime.bigint() - t0) / 1e6
    onBatch?.(Math.min(count, i + batch), applyMs)
  }
  return applyMs
}
