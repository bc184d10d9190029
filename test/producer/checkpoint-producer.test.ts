import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import type { Checkpoint } from '../../src/domain/types.js'
import {
  CheckpointPlanner,
  changeTimes,
  isoOf,
  restorableFrom,
  type CheckpointPlan,
} from '../../src/producer/checkpoint-plan.js'
import { CheckpointProducer } from '../../src/producer/checkpoint-producer.js'
import { history } from '../../src/producer/history.js'
import { CLUSTER_ID, DAY, HOUR, MINUTE, SEED, T0, dataSet, shardedCluster, world } from './producer-world.js'

const s = (ms: number) => Math.floor(ms / 1000)

/** The history the producer should have left at `asOf` (ms), newest first, as the store lists it. */
function expected(from: number, to: number, asOf: number, cluster = shardedCluster()): Checkpoint[] {
  return [...history({ cluster, seed: SEED, from: s(from), to: s(to), intervalSeconds: 900, asOf: s(asOf) })].reverse()
}

/** The first slot from `from` (ms) whose plan satisfies `wanted`. */
function findSlot(from: number, wanted: (plan: CheckpointPlan) => boolean): CheckpointPlan {
  const planner = new CheckpointPlanner(shardedCluster(), SEED)
  for (let slot = s(from); ; slot += 900) {
    const plan = planner.plan(slot)
    if (wanted(plan)) return plan
  }
}

describe('checkpoint producer', () => {
  test('startsAt: the slots the clock passed before the first tick (a slow start, a time scale) are recorded, not left as a gap', async () => {
    const w = await world()
    try {
      // The data is as of T0; the first tick comes an hour and ten minutes later.
      const producer = new CheckpointProducer({ store: w.store, seed: SEED, now: () => w.clock, retentionDays: 90, startsAt: T0 })
      w.clock = T0 + HOUR + 10 * MINUTE
      await w.runUntil(producer, T0 + 2 * HOUR)
      const all = await w.all()
      assert.deepEqual(all.map((c) => c.id), expected(T0, T0 + 2 * HOUR, T0 + 2 * HOUR).map((c) => c.id))
      assert.equal(all.length, 8)
      // Without it, the first tick starts at its own time: the slots before it are skipped.
      const late = await world()
      try {
        const skipping = late.producer()
        late.clock = T0 + HOUR + 10 * MINUTE
        await late.runUntil(skipping, T0 + 2 * HOUR)
        assert.equal((await late.all()).length, 3)
      } finally {
        await late.close()
      }
    } finally {
      await w.close()
    }
  })

  test('a day of a three-shard cluster at 15 minutes gives 96 checkpoints with the right parts and timestamps', async () => {
    const w = await world()
    try {
      const producer = w.producer()
      await w.runUntil(producer, T0 + DAY)
      const all = await w.all()
      assert.equal(all.length, 96)
      const oldestFirst = [...all].reverse()
      oldestFirst.forEach((c, i) => {
        const slot = s(T0) + i * 900
        const started = Date.parse(c.started) / 1000
        assert.ok(started >= slot && started <= slot + 3, `${c.started} is not in slot ${isoOf(slot)}`)
        assert.equal(parseInt(c.id.slice(0, 8), 16), started)
        assert.deepEqual(
          c.parts.map((p) => [p.typeName, p.replicaSetName, p.shardName]),
          [
            ['REPLICA_SET', 'Prod-shard-0', 'Prod-shard-0'],
            ['REPLICA_SET', 'Prod-shard-1', 'Prod-shard-1'],
            ['REPLICA_SET', 'Prod-shard-2', 'Prod-shard-2'],
            ['CONFIG_SERVER_REPLICA_SET', 'Prod-config-0', undefined],
          ],
        )
        const tokens = c.parts.map((p) => Date.parse(p.tokenTimestamp.date) / 1000)
        for (const token of tokens) assert.ok(token >= started + 1 && token <= started + 5, c.id)
        for (const p of c.parts) assert.ok(p.tokenTimestamp.increment >= 1 && p.tokenTimestamp.increment <= 6)
        assert.equal(c.timestamp, isoOf(Math.max(...tokens)))
        assert.ok(c.completed !== undefined)
        const completedAfter = (Date.parse(c.completed) - Date.parse(c.timestamp)) / 1000
        assert.ok(completedAfter >= 5 && completedAfter <= 9, `completed ${completedAfter} s after its timestamp`)
        assert.equal(c.restorable, c.parts.every((p) => p.tokenDiscovered))
      })
      assert.equal(new Set(all.map((c) => c.id)).size, 96)
      // Deterministic: what `waymark generate` makes for the same seed, slot for slot.
      assert.deepEqual(all, expected(T0, T0 + DAY, T0 + DAY))
    } finally {
      await w.close()
    }
  })

  test('records the real sequence: in progress, tokens discovered one by one, then completed', async () => {
    const w = await world()
    try {
      const plan = findSlot(T0, (p) => new Set(p.parts.map((part) => part.discoveredAt)).size === 4 && restorableFrom(p) === p.completedAt)
      w.clock = plan.slot * 1000 - MINUTE
      const producer = w.producer()
      const seen: Array<[number, Checkpoint | undefined]> = []
      await w.runUntil(producer, plan.slot * 1000 + 2 * MINUTE, async (at) => {
        seen.push([s(at), await w.store.getCheckpoint(CLUSTER_ID, plan.id)])
      })
      const states = seen.filter(([, c]) => c !== undefined) as Array<[number, Checkpoint]>
      const first = states[0]
      assert.ok(first)
      assert.equal(first[0], plan.timestamp, 'recorded once every token is written')
      assert.equal(first[1].completed, undefined)
      assert.equal(first[1].restorable, false)
      assert.ok(first[1].parts.every((p) => !p.tokenDiscovered))
      const discovered = states.map(([, c]) => c.parts.filter((p) => p.tokenDiscovered).length)
      assert.deepEqual([...new Set(discovered)], [0, 1, 2, 3, 4])
      for (const [at, c] of states) {
        assert.equal(c.completed !== undefined, at >= plan.completedAt)
        assert.equal(c.restorable, at >= plan.completedAt)
      }
      assert.deepEqual(
        states.map(([at]) => at).filter((at, i, all) => all.indexOf(at) === i && at <= plan.completedAt),
        changeTimes(plan),
      )
    } finally {
      await w.close()
    }
  })

  test('a token discovered late makes the checkpoint restorable only from then', async () => {
    const w = await world()
    try {
      const plan = findSlot(T0, (p) => {
        const from = restorableFrom(p)
        return from !== null && from > p.completedAt
      })
      const late = plan.parts.find((p) => p.discoveredAt !== null && p.discoveredAt > plan.completedAt)
      assert.ok(late)
      w.clock = plan.slot * 1000 - MINUTE
      const producer = w.producer()
      const seen: Array<[number, Checkpoint | undefined]> = []
      await w.runUntil(producer, (plan.completedAt + 700) * 1000, async (at) => {
        seen.push([s(at), await w.store.getCheckpoint(CLUSTER_ID, plan.id)])
      })
      for (const [at, c] of seen) {
        if (at < plan.timestamp) continue
        assert.ok(c, `recorded at ${isoOf(at)}`)
        assert.equal(c.completed !== undefined, at >= plan.completedAt)
        assert.equal(c.restorable, at >= (late.discoveredAt ?? Infinity), `restorable at ${isoOf(at)}`)
        const part: Checkpoint["parts"][number] | undefined = c.parts.find((p) => p.replicaSetName === late.spec.replicaSetName)
        assert.equal(part?.tokenDiscovered, at >= (late.discoveredAt ?? Infinity))
      }
      assert.ok(seen.some(([at]) => at === late.discoveredAt), 'a tick at the late discovery')
      assert.ok(seen.some(([at, c]) => at >= plan.completedAt && at < (late.discoveredAt ?? 0) && c?.restorable === false))
    } finally {
      await w.close()
    }
  })

  test('an FCV upgrade or a stopped backup stops production; back on, it resumes at the next slot', async () => {
    const w = await world()
    try {
      const producer = w.producer()
      await w.runUntil(producer, T0 + 2 * HOUR + MINUTE)
      assert.equal((await w.all()).length, 9)
      await w.store.apply(dataSet({ clusters: [shardedCluster({ featureCompatibilityVersion: '4.2' })] }))
      await w.runUntil(producer, T0 + 6 * HOUR)
      assert.equal((await w.all()).length, 9)
      await w.store.apply(dataSet({ clusters: [shardedCluster()] }))
      await w.runUntil(producer, T0 + 7 * HOUR + MINUTE)
      const resumed = await w.all()
      assert.equal(resumed.length, 9 + 5)
      assert.ok(resumed[4]?.started.startsWith('2026-11-02T06:00:0'), 'resumes at the next slot, no backfill')
      await w.store.apply(dataSet({ clusters: [shardedCluster({ backup: 'NONE' })] }))
      await w.runUntil(producer, T0 + 9 * HOUR)
      assert.equal((await w.all()).length, 14)
      await w.store.apply(dataSet({ clusters: [shardedCluster({ checkpointIntervalMinutes: null })] }))
      await w.runUntil(producer, T0 + 10 * HOUR)
      assert.equal((await w.all()).length, 14)
      await w.store.apply(dataSet({ clusters: [shardedCluster({ checkpointIntervalMinutes: 60 })] }))
      await w.runUntil(producer, T0 + 13 * HOUR + MINUTE)
      const hourly = (await w.all()).slice(0, 4).map((c) => c.started.slice(11, 16))
      assert.deepEqual(hourly, ['13:00', '12:00', '11:00', '10:00'])
    } finally {
      await w.close()
    }
  })

  test('checkpoints leave the point-in-time window and are pruned a retention period later', async () => {
    const cluster = shardedCluster({ pointInTimeWindowHours: 2 })
    const w = await world(cluster)
    try {
      const producer = w.producer(1)
      const end = T0 + 3 * DAY
      let checks = 0
      let checked = T0
      await w.runUntil(producer, end, async (at) => {
        if (at - checked < 6 * HOUR) return
        checked = at
        checks++
        const listed = await w.all()
        const pruneBefore = isoOf(s(at) - 2 * 3600 - 86_400)
        assert.deepEqual(listed, expected(T0, at, at, cluster).filter((c) => c.timestamp >= pruneBefore))
      })
      assert.ok(checks >= 10)
      const listed = await w.all()
      const windowStart = isoOf(s(end) - 2 * 3600)
      assert.equal(listed.length, 104)
      assert.ok(listed.every((c) => c.timestamp >= isoOf(s(end) - 2 * 3600 - 86_400)))
      assert.ok(listed.filter((c) => c.timestamp < windowStart).every((c) => !c.restorable))
      const inside = listed.filter((c) => c.timestamp >= windowStart)
      assert.equal(inside.length, 8)
      assert.ok(inside.every((c) => c.restorable === (c.completed !== undefined && c.parts.every((p) => p.tokenDiscovered))))
      assert.deepEqual(listed, expected(T0, end, end, cluster).filter((c) => c.timestamp >= isoOf(s(end) - 2 * 3600 - 86_400)))
      const page = await w.store.pageCheckpoints(CLUSTER_ID, { offset: 100, limit: 10 })
      assert.equal(page.totalCount, 104)
      assert.deepEqual(page.items, listed.slice(100))
    } finally {
      await w.close()
    }
  })

  test('a new producer on the same store finishes what an earlier one left in flight, and does not backfill', async () => {
    const w = await world()
    try {
      const plan = new CheckpointPlanner(shardedCluster(), SEED).plan(s(T0 + HOUR))
      await w.runUntil(w.producer(), plan.timestamp * 1000)
      const inFlight = await w.store.getCheckpoint(CLUSTER_ID, plan.id)
      assert.equal(inFlight?.completed, undefined)
      await w.runUntil(w.producer(), T0 + 2 * HOUR - MINUTE)
      assert.deepEqual(await w.all(), expected(T0, T0 + 2 * HOUR, T0 + 2 * HOUR - MINUTE))
      w.clock = T0 + 5 * HOUR + 10 * MINUTE
      await w.runUntil(w.producer(), T0 + 6 * HOUR + MINUTE)
      const all = await w.all()
      assert.equal(all.length, 8 + 4)
      assert.deepEqual(all.slice(0, 4).map((c) => c.started.slice(11, 16)), ['06:00', '05:45', '05:30', '05:15'])
    } finally {
      await w.close()
    }
  })
})
