import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertAdminError, assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS, KEYS } from '../helpers/fixtures.js'

const V2 = (cluster: string) => `/api/atlas/v2/groups/${IDS.projectA}/clusters/${cluster}/backupCheckpoints`
const CLUSTERS = `/groups/${IDS.projectA}/clusters`
const NEW_CLUSTER = '5f0a000000000000000000c1'

const sharded = (name: string, extra: object = {}) => ({
  name,
  type: 'SHARDED',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [
    { shardName: `${name}-shard-0`, replicaSetName: `${name}-shard-0` },
    { shardName: `${name}-shard-1`, replicaSetName: `${name}-shard-1` },
  ],
  configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${name}-config` },
  ...extra,
})
const replicaSet = (name: string, extra: object = {}) => ({
  name,
  type: 'REPLICASET',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [{ shardName: name, replicaSetName: name }],
  ...extra,
})

describe('admin API: clusters', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('list the clusters of a project, by id', async () => {
    const res = (await t.admin('GET', CLUSTERS)).json()
    assert.equal(res.totalCount, 6)
    assert.deepEqual(res.results.map((c: { name: string }) => c.name), ['Cluster0', 'ReplicaSet0', 'CloudCluster0', 'Upgraded42', 'Sccc34', 'NoBackup0'])
    assert.deepEqual(res.results[0], {
      id: IDS.cluster0,
      groupId: IDS.projectA,
      name: 'Cluster0',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [
        { shardName: 'Cluster0-shard-0', replicaSetName: 'Cluster0-shard-0' },
        { shardName: 'Cluster0-shard-1', replicaSetName: 'Cluster0-shard-1' },
        { shardName: 'Cluster0-shard-2', replicaSetName: 'Cluster0-shard-2' },
      ],
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Cluster0-config-0' },
      checkpointIntervalMinutes: 15,
      pointInTimeWindowHours: 168,
    })
    assertAdminError(await t.admin('GET', '/groups/5f0a00000000000000000fff/clusters'), 404, 'GROUP_NOT_FOUND')
    assertAdminError(await t.admin('GET', '/groups/nope/clusters'), 404, 'INVALID_GROUP_ID', ['nope'])
  })

  test('create a sharded cluster with a schedule; the project comes from the path; the API serves it', async () => {
    const res = await t.admin('POST', CLUSTERS, { id: NEW_CLUSTER, ...sharded('Payments'), checkpointIntervalMinutes: 15 })
    assert.equal(res.status, 201)
    assert.equal(res.json().groupId, IDS.projectA)
    assert.equal(res.json().checkpointIntervalMinutes, 15)
    assert.equal(res.json().pointInTimeWindowHours, 24)
    assert.deepEqual((await t.admin('GET', `${CLUSTERS}/${NEW_CLUSTER}`)).json(), res.json())
    const api = await t.call(V2('Payments'), { key: KEYS.demoread })
    assert.equal(api.status, 200)
    assert.equal(api.json().totalCount, 0)
    const generated = await t.admin('POST', CLUSTERS, replicaSet('Orders'))
    assert.equal(generated.status, 201)
    assert.match(generated.json().id, /^[a-f0-9]{24}$/)
    assert.equal(generated.json().checkpointIntervalMinutes, null)
  })

  test('the schedule answers the real API’s errors, on create and on update', async () => {
    assertAdminError(await t.admin('POST', CLUSTERS, replicaSet('Rs1', { checkpointIntervalMinutes: 15 })), 400, 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET', [])
    assertAdminError(await t.admin('POST', CLUSTERS, sharded('Sh1', { checkpointIntervalMinutes: 20 })), 400, 'INVALID_CLUSTER_CHECKPOINT_INTERVAL', [])
    assertAdminError(await t.admin('POST', CLUSTERS, sharded('Sh1', { pointInTimeWindowHours: 0 })), 400, 'INVALID_ATTRIBUTE', ['pointInTimeWindowHours'])
    const path = `${CLUSTERS}/${NEW_CLUSTER}`
    assertAdminError(await t.admin('PATCH', path, { checkpointIntervalMinutes: 45 }), 400, 'INVALID_CLUSTER_CHECKPOINT_INTERVAL')
    assertAdminError(await t.admin('PATCH', path, { pointInTimeWindowHours: 8761 }), 400, 'INVALID_ATTRIBUTE', ['pointInTimeWindowHours'])
    assertAdminError(await t.admin('PATCH', `${CLUSTERS}/${IDS.replicaSet0}`, { checkpointIntervalMinutes: 30 }), 400, 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET')
    assertAdminError(
      await t.admin('PATCH', path, { ...replicaSet('Payments'), configServer: null, checkpointIntervalMinutes: 60 }),
      400,
      'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET',
    )
    assert.equal((await t.store.getClusterById(IDS.projectA, NEW_CLUSTER))?.checkpointIntervalMinutes, 15)
    const changed = await t.admin('PATCH', path, { checkpointIntervalMinutes: 60, pointInTimeWindowHours: 48 })
    assert.equal(changed.status, 200)
    assert.equal(changed.json().checkpointIntervalMinutes, 60)
    assert.equal(changed.json().pointInTimeWindowHours, 48)
    assert.equal((await t.admin('PATCH', path, { checkpointIntervalMinutes: null })).json().checkpointIntervalMinutes, null)
  })

  test('FCV, backup kind, name and shape change; the API follows', async () => {
    const path = `${CLUSTERS}/${NEW_CLUSTER}`
    assert.equal((await t.admin('PATCH', path, { featureCompatibilityVersion: '4.2' })).json().featureCompatibilityVersion, '4.2')
    const cloud = await t.admin('PATCH', path, { backup: 'CLOUD' })
    assert.equal(cloud.json().backup, 'CLOUD')
    assertAdminError(await t.call(V2('Payments'), { key: KEYS.demoread }), 400, 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP')
    await t.admin('PATCH', path, { backup: 'LEGACY', name: 'Billing' })
    assert.equal((await t.call(V2('Billing'), { key: KEYS.demoread })).status, 200)
    assertAdminError(await t.call(V2('Payments'), { key: KEYS.demoread }), 404, 'CLUSTER_NOT_FOUND')
    const rs = await t.admin('PATCH', path, { type: 'REPLICASET', shards: [{ shardName: 'Billing', replicaSetName: 'Billing' }], configServer: null })
    assert.equal(rs.status, 200, rs.body)
    assert.equal(rs.json().type, 'REPLICASET')
    assert.equal(rs.json().configServer, null)
  })

  test('bad fields are listed with the fixture loader’s messages; the project and the id cannot change', async () => {
    assertViolations(await t.admin('POST', CLUSTERS, { ...sharded('bad name!'), type: 'STANDALONE', configServer: undefined }), [
      ['name', 'name must be letters, digits and hyphens, starting with a letter or digit, not "bad name!"'],
      ['type', 'type must be one of REPLICASET, SHARDED, not "STANDALONE"'],
    ])
    assertViolations(await t.admin('POST', CLUSTERS, { ...sharded('NoConfig'), configServer: null }), [['configServer', 'configServer is required for a SHARDED cluster']])
    assertViolations(await t.admin('POST', CLUSTERS, sharded('Cluster0')), [
      ['name', /^name Cluster0 is already used in project 65a1f0c2e4b0a1b2c3d4e502 by cluster 65a1f0c2e4b0a1b2c3d4e510 in the store$/],
    ])
    assertViolations(await t.admin('POST', CLUSTERS, { ...sharded('Other'), groupId: IDS.projectA2 }), [
      ['groupId', `groupId must be the one in the path, ${IDS.projectA}, or absent`],
    ])
    assertViolations(await t.admin('PATCH', `${CLUSTERS}/${IDS.cluster0}`, { groupId: IDS.projectA2, id: IDS.sccc }), [
      ['id', `id cannot be changed (it is "${IDS.cluster0}"); delete and create instead`],
      ['groupId', `groupId cannot be changed (it is "${IDS.projectA}"); delete and create instead`],
    ])
    assertViolations(await t.admin('PATCH', `${CLUSTERS}/${IDS.cluster0}`, { name: 'ReplicaSet0', shards: [] }), [
      ['shards', 'shards must have at least 1 item(s)'],
    ])
    assertViolations(await t.admin('PATCH', `${CLUSTERS}/${IDS.cluster0}`, { name: 'ReplicaSet0' }), [
      ['name', /^name ReplicaSet0 is already used in project/],
    ])
  })

  test('an id already used, in this project or another, is 409', async () => {
    assertAdminError(await t.admin('POST', CLUSTERS, { ...sharded('Fresh'), id: IDS.cluster0 }), 409, 'DUPLICATE_ID', ['Cluster', IDS.cluster0])
    assertAdminError(await t.admin('POST', CLUSTERS, { ...sharded('Fresh'), id: IDS.a2Cluster }), 409, 'DUPLICATE_ID', ['Cluster', IDS.a2Cluster])
    assert.equal((await t.store.getClusterById(IDS.projectA2, IDS.a2Cluster))?.name, 'Cluster0')
  })

  test('a cluster is found only under its own project; bad ids are 404', async () => {
    assertAdminError(await t.admin('GET', `/groups/${IDS.projectA2}/clusters/${IDS.cluster0}`), 404, 'CLUSTER_NOT_FOUND', [IDS.cluster0, IDS.projectA2])
    assertAdminError(await t.admin('GET', `${CLUSTERS}/Cluster0`), 404, 'INVALID_CLUSTER_ID', ['Cluster0'])
    assertAdminError(await t.admin('PATCH', `${CLUSTERS}/5f0a00000000000000000fff`, {}), 404, 'CLUSTER_NOT_FOUND')
    assertAdminError(await t.admin('DELETE', `/groups/${IDS.projectA2}/clusters/${IDS.cluster0}`), 404, 'CLUSTER_NOT_FOUND')
  })

  test('delete removes the cluster and its checkpoints', async () => {
    const res = await t.admin('DELETE', `${CLUSTERS}/${IDS.sccc}`)
    assert.deepEqual(res.json(), { deleted: { organizations: 0, projects: 0, clusters: 1, checkpoints: 2, apiKeys: 0, serviceAccounts: 0 } })
    assertAdminError(await t.admin('GET', `${CLUSTERS}/${IDS.sccc}`), 404, 'CLUSTER_NOT_FOUND')
    assertAdminError(await t.call(V2('Sccc34'), { key: KEYS.demoread }), 404, 'CLUSTER_NOT_FOUND')
    assert.equal(await t.store.findCheckpoint(IDS.scccCheckpoint1), undefined)
    assertAdminError(await t.admin('DELETE', `${CLUSTERS}/${IDS.sccc}`), 404, 'CLUSTER_NOT_FOUND')
  })
})
