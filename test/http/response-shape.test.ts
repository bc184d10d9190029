import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`

describe('response shape', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp()
  })
  after(() => t.close())

  test('pretty=true writes the Jackson default pretty printer layout', async () => {
    const res = await t.call(`${V2}/${IDS.scccCheckpoint2}?pretty=true`)
    assert.equal(res.status, 200)
    const self = `http://localhost:80${V2}/${IDS.scccCheckpoint2}`
    const cluster = `http://localhost:80/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34`
    assert.equal(
      res.body,
      `{
  "clusterId" : "${IDS.sccc}",
  "groupId" : "${IDS.projectA}",
  "id" : "${IDS.scccCheckpoint2}",
  "links" : [ {
    "href" : "${self}",
    "rel" : "self"
  }, {
    "href" : "${cluster}",
    "rel" : "https://cloud.mongodb.com/cluster"
  }, {
    "href" : "http://localhost:80/api/atlas/v2/groups/${IDS.projectA}",
    "rel" : "https://cloud.mongodb.com/group"
  } ],
  "parts" : [ {
    "replicaSetName" : "shard_1",
    "shardName" : "shard_1",
    "tokenDiscovered" : true,
    "tokenTimestamp" : {
      "date" : "2017-11-14T01:35:03Z",
      "increment" : 2
    },
    "typeName" : "REPLICA_SET"
  }, {
    "replicaSetName" : "shard_0",
    "shardName" : "shard_0",
    "tokenDiscovered" : false,
    "tokenTimestamp" : {
      "date" : "2017-11-14T01:35:04Z",
      "increment" : 1
    },
    "typeName" : "REPLICA_SET"
  }, {
    "hostId" : "config-0.example.net:27019",
    "tokenDiscovered" : true,
    "tokenTimestamp" : {
      "date" : "2017-11-14T01:35:02Z",
      "increment" : 4
    },
    "typeName" : "CONFIG_SERVER"
  } ],
  "restorable" : false,
  "started" : "2017-11-14T01:35:00Z",
  "timestamp" : "2017-11-14T01:35:04Z"
}`,
    )
  })

  test('pretty=true on errors and empty arrays', async () => {
    const res = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/NoBackup0/backupCheckpoints?pretty=true&includeCount=false`)
    assert.equal(
      res.body,
      `{
  "links" : [ {
    "href" : "http://localhost:80/api/atlas/v2/groups/${IDS.projectA}/clusters/NoBackup0/backupCheckpoints?includeCount=false&pretty=true&pageNum=1&itemsPerPage=100",
    "rel" : "self"
  } ],
  "results" : [ ]
}`,
    )
    const error = await t.call(`/api/atlas/v2/groups/${'0'.repeat(24)}/clusters/x/backupCheckpoints?pretty=TRUE`)
    assert.equal(
      error.body,
      `{
  "detail" : "No group with ID ${'0'.repeat(24)} exists.",
  "error" : 404,
  "errorCode" : "GROUP_NOT_FOUND",
  "parameters" : [ "${'0'.repeat(24)}" ],
  "reason" : "Not Found"
}`,
    )
  })

  test('envelope=true wraps an entity in status and content', async () => {
    const plain = (await t.call(`${V2}/${IDS.scccCheckpoint1}`)).json()
    const res = await t.call(`${V2}/${IDS.scccCheckpoint1}?envelope=true`)
    assert.equal(res.status, 200)
    const body = res.json()
    assert.deepEqual(Object.keys(body), ['status', 'content'])
    assert.equal(body.status, 200)
    assertSchema('ApiAtlasCheckpointView', body.content)
    assert.deepEqual(body.content, plain)
  })

  test('envelope=true adds status to a list, which is an envelope already', async () => {
    const body = (await t.call(`${V2}?envelope=true`)).json()
    assert.deepEqual(Object.keys(body), ['links', 'results', 'totalCount', 'status'])
    assert.equal(body.status, 200)
    assert.equal(body.links[0].href, `http://localhost:80${V2}?envelope=true&pageNum=1&itemsPerPage=100`)
  })

  test('envelope=true wraps errors and keeps the real HTTP status', async () => {
    const res = await t.call(`${V2}/${'e'.repeat(24)}?envelope=true`)
    assert.equal(res.status, 404)
    const body = res.json()
    assert.equal(body.status, 404)
    assertSchema('ApiError', body.content)
    assert.equal(body.content.errorCode, 'CHECKPOINT_NOT_FOUND')
  })

  test('a bad envelope value is itself reported unwrapped', async () => {
    const res = await t.call(`${V2}?envelope=maybe&pretty=true`)
    assert.equal(res.status, 400)
    assert.equal(res.json().errorCode, 'INVALID_QUERY_PARAMETER')
  })

  test('the 401 challenge body is always the pretty Jackson body, in its own key order', async () => {
    const res = await t.call(`${V2}?envelope=true`, { key: null })
    assert.equal(res.status, 401)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(
      res.body,
      '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}',
    )
  })

  test('links use the Host the request came to', async () => {
    const body = (await t.call(V2, { headers: { host: 'waymark.test:9443' } })).json()
    assert.equal(body.links[0].href, `http://waymark.test:9443${V2}?pageNum=1&itemsPerPage=100`)
    const odd = (await t.call(V2, { headers: { host: 'evil"host/<x>' } })).json()
    assert.ok(odd.links[0].href.startsWith('http://127.0.0.1:0/'))
  })
})

describe('configured public URL', () => {
  test('links start with WAYMARK_PUBLIC_URL whatever the Host', async () => {
    const t = await startTestApp({ publicUrl: 'https://checkpoints.example.com' })
    try {
      const body = (await t.call(V2, { headers: { host: 'internal:8080' } })).json()
      assert.equal(body.links[0].href, `https://checkpoints.example.com${V2}?pageNum=1&itemsPerPage=100`)
    } finally {
      await t.close()
    }
  })
})
