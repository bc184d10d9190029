import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, test } from 'node:test'
import { runClock } from '../../src/clock/run-clock.js'
import { ClockBackwardsError, ServerClock, type TimeDriven } from '../../src/clock/server-clock.js'
import { loadConfig } from '../../src/config.js'
import { DEMO } from '../../src/fixtures/demo.js'
import { CheckpointProducer } from '../../src/producer/checkpoint-producer.js'
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

describe('the server clock', () => {
  test('runs N times faster from where it starts, freezes, and moves only forward', async () => {
    let real = 1_000_000
    const clock = new ServerClock({ start: 5_000_000, scale: 60, realNow: () => real })
    assert.equal(clock.now(), 5_000_000)
    real += 1000
    assert.equal(clock.now(), 5_060_000)
    clock.setFrozen(true)
    real += 1000
    assert.equal(clock.now(), 5_060_000)
    assert.equal(clock.realDelayUntil(5_120_000), Infinity)
    await clock.advanceBy(3_600_000)
    assert.deepEqual(clock.state(), { now: 8_660_000, frozen: true })
    await assert.rejects(clock.jumpTo(8_000_000), ClockBackwardsError)
    clock.setFrozen(false)
    real += 500
    assert.equal(clock.now(), 8_690_000)
    assert.throws(() => new ServerClock({ scale: 0 }), RangeError)
  })

  test('a jump catches everyone up at its start, stops at every instant a participant asks for, in time order, and everyone catches up there', async () => {
    const clock = new ServerClock({ start: 0, frozen: true })
    const seen: string[] = []
    const stepper = (name: string, steps: number[]): TimeDriven => ({
      name,
      catchUp: async (now) => {
        seen.push(`${name}@${now}`)
        while (steps[0] !== undefined && steps[0] <= now) steps.shift()
      },
      nextEventAt: () => steps[0],
      nextStepAt: () => steps[0],
    })
    clock.register(stepper('a', [100, 300, 2000]))
    clock.register(stepper('b', [200]))
    await clock.jumpTo(1000)
    assert.deepEqual(seen, ['a@0', 'b@0', 'a@100', 'b@100', 'a@200', 'b@200', 'a@300', 'b@300', 'a@1000', 'b@1000'])
    assert.equal(clock.now(), 1000)
  })

  test('runClock catches the producer up on a fast clock, stops cleanly, and reports a failing store instead of crashing', async () => {
    const w = await world()
    const errors: unknown[] = []
    try {
      const clock = new ServerClock({ scale: 3600 })
      clock.register(new CheckpointProducer({ store: w.store, seed: SEED, now: () => clock.now(), retentionDays: 90 }))
      const running = runClock(clock, (error) => errors.push(error))
      const count = async () => (await w.store.pageCheckpoints(CLUSTER_ID, { offset: 0, limit: 1 })).totalCount
      await eventually(async () => (await count()) >= 4, 5000)
      await running.stop()
      const stopped = await count()
      await sleep(300)
      assert.equal(await count(), stopped, 'nothing is written after stop')
      assert.equal(errors.length, 0, String(errors[0]))

      const failing = runClock(clock, (error) => errors.push(error))
      await w.store.close()
      await eventually(async () => errors.length > 0, 3000)
      await failing.stop()
    } finally {
      await w.close()
    }
  })

  test('waymark serve --demo: the demo ends at the last quarter hour before the clock, and Cluster0 goes on from there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waymark-serve-producer-'))
    const config = loadConfig(
      { port: 0, logLevel: 'silent', demo: true, timeScale: 3600 },
      { WAYMARK_STORE: `sqlite:${join(dir, 'demo.sqlite')}` },
    )
    assert.equal(config.producer.enabled, true)
    const server = await startServer(config, { demo: true, fixtures: [] })
    try {
      const { cluster0, upgraded42, replicaSet0 } = DEMO.clusters
      const page = (id: string, offset = 0, limit = 3) => server.store.pageCheckpoints(id, { offset, limit })
      await eventually(async () => (await page(cluster0.id)).totalCount >= cluster0.checkpoints + 8, 8000)
      // Newest first: the producer's, then the demo's, one per quarter hour without a gap or a repeat.
      const { items, totalCount } = await page(cluster0.id, 0, 40)
      const slots = items.map((c) => Math.floor(Date.parse(c.started) / 900_000))
      slots.forEach((slot, i) => i > 0 && assert.equal(slots[i - 1]! - slot, 1, `${items[i - 1]?.started} follows ${items[i]?.started}`))
      // The oldest demo checkpoint is a week before the newest one the demo wrote.
      const [oldest] = (await page(cluster0.id, totalCount - 1, 1)).items
      const [demoNewest] = (await page(cluster0.id, totalCount - cluster0.checkpoints, 1)).items
      assert.ok(oldest && demoNewest)
      assert.equal(Math.floor(Date.parse(demoNewest.started) / 900_000) - Math.floor(Date.parse(oldest.started) / 900_000), cluster0.checkpoints - 1)
      assert.ok(Date.parse(demoNewest.started) > Date.now() - 16 * 60_000, `${demoNewest.started}: the demo is recent`)
      assert.equal((await page(upgraded42.id)).totalCount, upgraded42.checkpoints)
      assert.equal((await page(replicaSet0.id)).totalCount, replicaSet0.checkpoints)
      assert.equal((await page(replicaSet0.id)).items[0]?.restorable, true, 'clusters without a schedule are left alone')
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
