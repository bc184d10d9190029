import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { CheckpointProducer } from '../../src/producer/checkpoint-producer.js'
import { startAdminApp } from '../helpers/admin.js'
import { IDS } from '../helpers/fixtures.js'

const CLUSTER0 = `/groups/${IDS.projectA}/clusters/${IDS.cluster0}`
const MINUTE = 60_000

test('a schedule set through the admin API is followed by the checkpoint producer', async () => {
  let now = Date.parse(DEMO_END) + MINUTE
  const t = await startAdminApp({ now: () => now })
  try {
    const producer = new CheckpointProducer({ store: t.store, seed: 1, now: () => now, retentionDays: 90 })
    const created = await t.admin('POST', `/groups/${IDS.projectA}/clusters`, {
      name: 'Scheduled',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [{ shardName: 'shard-0', replicaSetName: 'shard-0' }],
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config-0' },
      checkpointIntervalMinutes: 15,
    })
    const checkpoints = `/groups/${IDS.projectA}/clusters/${created.json().id}/checkpoints`
    await producer.tick()
    now += 61 * MINUTE
    await producer.tick()
    const made = (await t.admin('GET', checkpoints)).json().totalCount
    assert.ok(made >= 3, `${made} checkpoints`)
    await t.admin('PATCH', `/groups/${IDS.projectA}/clusters/${created.json().id}`, { checkpointIntervalMinutes: null })
    now += 61 * MINUTE
    await producer.tick()
    now += 5 * MINUTE
    await producer.tick()
    assert.equal((await t.admin('GET', checkpoints)).json().totalCount, made)
  } finally {
    await t.close()
  }
})

test('deleting a cluster, or resetting, while a checkpoint is in flight leaves the producer working', async () => {
  let now = Date.parse(DEMO_END) + MINUTE
  // The server's clock is the producer's: the demo a reset loads is made as of it.
  const t = await startAdminApp({ now: () => now })
  try {
    const producer = new CheckpointProducer({ store: t.store, seed: 20261101, now: () => now, retentionDays: 90 })
    await producer.tick()
    now = Date.parse('2026-11-01T00:15:06Z')
    assert.equal((await producer.tick()).written, 1, 'a checkpoint of Cluster0 is in flight')
    assert.equal((await t.admin('DELETE', CLUSTER0)).json().deleted.clusters, 1)
    for (let i = 0; i < 5; i++) {
      now += 5_000
      await producer.tick()
    }
    await t.admin('POST', '/reset?demo=true')
    await producer.tick()
    now = Date.parse('2026-11-01T00:30:06Z')
    assert.equal((await producer.tick()).written, 1)
    await t.admin('POST', '/reset')
    for (let i = 0; i < 5; i++) {
      now += 5_000
      await producer.tick()
    }
    assert.deepEqual((await t.admin('GET', '/orgs')).json(), { results: [], totalCount: 0 })
  } finally {
    await t.close()
  }
})
