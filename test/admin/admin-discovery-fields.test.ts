import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS } from '../helpers/fixtures.js'

/**
 * The project and cluster fields the discovery endpoints show, set through the admin API: checked as in a
 * fixture, shown only when set, `null` back to the default; every answer validates against the admin
 * OpenAPI document (startAdminApp checks it), and the discovery endpoints show the change at once.
 */
const CLUSTER = '5f0a000000000000000000d1'

describe('admin API: the discovery fields of projects and clusters', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('a cluster created with them shows them; the discovery bodies follow; null sets one back to its default', async () => {
    const created = await t.admin('POST', `/groups/${IDS.projectA}/clusters`, {
      id: CLUSTER,
      name: 'Tuned',
      type: 'REPLICASET',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.2',
      shards: [{ shardName: 'Tuned', replicaSetName: 'Tuned' }],
      createdAt: '2024-03-01T12:00:00.999+02:00',
      mongoDBVersion: '4.2.8',
      provider: 'AZURE',
      region: 'UK_SOUTH',
      instanceSize: 'M60',
      diskSizeGB: 128,
      backupStatus: 'PROVISIONING',
    })
    assert.equal(created.status, 201, created.body)
    const view = created.json()
    assert.equal(view.createdAt, '2024-03-01T10:00:00Z')
    assert.equal('stateName' in view, false, 'unset fields are not shown')
    const atlas = (await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/Tuned`, { accept: 'application/vnd.atlas.2024-08-05+json' })).json()
    assert.equal(atlas.mongoDBVersion, '4.2.8')
    assert.deepEqual(atlas.replicationSpecs[0].regionConfigs[0].electableSpecs, { instanceSize: 'M60', diskSizeGB: 128, nodeCount: 3 })
    assert.equal((await t.call(`/api/public/v1.0/groups/${IDS.projectA}/backupConfigs/${CLUSTER}`)).json().statusName, 'PROVISIONING')

    const patched = await t.admin('PATCH', `/groups/${IDS.projectA}/clusters/${CLUSTER}`, { mongoDBVersion: null, provider: null, region: null, backupStatus: null, stateName: 'REPAIRING' })
    assert.equal(patched.status, 200, patched.body)
    assert.deepEqual(
      Object.keys(patched.json()).filter((k) => ['createdAt', 'mongoDBVersion', 'stateName', 'provider', 'region', 'instanceSize', 'diskSizeGB', 'backupStatus'].includes(k)),
      ['createdAt', 'stateName', 'instanceSize', 'diskSizeGB'],
    )
    const after = (await t.call(`/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Tuned`)).json()
    assert.equal(after.mongoDBVersion, '4.2.25', 'the default of FCV 4.2')
    assert.equal(after.stateName, 'REPAIRING')
    assert.deepEqual(after.providerSettings, { providerName: 'AWS', diskIOPS: 3000, encryptEBSVolume: true, instanceSizeName: 'M60', regionName: 'US_EAST_1', volumeType: 'STANDARD' })
    assert.equal((await t.call(`/api/public/v1.0/groups/${IDS.projectA}/backupConfigs/${CLUSTER}`)).json().statusName, 'STARTED')
  })

  test('bad values are refused with the fixture\'s messages', async () => {
    const res = await t.admin('PATCH', `/groups/${IDS.projectA}/clusters/${IDS.replicaSet0}`, {
      mongoDBVersion: '3.6.23',
      stateName: 'PAUSED',
      provider: 'GCP',
      region: 'US_EAST_1',
      instanceSize: 'M100',
      diskSizeGB: 5000,
      diskIOPS: 100,
      backupStatus: 'RUNNING',
    })
    assertViolations(res, [
      ['mongoDBVersion', 'mongoDBVersion 3.6.23 is older than the featureCompatibilityVersion 4.0'],
      ['stateName', 'stateName must be one of IDLE, CREATING, UPDATING, DELETING, REPAIRING, or null, not "PAUSED"'],
      ['region', 'region must be a region of GCP, such as CENTRAL_US, or null, not "US_EAST_1"'],
      ['instanceSize', 'instanceSize must be an instance size of GCP, such as M30, or null, not "M100"'],
      ['diskSizeGB', 'diskSizeGB must be a number from 10 to 4096 (GB), or null, not 5000'],
      ['diskIOPS', 'diskIOPS is for AWS clusters only, not GCP'],
      ['backupStatus', /^backupStatus must be one of INACTIVE, PROVISIONING, STARTED, STOPPED, TERMINATING/],
    ])
  })

  test('projects: createdAt and tags set, shown and cleared; a name taken in the organization is refused', async () => {
    const patched = await t.admin('PATCH', `/groups/${IDS.projectA2}`, { createdAt: '2024-01-13T02:09:09Z', tags: [{ key: 'team', value: 'payments' }] })
    assert.equal(patched.status, 200, patched.body)
    assert.deepEqual(patched.json().tags, [{ key: 'team', value: 'payments' }])
    const atlas = (await t.call(`/api/atlas/v2/groups/${IDS.projectA2}`, { key: { publicKey: 'orgowner', privateKey: '0f5d3a1e-7c2b-4e9f-8a6d-2b1c0e9f8a71' } })).json()
    assert.equal(atlas.created, '2024-01-13T02:09:09Z')
    assert.deepEqual(atlas.tags, [{ key: 'team', value: 'payments' }])
    const cleared = await t.admin('PATCH', `/groups/${IDS.projectA2}`, { createdAt: null, tags: null })
    assert.deepEqual(Object.keys(cleared.json()), ['id', 'orgId', 'name'])
    assertViolations(await t.admin('PATCH', `/groups/${IDS.projectA2}`, { tags: [{ key: '', value: 'x' }, { key: 'k' }] }), [
      ['tags[0].key', 'tags[0].key must be a string of 1 to 255 characters (no NUL), not ""'],
      ['tags[1].value', 'tags[1].value is required'],
    ])
    assertViolations(await t.admin('PATCH', `/groups/${IDS.projectA2}`, { name: 'Demo Project' }), [
      ['name', `name Demo Project is already used in organization ${IDS.orgA} by project ${IDS.projectA} in the store`],
    ])
    assert.equal((await t.admin('POST', '/groups', { orgId: IDS.orgB, name: 'Demo Project' })).status, 201, 'another organization may use it')
  })
})
