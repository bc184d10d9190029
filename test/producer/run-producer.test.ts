import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { DEMO } from '../../src/fixtures/demo.js'
import { CheckpointProducer } from '../../src/producer/checkpoint-producer.js'
import { runProducer } from '../../src/producer/run-producer.js'
import { scaledClock } from '../../src/producer/scaled-clock.js'
import { startServer } from '../../src/server.js'
import { CLUSTER_ID, SEED, world } from './producer-world.js'

/** Waits until `check` holds, polling, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not within ${ms} ms`)
    await sleep(50)
  }
}

describe('running the producer', () => {
  test('scaledClock runs N times faster from the moment it is made', () => {
    let real = 1_000_000
    const clock = scaledClock(60, () => real)
    assert.equal(clock(), 1_000_000)
    real += 1000
    assert.equal(clock(), 1_060_000)
    assert.equal(scaledClock(1, () => real)(), real)
    assert.throws(() => scaledClock(0), RangeError)
  })

  test('ticks on a fast clock, stops cleanly, and logs a failing store instead of crashing', async () => {
    const w = await world()
    const errors: unknown[] = []
    const log = { info: () => undefined, debug: () => undefined, error: (fields: object) => void errors.push(fields) }
    try {
      const now = scaledClock(3600)
      const producer = new CheckpointProducer({ store: w.store, seed: SEED, now, retentionDays: 90, log })
      const running = runProducer(producer, { timeScale: 3600, now, log })
      const count = async () => (await w.store.pageCheckpoints(CLUSTER_ID, { offset: 0, limit: 1 })).totalCount
      await eventually(async () => (await count()) >= 4, 5000)
      await running.stop()
      const stopped = await count()
      await sleep(300)
      assert.equal(await count(), stopped, 'nothing is written after stop')
      assert.deepEqual(errors, [])

      const failing = runProducer(producer, { timeScale: 3600, now, log })
      await w.store.close()
      await eventually(async () => errors.length > 0, 3000)
      await failing.stop()
    } finally {
      await w.close()
    }
  })

  test('waymark serve --demo makes checkpoints of Cluster0 only, from now, and stops on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-serve-producer-'))
    const config = loadConfig(
      { port: 0, logLevel: 'silent', demo: true, timeScale: 3600 },
      { WAYMARK_STORE: `sqlite:${join(dir, 'demo.sqlite')}` },
    )
    assert.equal(config.producer.enabled, true)
    const server = await startServer(config, { demo: true, fixtures: [] })
    try {
      const { cluster0, upgraded42, replicaSet0 } = DEMO.clusters
      const page = (id: string) => server.store.pageCheckpoints(id, { offset: 0, limit: 3 })
      await eventually(async () => (await page(cluster0.id)).totalCount >= cluster0.checkpoints + 3, 8000)
      const newest = (await page(cluster0.id)).items
      const startedAt = Date.now() - 60_000
      for (const c of newest) assert.ok(Date.parse(c.started) > startedAt, `${c.started} is after the start`)
      const demoNewest = await server.store.pageCheckpoints(cluster0.id, {
        offset: (await page(cluster0.id)).totalCount - cluster0.checkpoints,
        limit: 1,
      })
      assert.ok(demoNewest.items[0]?.timestamp.startsWith('2026-10-31T23:45'))
      assert.equal(demoNewest.items[0]?.restorable, false, 'the demo history left its one-week window')
      assert.equal((await page(upgraded42.id)).totalCount, upgraded42.checkpoints)
      assert.equal((await page(replicaSet0.id)).totalCount, replicaSet0.checkpoints)
      assert.equal((await page(replicaSet0.id)).items[0]?.restorable, true, 'clusters without a schedule are left alone')
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
