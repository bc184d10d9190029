import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertApiError, atlasAccept } from '../helpers/api-errors.js'
import { DISCOVERY_FIXTURE, DISCOVERY_IDS } from '../helpers/discovery-fixture.js'
import { assertDiscoveryBody } from '../helpers/discovery-openapi.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

/** Atlas clusters in each resource version, and the all-clusters views (docs/behaviour.md#discovery). */

const V2 = '/api/atlas/v2'
const V1 = '/api/atlas/v1.0'
const OM = '/api/public/v1.0'
const ALPHA = `/groups/${DISCOVERY_IDS.projectC}/clusters`
const LIST = '/api/atlas/v2/groups/{groupId}/clusters'
const ONE = '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}'
const SUNSET = 'Thu, 1 Jul 2027 00:00:00 GMT'

/** Accept date → the version served and the Deprecation header it carries. */
const NEGOTIATION: [string, string, string | undefined][] = [
  ['2023-01-01', '2023-01-01', 'Wed, 1 Feb 2023 00:00:00 GMT'],
  ['2023-01-31', '2023-01-01', 'Wed, 1 Feb 2023 00:00:00 GMT'],
  ['2023-02-01', '2023-02-01', 'Mon, 5 Aug 2024 00:00:00 GMT'],
  ['2024-05-30', '2023-02-01', 'Mon, 5 Aug 2024 00:00:00 GMT'],
  ['2024-08-04', '2023-02-01', 'Mon, 5 Aug 2024 00:00:00 GMT'],
  ['2024-08-05', '2024-08-05', undefined],
  ['2024-10-23', '2024-08-05', undefined],
  ['2025-03-12', '2024-08-05', undefined],
]

function served(res: CallResult, version: string, deprecation: string | undefined): void {
  assert.equal(res.headers['content-type'], `application/vnd.atlas.${version}+json;charset=utf-8`)
  assert.equal(res.headers['deprecation'], deprecation)
  assert.equal(res.headers['sunset'], deprecation === undefined ? undefined : SUNSET)
}

describe('discovery: Atlas clusters', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ fixtures: [DISCOVERY_FIXTURE] })
  })
  after(() => t.close())

  test('the versioned Accept header picks the newest cluster version not later than its date; deprecated versions say so', async () => {
    for (const [date, version, deprecation] of NEGOTIATION) {
      const list = await t.call(`${V2}${ALPHA}`, { key: KEYS.orgowner, accept: atlasAccept(date) })
      assert.equal(list.status, 200, list.body)
      served(list, version, deprecation)
      assertDiscoveryBody(LIST, String(list.headers['content-type']), list.json())
      const one = await t.call(`${V2}/groups/${IDS.projectA}/clusters/Cluster0`, { accept: `application/json, ${atlasAccept(date)};q=0.9` })
      served(one, version, deprecation)
      assertDiscoveryBody(ONE, String(one.headers['content-type']), one.json())
      // Errors of a deprecated version carry its headers too.
      const missing = await t.call(`${V2}/groups/${IDS.projectA}/clusters/Nope`, { accept: atlasAccept(date) })
      assertApiError(missing, 404, 'CLUSTER_NOT_FOUND', `No cluster named Nope exists in group ${IDS.projectA}.`, ['Nope', IDS.projectA])
      assert.equal(missing.headers['deprecation'], deprecation)
    }
    for (const accept of [null, '*/*', 'application/json', 'application/vnd.atlas.preview+json', atlasAccept('2022-12-31'), atlasAccept('2024-02-30')]) {
      const res = await t.call(`${V2}${ALPHA}`, { key: KEYS.orgowner, accept })
      assertApiError(res, 406, 'INVALID_VERSION_DATE', 'Invalid accept header or version date.', [])
      assert.equal(res.headers['deprecation'], undefined)
    }
    // Projects and organizations have one version: any later date is 2023-01-01, never deprecated.
    const project = await t.call(`${V2}/groups/${IDS.projectA}`, { accept: atlasAccept('2025-03-12') })
    served(project, '2023-01-01', undefined)
  })

  test('Use-Effective-Instance-Fields and Use-Effective-Fields-Replication-Specs are accepted and change nothing', async () => {
    const url = `${V2}/groups/${IDS.projectA}/clusters/Cluster0`
    const plain = await t.call(url, { accept: atlasAccept('2024-08-05') })
    const effective = await t.call(url, { accept: atlasAccept('2024-08-05'), headers: { 'use-effective-instance-fields': 'true', 'use-effective-fields-replication-specs': 'true' } })
    assert.equal(effective.body, plain.body)
  })

  test('every cluster validates in every version, on every provider and state; lists by name in byte order, each with its three links', async () => {
    for (const version of ['2023-01-01', '2023-02-01', '2024-08-05']) {
      for (const group of [IDS.projectA, DISCOVERY_IDS.projectC]) {
        const list = await t.call(`${V2}/groups/${group}/clusters`, { key: KEYS.orgowner, accept: atlasAccept(version) })
        assertDiscoveryBody(LIST, String(list.headers['content-type']), list.json())
        const clusters = list.json().results as { name: string; links: { rel: string }[] }[]
        const names = clusters.map((c) => c.name)
        assert.deepEqual(names, [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))))
        for (const cluster of clusters) {
          assert.deepEqual(cluster.links.map((l) => l.rel), ['self', 'https://cloud.mongodb.com/restoreJobs', 'https://cloud.mongodb.com/snapshots'])
          const one = await t.call(`${V2}/groups/${group}/clusters/${cluster.name}`, { key: KEYS.orgowner, accept: atlasAccept(version) })
          assertDiscoveryBody(ONE, String(one.headers['content-type']), one.json())
        }
      }
    }
    const alpha = await t.call(`${V2}${ALPHA}`, { key: KEYS.orgowner, accept: atlasAccept('2024-08-05') })
    assert.deepEqual(alpha.json().results.map((c: { name: string }) => c.name), ['AzureSharded', 'GcpReplicas', 'awsIops'])
  })

  test('backupEnabled: legacy backup on v1.0 and 2023-01-01 (Cloud Backup is providerBackupEnabled), Cloud Backup on later versions', async () => {
    const read = async (url: string, accept: string | null) => (await t.call(url, { key: KEYS.orgowner, accept })).json()
    const cases: [string, string, boolean, boolean][] = [
      [`/groups/${IDS.projectA}/clusters/Cluster0`, 'LEGACY', true, false],
      [`${ALPHA}/GcpReplicas`, 'CLOUD', false, true],
      [`${ALPHA}/awsIops`, 'NONE', false, false],
    ]
    for (const [path, kind, legacy, cloud] of cases) {
      for (const body of [await read(`${V1}${path}`, null), await read(`${V2}${path}`, atlasAccept('2023-01-01'))]) {
        assert.equal(body.backupEnabled, legacy, kind)
        assert.equal(body.providerBackupEnabled, cloud, kind)
      }
      for (const version of ['2023-02-01', '2024-08-05']) {
        const body = await read(`${V2}${path}`, atlasAccept(version))
        assert.equal(body.backupEnabled, cloud, `${kind} at ${version}`)
        assert.equal('providerBackupEnabled' in body, false)
      }
    }
  })

  test('the deployment fields set on a cluster show in every version; the rest are their defaults', async () => {
    const get = async (name: string, version: string | null) =>
      (await t.call(`${version === null ? V1 : V2}${ALPHA}/${name}`, { key: KEYS.orgowner, accept: version === null ? null : atlasAccept(version) }))
    // GCP: its own hardware spec (no IOPS, no EBS), region and size; the disk size written as a double.
    const gcp = await get('GcpReplicas', '2024-08-05')
    assert.ok(gcp.body.includes('"diskSizeGB":80.5'))
    const g = gcp.json()
    assert.equal(g.createDate, '2024-02-01T10:00:00Z')
    assert.equal(g.mongoDBVersion, '7.0.12')
    assert.equal(g.mongoDBMajorVersion, '7.0')
    assert.equal(g.featureCompatibilityVersion, '6.0')
    assert.deepEqual(g.replicationSpecs[0].regionConfigs[0].electableSpecs, { instanceSize: 'M40', diskSizeGB: 80.5, nodeCount: 3 })
    assert.equal(g.replicationSpecs[0].regionConfigs[0].providerName, 'GCP')
    assert.equal(g.replicationSpecs[0].regionConfigs[0].regionName, 'WESTERN_EUROPE')
    assert.ok(g.connectionStrings.standard.endsWith('/?ssl=true&authSource=admin&replicaSet=atlas-gcp-shard-0'))
    const gcpV1 = (await get('GcpReplicas', null)).json()
    assert.deepEqual(gcpV1.providerSettings, { providerName: 'GCP', instanceSizeName: 'M40', regionName: 'WESTERN_EUROPE' })
    assert.deepEqual(gcpV1.replicationSpec, { WESTERN_EUROPE: { analyticsNodes: 0, electableNodes: 3, priority: 7, readOnlyNodes: 0 } })
    assert.equal(gcpV1.mongoURIUpdated, '2024-02-01T10:00:00Z')
    // Azure, sharded, CREATING: no connection strings yet; one replication spec per shard at 2024-08-05, one with numShards before.
    const azure = (await get('AzureSharded', '2024-08-05')).json()
    assert.equal(azure.stateName, 'CREATING')
    assert.deepEqual(azure.connectionStrings, { awsPrivateLinkSrv: {}, privateEndpoint: [] })
    assert.equal(azure.replicationSpecs.length, 2)
    assert.equal(azure.replicationSpecs[0].zoneId, azure.replicationSpecs[1].zoneId)
    assert.notEqual(azure.replicationSpecs[0].id, azure.replicationSpecs[1].id)
    assert.deepEqual(azure.effectiveReplicationSpecs.map((s: { id: string }) => s.id), azure.replicationSpecs.map((s: { id: string }) => s.id))
    assert.equal(azure.configServerType, 'DEDICATED')
    assert.equal(azure.mongoDBVersion, '4.0.28', 'the default: the last patch release of the FCV')
    const azure2023 = (await get('AzureSharded', '2023-02-01')).json()
    assert.equal(azure2023.replicationSpecs.length, 1)
    assert.equal(azure2023.replicationSpecs[0].numShards, 2)
    assert.equal(azure2023.replicationSpecs[0].zoneId, azure.replicationSpecs[0].zoneId)
    assert.ok(!azure.replicationSpecs.some((s: { id: string }) => s.id === azure2023.replicationSpecs[0].id))
    assert.deepEqual(azure2023.replicationSpecs[0].regionConfigs[0].electableSpecs, { instanceSize: 'M50', nodeCount: 3 })
    const azureV1 = (await get('AzureSharded', null)).json()
    for (const key of ['mongoURI', 'mongoURIWithOptions', 'mongoURIUpdated', 'srvAddress']) assert.equal(key in azureV1, false, key)
    // AWS with its IOPS set, UPDATING, FCV 4.4 → 4.4.29.
    const aws = (await get('awsIops', '2023-02-01')).json()
    assert.equal(aws.stateName, 'UPDATING')
    assert.equal(aws.mongoDBVersion, '4.4.29')
    assert.deepEqual(aws.replicationSpecs[0].regionConfigs[0].electableSpecs, { instanceSize: 'M30', diskIOPS: 6000, ebsVolumeType: 'STANDARD', nodeCount: 3 })
    assert.equal(aws.replicationSpecs[0].regionConfigs[0].regionName, 'EU_WEST_1')
    assert.ok(aws.connectionStrings.standardSrv.startsWith('mongodb+srv://awsiops.'))
  })

  test('cluster names: a name that breaks the pattern, is over 64 characters or is unknown is 404 CLUSTER_NOT_FOUND', async () => {
    for (const name of ['-x', 'a_b', 'x'.repeat(65), 'cluster0', 'Nope']) {
      assertApiError(await t.call(`${V1}/groups/${IDS.projectA}/clusters/${name}`), 404, 'CLUSTER_NOT_FOUND', `No cluster named ${name} exists in group ${IDS.projectA}.`, [name, IDS.projectA])
    }
    assert.equal((await t.call(`${V2}/groups/${IDS.projectA}/clusters/CloudCluster0`)).status, 200, 'a Cloud Backup cluster is a cluster')
  })

  test('includeDeletedWithRetainedBackups is a v2 boolean carried in the links; v1.0 ignores it', async () => {
    const res = await t.call(`${V2}/groups/${IDS.projectA}/clusters?includeDeletedWithRetainedBackups=FALSE&includeCount=true`)
    assert.equal(res.status, 200, res.body)
    assert.equal(res.json().links[0].href, `http://localhost:80/api/atlas/v2/groups/${IDS.projectA}/clusters?includeCount=true&includeDeletedWithRetainedBackups=false&pageNum=1&itemsPerPage=100`)
    assertApiError(await t.call(`${V2}/groups/${IDS.projectA}/clusters?includeDeletedWithRetainedBackups=yes`), 400, 'INVALID_QUERY_PARAMETER', undefined, ['includeDeletedWithRetainedBackups'])
    assert.equal((await t.call(`${V1}/groups/${IDS.projectA}/clusters?includeDeletedWithRetainedBackups=yes`)).status, 200)
  })

  test('all clusters in all projects: one result per visible project with clusters, each dialect\'s type names and backup flag', async () => {
    const v2 = await t.call(`${V2}/clusters`, { key: KEYS.orgowner })
    assertDiscoveryBody('/api/atlas/v2/clusters', String(v2.headers['content-type']), v2.json())
    const results = v2.json().results as { groupName: string; orgName: string; planType: string; clusters: Record<string, unknown>[] }[]
    assert.deepEqual(results.map((r) => r.groupName), ['Alpha Analytics', 'Demo Project', 'Second Project'])
    assert.ok(results.every((r) => r.orgName === 'Waymark Demo Org' && r.planType === 'Atlas'))
    const alpha = results[0]?.clusters ?? []
    assert.deepEqual(alpha.map((c) => [c['name'], c['type'], c['backupEnabled'], c['nodeCount'], c['versions']]), [
      ['AzureSharded', 'SHARDED_CLUSTER', true, 9, ['4.0.28']],
      ['GcpReplicas', 'REPLICA_SET', true, 3, ['7.0.12']],
      ['awsIops', 'REPLICA_SET', false, 3, ['4.4.29']],
    ])
    const v1 = (await t.call(`${V1}/clusters`, { key: KEYS.orgowner })).json().results[0].clusters as Record<string, unknown>[]
    assert.deepEqual(v1.map((c) => [c['type'], c['backupEnabled']]), [['sharded cluster', true], ['replica set', false], ['replica set', false]])
    const om = (await t.call(`${OM}/clusters`, { key: KEYS.orgowner })).json().results as { planType: string; clusters: Record<string, unknown>[] }[]
    assert.equal(om[0]?.planType, 'Ops Manager')
    assert.deepEqual(om[0]?.clusters.map((c) => [c['type'], c['backupEnabled']]), [['sharded cluster', true], ['replica set', true], ['replica set', false]])
    const sccc = (await t.call(`${OM}/clusters`)).json().results[0].clusters.find((c: { name: string }) => c.name === 'Sccc34')
    assert.equal(sccc.nodeCount, 8, '2 shards of 3 and two SCCC hosts')
    assert.deepEqual((await t.call(`${V2}/clusters`, { key: KEYS.demonone })).json().results, [])
  })
})
