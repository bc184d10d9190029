import { IDS } from './fixtures.js'

/**
 * Records added to the demo and the test fixture by the discovery tests: a third project of the demo
 * organization with tags and a creation date, holding clusters on each provider with their deployment
 * fields set (a version, a state, a region, a size, a disk, an Ops Manager backup status).
 */
export const DISCOVERY_IDS = {
  projectC: '65a1f0c2e4b0a1b2c3d4e504',
  gcp: '65a1f0c2e4b0a1b2c3d4e520',
  azure: '65a1f0c2e4b0a1b2c3d4e521',
  aws: '65a1f0c2e4b0a1b2c3d4e522',
} as const

export const DISCOVERY_FIXTURE = {
  projects: [
    { id: DISCOVERY_IDS.projectC, orgId: IDS.orgA, name: 'Alpha Analytics', createdAt: '2024-01-20T08:30:00+01:00', tags: [{ key: 'env', value: 'test' }] },
  ],
  clusters: [
    {
      id: DISCOVERY_IDS.gcp,
      groupId: DISCOVERY_IDS.projectC,
      name: 'GcpReplicas',
      type: 'REPLICASET',
      backup: 'CLOUD',
      featureCompatibilityVersion: '6.0',
      shards: [{ shardName: 'GcpReplicas', replicaSetName: 'atlas-gcp-shard-0' }],
      createdAt: '2024-02-01T10:00:00Z',
      mongoDBVersion: '7.0.12',
      provider: 'GCP',
      region: 'WESTERN_EUROPE',
      instanceSize: 'M40',
      diskSizeGB: 80.5,
    },
    {
      id: DISCOVERY_IDS.azure,
      groupId: DISCOVERY_IDS.projectC,
      name: 'AzureSharded',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [
        { shardName: 'az-0', replicaSetName: 'az-rs-0' },
        { shardName: 'az-1', replicaSetName: 'az-rs-1' },
      ],
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'az-config' },
      stateName: 'CREATING',
      provider: 'AZURE',
      region: 'EUROPE_NORTH',
      instanceSize: 'M50',
      backupStatus: 'STOPPED',
    },
    {
      id: DISCOVERY_IDS.aws,
      groupId: DISCOVERY_IDS.projectC,
      name: 'awsIops',
      type: 'REPLICASET',
      backup: 'NONE',
      featureCompatibilityVersion: '4.4',
      shards: [{ shardName: 'awsIops', replicaSetName: 'awsIops' }],
      stateName: 'UPDATING',
      region: 'EU_WEST_1',
      diskIOPS: 6000,
    },
  ],
}
