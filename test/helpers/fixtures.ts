/** Test data added to the demo: a second project and organization, an SCCC cluster, one key per role. */
export const IDS = {
  orgA: '65a1f0c2e4b0a1b2c3d4e501',
  projectA: '65a1f0c2e4b0a1b2c3d4e502',
  projectA2: '65a1f0c2e4b0a1b2c3d4e503',
  cluster0: '65a1f0c2e4b0a1b2c3d4e510',
  replicaSet0: '65a1f0c2e4b0a1b2c3d4e511',
  cloudCluster0: '65a1f0c2e4b0a1b2c3d4e512',
  upgraded42: '65a1f0c2e4b0a1b2c3d4e513',
  sccc: '65a1f0c2e4b0a1b2c3d4e514',
  noBackup: '65a1f0c2e4b0a1b2c3d4e515',
  a2Cluster: '65a1f0c2e4b0a1b2c3d4e516',
  orgB: '75b2a1d3f5c6b7a8c9d0e601',
  projectB: '75b2a1d3f5c6b7a8c9d0e602',
  clusterB: '75b2a1d3f5c6b7a8c9d0e610',
  scccCheckpoint1: '5a0a4c9e0000000000000001',
  scccCheckpoint2: '5a0a4d5a0000000000000002',
  a2Checkpoint: '5a0a4d5a0000000000000003',
} as const

const key = (publicKey: string, privateKey: string, orgId: string, roles: object[]) => ({
  publicKey,
  privateKey,
  orgId,
  description: `test key ${publicKey}`,
  roles,
})

export const KEYS = {
  demoread: { publicKey: 'demoread', privateKey: '3f1c6a52-8d2e-4b7a-9c41-5e0d2b7f9a13' },
  demonone: { publicKey: 'demonone', privateKey: '9b2e4d71-0c3f-4e8a-a6d5-1f7c3b9e2d40' },
  orgowner: { publicKey: 'orgowner', privateKey: '0f5d3a1e-7c2b-4e9f-8a6d-2b1c0e9f8a71' },
  orgreado: { publicKey: 'orgreado', privateKey: '1a6e4b2f-8d3c-4f0a-9b7e-3c2d1f0a9b82' },
  grpowner: { publicKey: 'grpowner', privateKey: '2b7f5c3a-9e4d-4a1b-8c8f-4d3e2a1b0c93' },
  backupmg: { publicKey: 'backupmg', privateKey: '3c8a6d4b-0f5e-4b2c-9d9a-5e4f3b2c1da4' },
  otherorg: { publicKey: 'otherorg', privateKey: '4d9b7e5c-1a6f-4c3d-8eab-6f5a4c3d2eb5' },
} as const

const part = (replicaSetName: string, date: string, increment: number, extra: object = {}) => ({
  typeName: 'REPLICA_SET',
  replicaSetName,
  shardName: replicaSetName,
  tokenDiscovered: true,
  tokenTimestamp: { date, increment },
  ...extra,
})

export const TEST_FIXTURE = {
  organizations: [{ id: IDS.orgB, name: 'Another Org' }],
  projects: [
    { id: IDS.projectA2, orgId: IDS.orgA, name: 'Second Project' },
    { id: IDS.projectB, orgId: IDS.orgB, name: 'Other Org Project' },
  ],
  clusters: [
    {
      id: IDS.sccc,
      groupId: IDS.projectA,
      name: 'Sccc34',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '3.4',
      shards: [
        { shardName: 'shard_0', replicaSetName: 'shard_0' },
        { shardName: 'shard_1', replicaSetName: 'shard_1' },
      ],
      configServer: { typeName: 'CONFIG_SERVER', hostIds: ['config-0.example.net:27019', 'config-1.example.net:27019'] },
    },
    {
      id: IDS.noBackup,
      groupId: IDS.projectA,
      name: 'NoBackup0',
      type: 'REPLICASET',
      backup: 'NONE',
      featureCompatibilityVersion: '4.0',
      shards: [{ shardName: 'NoBackup0', replicaSetName: 'NoBackup0' }],
    },
    {
      id: IDS.a2Cluster,
      groupId: IDS.projectA2,
      name: 'Cluster0',
      type: 'REPLICASET',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [{ shardName: 'Cluster0', replicaSetName: 'Cluster0' }],
    },
  ],
  checkpoints: [
    {
      id: IDS.scccCheckpoint1,
      clusterId: IDS.sccc,
      groupId: IDS.projectA,
      started: '2017-11-14T01:20:00Z',
      completed: '2017-11-14T01:20:09Z',
      timestamp: '2017-11-14T01:20:05Z',
      restorable: true,
      parts: [
        part('shard_1', '2017-11-14T01:20:03Z', 1),
        part('shard_0', '2017-11-14T01:20:04Z', 1),
        { hostId: 'config-0.example.net:27019', typeName: 'CONFIG_SERVER', tokenDiscovered: true, tokenTimestamp: { date: '2017-11-14T01:20:05Z', increment: 6 } },
      ],
    },
    {
      id: IDS.scccCheckpoint2,
      clusterId: IDS.sccc,
      groupId: IDS.projectA,
      started: '2017-11-14T01:35:00Z',
      timestamp: '2017-11-14T01:35:04Z',
      restorable: false,
      parts: [
        part('shard_1', '2017-11-14T01:35:03Z', 2),
        part('shard_0', '2017-11-14T01:35:04Z', 1, { tokenDiscovered: false }),
        { hostId: 'config-0.example.net:27019', typeName: 'CONFIG_SERVER', tokenDiscovered: true, tokenTimestamp: { date: '2017-11-14T01:35:02Z', increment: 4 } },
      ],
    },
    {
      id: IDS.a2Checkpoint,
      clusterId: IDS.a2Cluster,
      groupId: IDS.projectA2,
      started: '2017-11-14T01:35:00Z',
      completed: '2017-11-14T01:35:06Z',
      timestamp: '2017-11-14T01:35:04Z',
      restorable: true,
      parts: [{ typeName: 'REPLICA_SET', replicaSetName: 'Cluster0', tokenDiscovered: true, tokenTimestamp: { date: '2017-11-14T01:35:04Z', increment: 1 } }],
    },
  ],
  apiKeys: [
    key(KEYS.orgowner.publicKey, KEYS.orgowner.privateKey, IDS.orgA, [{ orgId: IDS.orgA, roleName: 'ORG_OWNER' }]),
    key(KEYS.orgreado.publicKey, KEYS.orgreado.privateKey, IDS.orgA, [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }]),
    key(KEYS.grpowner.publicKey, KEYS.grpowner.privateKey, IDS.orgA, [
      { orgId: IDS.orgA, roleName: 'ORG_MEMBER' },
      { groupId: IDS.projectA, roleName: 'GROUP_OWNER' },
    ]),
    key(KEYS.backupmg.publicKey, KEYS.backupmg.privateKey, IDS.orgA, [
      { orgId: IDS.orgA, roleName: 'ORG_MEMBER' },
      { groupId: IDS.projectA, roleName: 'GROUP_BACKUP_MANAGER' },
    ]),
    key(KEYS.otherorg.publicKey, KEYS.otherorg.privateKey, IDS.orgB, [{ orgId: IDS.orgB, roleName: 'ORG_OWNER' }]),
  ],
}
