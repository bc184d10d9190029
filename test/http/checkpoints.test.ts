import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters`
const V1 = `/api/atlas/v1.0/groups/${IDS.projectA}/clusters`
const OM = `/api/public/v1.0/groups/${IDS.projectA}/clusters`

const DIALECTS = [
  { name: 'atlas v2', list: `${V2}/Cluster0/backupCheckpoints`, type: 'application/vnd.atlas.2023-01-01+json;charset=utf-8', rel: 'https://cloud.mongodb.com' },
  { name: 'atlas v1.0', list: `${V1}/Cluster0/backupCheckpoints`, type: 'application/json', rel: 'https://cloud.mongodb.com' },
  { name: 'ops manager v1.0', list: `${OM}/${IDS.cluster0}/checkpoints`, type: 'application/json', rel: 'http://mms.mongodb.com' },
] as const

describe('checkpoints', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp()
  })
  after(() => t.close())

  for (const dialect of DIALECTS) {
    describe(dialect.name, () => {
      test('lists the newest 100 first with the total, a self and a next link', async () => {
        const res = await t.call(dialect.list)
        assert.equal(res.status, 200)
        assert.equal(res.headers['content-type'], dialect.type)
        const body = res.json()
        assertSchema('PaginatedApiAtlasCheckpointView', body)
        assert.deepEqual(Object.keys(body), ['links', 'results', 'totalCount'])
        assert.equal(body.totalCount, 672)
        assert.equal(body.results.length, 100)
        const stamps = body.results.map((c: { timestamp: string }) => c.timestamp)
        assert.deepEqual(stamps, [...stamps].sort().reverse())
        assert.deepEqual(body.links, [
          { href: `http://localhost:80${dialect.list}?pageNum=1&itemsPerPage=100`, rel: 'self' },
          { href: `http://localhost:80${dialect.list}?itemsPerPage=100&pageNum=2`, rel: 'next' },
        ])
        for (const item of body.results) {
          assert.deepEqual(item.links, [{ href: `http://localhost:80${dialect.list}/${item.id}`, rel: 'self' }])
        }
      })

      test('gets one checkpoint with self, cluster and group links', async () => {
        const first = (await t.call(`${dialect.list}?itemsPerPage=1`)).json().results[0]
        const res = await t.call(`${dialect.list}/${first.id}`)
        assert.equal(res.status, 200)
        assert.equal(res.headers['content-type'], dialect.type)
        const body = res.json()
        assertSchema('ApiAtlasCheckpointView', body)
        assert.deepEqual(Object.keys(body), ['clusterId', 'completed', 'groupId', 'id', 'links', 'parts', 'restorable', 'started', 'timestamp'])
        assert.equal(body.clusterId, IDS.cluster0)
        assert.equal(body.groupId, IDS.projectA)
        const clusterHref = `http://localhost:80${dialect.list.replace(/\/(backupCheckpoints|checkpoints)$/, '')}`
        assert.deepEqual(body.links, [
          { href: `http://localhost:80${dialect.list}/${first.id}`, rel: 'self' },
          { href: clusterHref, rel: `${dialect.rel}/cluster` },
          { href: clusterHref.replace(/\/clusters\/[^/]+$/, ''), rel: `${dialect.rel}/group` },
        ])
        assert.deepEqual({ ...body, links: [] }, { ...first, links: [] })
      })

      test('a sharded checkpoint has a part per shard and one for the config server', async () => {
        const body = (await t.call(`${dialect.list}?itemsPerPage=1`)).json().results[0]
        assert.deepEqual(
          body.parts.map((p: { typeName: string }) => p.typeName).sort(),
          ['CONFIG_SERVER_REPLICA_SET', 'REPLICA_SET', 'REPLICA_SET', 'REPLICA_SET'],
        )
        for (const part of body.parts) {
          assert.match(part.tokenTimestamp.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
          assert.ok(Number.isInteger(part.tokenTimestamp.increment))
          if (part.typeName === 'CONFIG_SERVER_REPLICA_SET') assert.deepEqual(Object.keys(part), ['replicaSetName', 'tokenDiscovered', 'tokenTimestamp', 'typeName'])
          else assert.deepEqual(Object.keys(part), ['replicaSetName', 'shardName', 'tokenDiscovered', 'tokenTimestamp', 'typeName'])
        }
      })
    })
  }

  test('a checkpoint is restorable exactly when every token was discovered', async () => {
    const body = (await t.call(`${V2}/Cluster0/backupCheckpoints?itemsPerPage=500`)).json()
    const unrestorable = body.results.filter((c: { restorable: boolean }) => !c.restorable)
    assert.ok(unrestorable.length > 0)
    for (const c of body.results) {
      assert.equal(c.restorable, c.parts.every((p: { tokenDiscovered: boolean }) => p.tokenDiscovered))
    }
  })

  test('pages walk the whole history without gaps or repeats', async () => {
    const seen: string[] = []
    for (let page = 1; page <= 7; page++) {
      const body = (await t.call(`${V2}/Cluster0/backupCheckpoints?pageNum=${page}&itemsPerPage=100`)).json()
      seen.push(...body.results.map((c: { id: string }) => c.id))
      const rels = body.links.map((l: { rel: string }) => l.rel)
      assert.deepEqual(rels, page === 1 ? ['self', 'next'] : page === 7 ? ['self', 'previous'] : ['self', 'next', 'previous'])
    }
    assert.equal(seen.length, 672)
    assert.equal(new Set(seen).size, 672)
  })

  test('a page past the end is empty with links and the total', async () => {
    const res = await t.call(`${V2}/Cluster0/backupCheckpoints?pageNum=9&itemsPerPage=100&includeCount=true`)
    assert.equal(res.status, 200)
    const body = res.json()
    assertSchema('PaginatedApiAtlasCheckpointView', body)
    assert.deepEqual(body.results, [])
    assert.equal(body.totalCount, 672)
    assert.deepEqual(body.links, [
      { href: `http://localhost:80${V2}/Cluster0/backupCheckpoints?includeCount=true&pageNum=9&itemsPerPage=100`, rel: 'self' },
      { href: `http://localhost:80${V2}/Cluster0/backupCheckpoints?includeCount=true&itemsPerPage=100&pageNum=8`, rel: 'previous' },
    ])
  })

  test('includeCount=false omits totalCount but keeps the next link', async () => {
    const body = (await t.call(`${V2}/Cluster0/backupCheckpoints?includeCount=FALSE&itemsPerPage=5`)).json()
    assert.equal(body.totalCount, undefined)
    assert.deepEqual(body.links[1], {
      href: `http://localhost:80${V2}/Cluster0/backupCheckpoints?includeCount=false&itemsPerPage=5&pageNum=2`,
      rel: 'next',
    })
  })

  test('an SCCC config part carries hostId instead of the names', async () => {
    const res = await t.call(`${OM}/${IDS.sccc}/checkpoints/${IDS.scccCheckpoint1}`)
    assert.equal(res.status, 200)
    const body = res.json()
    assertSchema('ApiAtlasCheckpointView', body)
    const config = body.parts.find((p: { typeName: string }) => p.typeName === 'CONFIG_SERVER')
    assert.deepEqual(config, {
      hostId: 'config-0.example.net:27019',
      tokenDiscovered: true,
      tokenTimestamp: { date: '2017-11-14T01:20:05Z', increment: 6 },
      typeName: 'CONFIG_SERVER',
    })
  })

  test('a checkpoint still in progress has no completed field', async () => {
    const body = (await t.call(`${V2}/Sccc34/backupCheckpoints/${IDS.scccCheckpoint2}`)).json()
    assertSchema('ApiAtlasCheckpointView', body)
    assert.equal('completed' in body, false)
    assert.equal(body.restorable, false)
  })

  test('a replica set checkpoint has a single part', async () => {
    const body = (await t.call(`${V2}/ReplicaSet0/backupCheckpoints`)).json()
    assert.equal(body.totalCount, 8)
    for (const c of body.results) assert.equal(c.parts.length, 1)
  })

  test('an upgraded cluster keeps its checkpoints from before the upgrade, none after', async () => {
    const body = (await t.call(`${V2}/Upgraded42/backupCheckpoints?itemsPerPage=1`)).json()
    assert.ok(body.totalCount > 0)
    assert.ok(body.results[0].timestamp <= '2026-10-28T12:00:00Z')
  })

  test('a cluster without backup lists no checkpoints', async () => {
    const body = (await t.call(`${V2}/NoBackup0/backupCheckpoints`)).json()
    assert.deepEqual(body.results, [])
    assert.equal(body.totalCount, 0)
    assert.deepEqual(body.links.map((l: { rel: string }) => l.rel), ['self'])
  })

  test('Cloud Backup clusters answer 400 CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP on both operations', async () => {
    for (const url of [`${V2}/CloudCluster0/backupCheckpoints`, `${OM}/${IDS.cloudCluster0}/checkpoints/${IDS.scccCheckpoint1}`]) {
      const res = await t.call(url)
      assert.equal(res.status, 400)
      assert.equal(res.body, '{"detail":"Checkpoints do not exist for Cloud Backups.","error":400,"errorCode":"CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP","parameters":[],"reason":"Bad Request"}')
    }
  })

  test('unknown clusters answer 404 CLUSTER_NOT_FOUND by name (Atlas) and by id (Ops Manager)', async () => {
    const byName = await t.call(`${V2}/Nope/backupCheckpoints`)
    assert.equal(byName.status, 404)
    assert.deepEqual(byName.json(), {
      detail: `No cluster named Nope exists in group ${IDS.projectA}.`,
      error: 404,
      errorCode: 'CLUSTER_NOT_FOUND',
      parameters: ['Nope', IDS.projectA],
      reason: 'Not Found',
    })
    const byId = await t.call(`${OM}/${'0'.repeat(24)}/checkpoints`)
    assert.equal(byId.status, 404)
    assert.equal(byId.json().detail, `No cluster with ID ${'0'.repeat(24)} exists in group ${IDS.projectA}.`)
    const otherProject = await t.call(`${OM}/${IDS.a2Cluster}/checkpoints`)
    assert.equal(otherProject.json().errorCode, 'CLUSTER_NOT_FOUND')
  })

  test('an unknown checkpoint, or one of another cluster, answers 404 CHECKPOINT_NOT_FOUND', async () => {
    for (const [url, id, cluster] of [
      [`${V2}/Cluster0/backupCheckpoints/${'f'.repeat(24)}`, 'f'.repeat(24), 'Cluster0'],
      [`${V2}/Cluster0/backupCheckpoints/${IDS.scccCheckpoint1}`, IDS.scccCheckpoint1, 'Cluster0'],
      [`${OM}/${IDS.cluster0}/checkpoints/${IDS.scccCheckpoint1}`, IDS.scccCheckpoint1, IDS.cluster0],
    ] as const) {
      const res = await t.call(url)
      assert.equal(res.status, 404)
      const body = res.json()
      assertSchema('ApiError', body)
      assert.deepEqual(body, {
        detail: `No checkpoint with ID ${id} exists for cluster ${cluster}.`,
        error: 404,
        errorCode: 'CHECKPOINT_NOT_FOUND',
        parameters: [id, cluster],
        reason: 'Not Found',
      })
      assert.equal(res.headers['x-error-code'], 'CHECKPOINT_NOT_FOUND')
      assert.equal(res.headers['content-type'], 'application/json')
    }
  })

  test('cluster names resolve within the requested project only', async () => {
    const a2 = await t.call(`/api/atlas/v2/groups/${IDS.projectA2}/clusters/Cluster0/backupCheckpoints`, {
      key: { publicKey: 'orgowner', privateKey: '0f5d3a1e-7c2b-4e9f-8a6d-2b1c0e9f8a71' },
    })
    assert.equal(a2.status, 200)
    assert.deepEqual(a2.json().results.map((c: { id: string }) => c.id), [IDS.a2Checkpoint])
  })
})
