import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertAdminError, assertViolations, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { IDS, KEYS } from '../helpers/fixtures.js'

const CHECKPOINTS = `/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
const NEW_CHECKPOINT = '5f0a000000000000000000d1'

const part = (n: number, date: string) => ({
  typeName: 'REPLICA_SET',
  replicaSetName: `Cluster0-shard-${n}`,
  shardName: `Cluster0-shard-${n}`,
  tokenDiscovered: true,
  tokenTimestamp: { date, increment: 1 },
})
const checkpoint = (timestamp: string, extra: object = {}) => ({
  started: timestamp,
  completed: timestamp,
  timestamp,
  restorable: true,
  parts: [part(0, timestamp), part(1, timestamp), part(2, timestamp), { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Cluster0-config-0', tokenDiscovered: true, tokenTimestamp: { date: timestamp, increment: 2 } }],
  ...extra,
})

/** Every checkpoint id of Cluster0, newest first, through the admin API's pages. */
async function allIds(t: AdminApp): Promise<string[]> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const res = (await t.admin('GET', `${CHECKPOINTS}?pageNum=${page}&itemsPerPage=500`)).json()
    if (res.results.length === 0) return ids
    ids.push(...res.results.map((c: { id: string }) => c.id))
  }
}

/** Every checkpoint id of Cluster0 through the public Ops Manager API. */
async function apiIds(t: AdminApp): Promise<string[]> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const res = (await t.call(`${OM}?pageNum=${page}&itemsPerPage=500`, { key: KEYS.demoread })).json()
    if (res.results.length === 0) return ids
    ids.push(...res.results.map((c: { id: string }) => c.id))
  }
}

describe('admin API: checkpoints', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('pages of a cluster’s checkpoints, newest first, as the API pages them', async () => {
    const res = await t.admin('GET', `${CHECKPOINTS}?pageNum=3&itemsPerPage=7`)
    assert.equal(res.status, 200)
    assert.equal(res.json().totalCount, 672)
    const api = (await t.call(`${OM}?pageNum=3&itemsPerPage=7`, { key: KEYS.demoread })).json()
    assert.deepEqual(res.json().results.map((c: { id: string }) => c.id), api.results.map((c: { id: string }) => c.id))
    const { links: _links, ...first } = api.results[0]
    assert.deepEqual(res.json().results[0], first)
    assert.equal((await t.admin('GET', CHECKPOINTS)).json().results.length, 100)
    assert.deepEqual((await t.admin('GET', `${CHECKPOINTS}?pageNum=99`)).json(), { results: [], totalCount: 672 })
    for (const [query, name] of [
      ['itemsPerPage=0', 'itemsPerPage'],
      ['itemsPerPage=501', 'itemsPerPage'],
      ['itemsPerPage=ten', 'itemsPerPage'],
      ['pageNum=0', 'pageNum'],
      ['pageNum=', 'pageNum'],
      ['pageNum=1&pageNum=2', 'pageNum'],
    ]) {
      assertAdminError(await t.admin('GET', `${CHECKPOINTS}?${query}`), 400, 'INVALID_QUERY_PARAMETER', [name])
    }
    const cloud = await t.admin('GET', `/groups/${IDS.projectA}/clusters/${IDS.cloudCluster0}/checkpoints`)
    assert.deepEqual(cloud.json(), { results: [], totalCount: 0 })
  })

  test('create one: ids from the path, its place in the listing by timestamp', async () => {
    const res = await t.admin('POST', CHECKPOINTS, { id: NEW_CHECKPOINT, ...checkpoint('2026-10-28T12:07:00.500+01:00') })
    assert.equal(res.status, 201, res.body)
    assert.equal(res.json().clusterId, IDS.cluster0)
    assert.equal(res.json().groupId, IDS.projectA)
    assert.equal(res.json().timestamp, '2026-10-28T11:07:00Z')
    assert.deepEqual((await t.admin('GET', `${CHECKPOINTS}/${NEW_CHECKPOINT}`)).json(), res.json())
    const ids = await allIds(t)
    assert.equal(ids.length, 673)
    assert.deepEqual(await apiIds(t), ids)
    const newest = await t.admin('POST', CHECKPOINTS, checkpoint('2026-11-02T00:00:00Z', { completed: null, restorable: false }))
    assert.equal(newest.status, 201)
    assert.equal('completed' in newest.json(), false)
    assert.equal((await t.call(`${OM}?itemsPerPage=1`, { key: KEYS.demoread })).json().results[0].id, newest.json().id)
  })

  test('bad checkpoints are refused field by field, with the fixture loader’s messages', async () => {
    assertViolations(await t.admin('POST', CHECKPOINTS, { ...checkpoint('2026-10-30T00:00:00Z'), parts: [{ ...part(0, 'yesterday'), typeName: 'SHARD' }], restorable: 'yes' }), [
      ['restorable', 'restorable must be true or false, not "yes"'],
      ['parts[0].typeName', 'parts[0].typeName must be one of REPLICA_SET, CONFIG_SERVER, CONFIG_SERVER_REPLICA_SET, not "SHARD"'],
      ['parts[0].tokenTimestamp.date', 'parts[0].tokenTimestamp.date must be an ISO 8601 date-time with a zone, such as 2026-10-31T23:45:00Z, not "yesterday"'],
    ])
    assertViolations(await t.admin('POST', CHECKPOINTS, {}), [
      ['started', 'started is required'],
      ['timestamp', 'timestamp is required'],
      ['restorable', 'restorable is required'],
      ['parts', 'parts is required'],
    ])
    assertViolations(await t.admin('POST', CHECKPOINTS, { ...checkpoint('2026-10-30T00:00:00Z'), clusterId: IDS.sccc }), [
      ['clusterId', `clusterId must be the one in the path, ${IDS.cluster0}, or absent`],
    ])
    assertAdminError(await t.admin('POST', CHECKPOINTS, { ...checkpoint('2026-10-30T00:00:00Z'), id: IDS.scccCheckpoint1 }), 409, 'DUPLICATE_ID', ['Checkpoint', IDS.scccCheckpoint1])
    assert.ok(await t.store.getCheckpoint(IDS.sccc, IDS.scccCheckpoint1), 'the other cluster keeps its checkpoint')
    assertAdminError(await t.admin('POST', `/groups/${IDS.projectA}/clusters/5f0a00000000000000000fff/checkpoints`, checkpoint('2026-10-30T00:00:00Z')), 404, 'CLUSTER_NOT_FOUND')
  })

  test('patch moves it by timestamp, clears completed; its ids cannot change', async () => {
    const path = `${CHECKPOINTS}/${NEW_CHECKPOINT}`
    const moved = await t.admin('PATCH', path, { timestamp: '2026-10-25T00:00:00Z', completed: null, restorable: false })
    assert.equal(moved.status, 200)
    assert.equal(moved.json().timestamp, '2026-10-25T00:00:00Z')
    assert.equal('completed' in moved.json(), false)
    const ids = await allIds(t)
    assert.deepEqual(await apiIds(t), ids)
    const byTime = (await t.store.pageCheckpoints(IDS.cluster0, { offset: 0, limit: 500 })).items.concat(
      (await t.store.pageCheckpoints(IDS.cluster0, { offset: 500, limit: 500 })).items,
    )
    assert.deepEqual(byTime.map((c) => c.id), ids)
    assert.ok(byTime.every((c, i) => i === 0 || (byTime[i - 1]?.timestamp ?? '') >= c.timestamp))
    assertViolations(await t.admin('PATCH', path, { clusterId: IDS.sccc, groupId: IDS.projectA2 }), [
      ['clusterId', `clusterId cannot be changed (it is "${IDS.cluster0}"); delete and create instead`],
      ['groupId', `groupId cannot be changed (it is "${IDS.projectA}"); delete and create instead`],
    ])
    assertViolations(await t.admin('PATCH', path, { parts: [] }), [['parts', 'parts must have at least 1 item(s)']])
  })

  test('delete anywhere: the newest, the oldest, the middle; pages stay right', async () => {
    const ids = await allIds(t)
    const victims = [...new Set([NEW_CHECKPOINT, ids[0], ids.at(-1), ids[300], ids[301]])]
    for (const id of victims) {
      const res = await t.admin('DELETE', `${CHECKPOINTS}/${id}`)
      assert.deepEqual(res.json(), { deleted: { organizations: 0, projects: 0, clusters: 0, checkpoints: 1, apiKeys: 0, serviceAccounts: 0 } })
    }
    const left = ids.filter((id) => !victims.includes(id))
    assert.deepEqual(await allIds(t), left)
    assert.deepEqual(await apiIds(t), left)
    assert.equal((await t.call(OM, { key: KEYS.demoread })).json().totalCount, left.length)
    assertAdminError(await t.admin('DELETE', `${CHECKPOINTS}/${NEW_CHECKPOINT}`), 404, 'CHECKPOINT_NOT_FOUND', [NEW_CHECKPOINT, IDS.cluster0])
  })

  test('a checkpoint is found only under its own cluster; bad ids are 404', async () => {
    assertAdminError(await t.admin('GET', `${CHECKPOINTS}/${IDS.scccCheckpoint1}`), 404, 'CHECKPOINT_NOT_FOUND', [IDS.scccCheckpoint1, IDS.cluster0])
    assertAdminError(await t.admin('GET', `${CHECKPOINTS}/latest`), 404, 'INVALID_CHECKPOINT_ID', ['latest'])
    assertAdminError(await t.admin('PATCH', `/groups/${IDS.projectA2}/clusters/${IDS.sccc}/checkpoints/${IDS.scccCheckpoint1}`, {}), 404, 'CLUSTER_NOT_FOUND')
  })
})
