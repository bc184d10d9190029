import type { Checkpoint } from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'

/** One organization, project and replica set for the engine-specific store tests, and its nth checkpoint. */
export const ORG = '65a1f0c2e4b0a1b2c3d4e501'
export const GROUP = '65a1f0c2e4b0a1b2c3d4e502'
export const CLUSTER = '65a1f0c2e4b0a1b2c3d4e510'

export function base(): DataSet {
  return {
    organizations: [{ id: ORG, name: 'Org' }],
    projects: [{ id: GROUP, orgId: ORG, name: 'Project' }],
    clusters: [
      {
        id: CLUSTER,
        groupId: GROUP,
        name: 'Cluster0',
        type: 'REPLICASET',
        backup: 'LEGACY',
        featureCompatibilityVersion: '4.0',
        shards: [{ shardName: 'Cluster0', replicaSetName: 'Cluster0' }],
        configServer: null,
        checkpointIntervalMinutes: null,
        pointInTimeWindowHours: 24,
      },
    ],
    checkpoints: [],
    apiKeys: [],
    serviceAccounts: [],
  }
}

const START = Date.UTC(2000, 0, 1) / 1000

export function nth(i: number): Checkpoint {
  const seconds = START + i * 900
  const date = new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z'
  return {
    id: seconds.toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0'),
    clusterId: CLUSTER,
    groupId: GROUP,
    started: date,
    completed: date,
    timestamp: date,
    restorable: true,
    parts: [
      {
        typeName: 'REPLICA_SET',
        replicaSetName: 'Cluster0',
        tokenDiscovered: true,
        tokenTimestamp: { date, increment: 1 },
      },
    ],
  }
}
