import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertApiError } from '../helpers/api-errors.js'
import { DISCOVERY_FIXTURE, DISCOVERY_IDS } from '../helpers/discovery-fixture.js'
import { derivedEntryId } from '../helpers/fuzz-discovery.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/** Ops Manager cluster entries and backup configurations (docs/behaviour.md#discovery). */

const OM = '/api/public/v1.0'
const NOW = Date.parse('2026-12-04T10:17:59.900Z')
const MINUTE = '2026-12-04T10:17:00Z'
const EMPTY = '65a1f0c2e4b0a1b2c3d4e505'

interface Entry {
  clusterName: string
  groupId: string
  id: string
  lastHeartbeat: string
  links: { href: string; rel: string }[]
  replicaSetName?: string
  shardName?: string
  typeName: string
}

describe('discovery: Ops Manager', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ fixtures: [DISCOVERY_FIXTURE, { projects: [{ id: EMPTY, orgId: IDS.orgA, name: 'Empty' }] }], now: () => NOW })
  })
  after(() => t.close())

  test('clusters: newest id first, a sharded cluster as its own entry, its shards and its config server replica set', async () => {
    const res = await t.call(`${OM}/groups/${DISCOVERY_IDS.projectC}/clusters`, { key: KEYS.orgowner })
    assert.equal(res.status, 200, res.body)
    assert.equal(res.headers['content-type'], 'application/json')
    const entries = res.json().results as Entry[]
    const az = DISCOVERY_IDS.azure
    assert.deepEqual(
      entries.map((e) => [e.clusterName, e.id, e.typeName, e.replicaSetName, e.shardName]),
      [
        ['awsIops', DISCOVERY_IDS.aws, 'REPLICA_SET', 'awsIops', undefined],
        ['AzureSharded', az, 'SHARDED_REPLICA_SET', undefined, undefined],
        ['AzureSharded', derivedEntryId(az, 'az-rs-0'), 'REPLICA_SET', 'az-rs-0', 'az-0'],
        ['AzureSharded', derivedEntryId(az, 'az-rs-1'), 'REPLICA_SET', 'az-rs-1', 'az-1'],
        ['AzureSharded', derivedEntryId(az, 'az-config'), 'CONFIG_SERVER_REPLICA_SET', 'az-config', undefined],
        ['GcpReplicas', DISCOVERY_IDS.gcp, 'REPLICA_SET', 'atlas-gcp-shard-0', undefined],
      ],
    )
    assert.equal(res.json().totalCount, 6)
    for (const entry of entries) {
      assert.deepEqual(Object.keys(entry), ['clusterName', 'groupId', 'id', 'lastHeartbeat', 'links', ...(entry.replicaSetName ? ['replicaSetName'] : []), ...(entry.shardName ? ['shardName'] : []), 'typeName'])
      assert.equal(entry.lastHeartbeat, MINUTE)
      assert.equal(entry.groupId, DISCOVERY_IDS.projectC)
      assert.deepEqual(entry.links, [{ href: `http://localhost:80${OM}/groups/${DISCOVERY_IDS.projectC}/clusters/${entry.id}`, rel: 'self' }])
      const one = await t.call(`${OM}/groups/${DISCOVERY_IDS.projectC}/clusters/${entry.id}`, { key: KEYS.orgowner })
      assert.deepEqual(one.json(), entry, 'each entry is addressable')
    }
    // Paging counts entries; mirrored (SCCC) config servers are not an entry.
    const page = await t.call(`${OM}/groups/${IDS.projectA}/clusters?itemsPerPage=2&pageNum=2`)
    assert.equal(page.json().results.length, 2)
    const sccc = (await t.call(`${OM}/groups/${IDS.projectA}/clusters?itemsPerPage=500`)).json().results.filter((e: Entry) => e.clusterName === 'Sccc34')
    assert.deepEqual(sccc.map((e: Entry) => e.typeName), ['SHARDED_REPLICA_SET', 'REPLICA_SET', 'REPLICA_SET'])
  })

  test('cluster ids: malformed 404 INVALID_CLUSTER_ID (a name too), unknown 404 CLUSTER_NOT_FOUND', async () => {
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/clusters/Cluster0`), 404, 'INVALID_CLUSTER_ID', 'An invalid cluster ID Cluster0 was specified.', ['Cluster0'])
    const unknown = 'ffffffffffffffffffffffff'
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/clusters/${unknown}`), 404, 'CLUSTER_NOT_FOUND', `No cluster with ID ${unknown} exists in group ${IDS.projectA}.`, [unknown, IDS.projectA])
    // A part of another project's cluster is not this project's.
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/clusters/${derivedEntryId(DISCOVERY_IDS.azure, 'az-rs-0')}`, { key: KEYS.orgowner }), 404, 'CLUSTER_NOT_FOUND')
  })

  test('backup configurations: one per cluster in the cluster order, statusName from the backup kind unless set', async () => {
    const res = await t.call(`${OM}/groups/${DISCOVERY_IDS.projectC}/backupConfigs`, { key: KEYS.orgowner })
    assert.equal(res.status, 200, res.body)
    const configs = res.json().results as Record<string, unknown>[]
    assert.deepEqual(configs.map((c) => [c['clusterId'], c['statusName']]), [
      [DISCOVERY_IDS.aws, 'INACTIVE'],
      [DISCOVERY_IDS.azure, 'STOPPED'],
      [DISCOVERY_IDS.gcp, 'INACTIVE'],
    ])
    for (const config of configs) {
      assert.deepEqual(Object.keys(config), ['clusterId', 'encryptionEnabled', 'excludedNamespaces', 'groupId', 'includedNamespaces', 'links', 'sslEnabled', 'statusName', 'storageEngineName'])
      assert.equal(config['storageEngineName'], 'WIRED_TIGER')
      assert.equal((config['links'] as unknown[]).length, 1)
    }
    const demo = (await t.call(`${OM}/groups/${IDS.projectA}/backupConfigs`)).json().results as Record<string, unknown>[]
    assert.deepEqual(demo.find((c) => c['clusterId'] === IDS.cluster0)?.['statusName'], 'STARTED')
    assert.deepEqual(demo.find((c) => c['clusterId'] === IDS.cloudCluster0)?.['statusName'], 'INACTIVE')
  })

  test('one backup configuration: of a cluster or of a part (the part\'s id, its cluster\'s status), with its four links', async () => {
    const part = derivedEntryId(DISCOVERY_IDS.azure, 'az-config')
    const res = await t.call(`${OM}/groups/${DISCOVERY_IDS.projectC}/backupConfigs/${part}`, { key: KEYS.orgowner })
    assert.equal(res.status, 200, res.body)
    const config = res.json()
    assert.equal(config.clusterId, part)
    assert.equal(config.statusName, 'STOPPED')
    const base = `http://localhost:80${OM}/groups/${DISCOVERY_IDS.projectC}`
    assert.deepEqual(config.links, [
      { href: `${base}/backupConfigs/${part}`, rel: 'self' },
      { href: `${base}/clusters/${part}`, rel: 'http://mms.mongodb.com/cluster' },
      { href: base, rel: 'http://mms.mongodb.com/group' },
      { href: `${base}/backupConfigs/${part}/snapshotSchedule`, rel: 'http://mms.mongodb.com/snapshotSchedule' },
    ])
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/backupConfigs/ffffffffffffffffffffffff`), 404, 'CLUSTER_NOT_FOUND')
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/backupConfigs/x`), 404, 'INVALID_CLUSTER_ID', undefined, ['x'])
    // Atlas has no backup configurations.
    assertApiError(await t.call(`/api/atlas/v1.0/groups/${IDS.projectA}/backupConfigs`), 404, 'RESOURCE_NOT_FOUND')
  })

  test('the checkpoint paths given a shard or config server id answer as a replica set without checkpoints', async () => {
    const shard = derivedEntryId(IDS.cluster0, 'Cluster0-shard-1')
    const list = await t.call(`${OM}/groups/${IDS.projectA}/clusters/${shard}/checkpoints`)
    assert.equal(list.status, 200, list.body)
    assert.deepEqual(list.json().results, [])
    assert.equal(list.json().totalCount, 0)
    const one = await t.call(`${OM}/groups/${IDS.projectA}/clusters/${shard}/checkpoints/${IDS.scccCheckpoint1}`)
    assertApiError(one, 404, 'CHECKPOINT_NOT_FOUND', undefined, [IDS.scccCheckpoint1, shard])
    const cloudPart = derivedEntryId(IDS.cloudCluster0, 'CloudCluster0-config-0')
    assertApiError(await t.call(`${OM}/groups/${IDS.projectA}/clusters/${cloudPart}/checkpoints`), 400, 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP')
  })

  test('projects: host counts of three members per replica set, one agent seen this minute when there are clusters', async () => {
    const alpha = (await t.call(`${OM}/groups/${DISCOVERY_IDS.projectC}`, { key: KEYS.orgowner })).json()
    assert.deepEqual(alpha, {
      activeAgentCount: 1,
      hostCounts: { arbiter: 0, config: 3, master: 0, mongos: 1, primary: 4, secondary: 8, slave: 0 },
      id: DISCOVERY_IDS.projectC,
      lastActiveAgent: MINUTE,
      links: [{ href: `http://localhost:80${OM}/groups/${DISCOVERY_IDS.projectC}`, rel: 'self' }],
      name: 'Alpha Analytics',
      orgId: IDS.orgA,
      publicApiEnabled: true,
      replicaSetCount: 5,
      shardCount: 2,
      tags: [],
    })
    const demo = (await t.call(`${OM}/groups/${IDS.projectA}`)).json()
    // Cluster0 (3 shards), CloudCluster0 and Upgraded42 (2 each), all with a CSRS; Sccc34 (2 shards, 2 SCCC hosts); two replica sets.
    assert.deepEqual(demo.hostCounts, { arbiter: 0, config: 11, master: 0, mongos: 4, primary: 11, secondary: 22, slave: 0 })
    assert.equal(demo.replicaSetCount, 14)
    assert.equal(demo.shardCount, 9)
    const empty = (await t.call(`${OM}/groups/${EMPTY}`, { key: KEYS.orgowner })).json()
    assert.equal(empty.activeAgentCount, 0)
    assert.equal('lastActiveAgent' in empty, false)
    assert.deepEqual(empty.hostCounts, { arbiter: 0, config: 0, master: 0, mongos: 0, primary: 0, secondary: 0, slave: 0 })
  })
})
