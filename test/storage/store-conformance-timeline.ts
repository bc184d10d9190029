import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import { newObjectId } from '../../src/domain/ids.js'
import type { Checkpoint, CheckpointPart, Cluster } from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'
import { mulberry32, randomInt } from '../../src/fixtures/prng.js'
import { MAX_TALLY_BOUNDARIES, type CheckpointTally, type Store } from '../../src/storage/store.js'

/**
 * The timeline's reads (Store.tallyCheckpoints, checkpointBounds, checkpointsBetween), part of the
 * conformance suite every engine runs (store-conformance.ts calls it): each answer is compared with what
 * the records themselves say.
 */

const EMPTY: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }
const BASE = Date.UTC(2026, 9, 1) / 1000

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z'
}

type State = 'restorable' | 'inProgress' | 'tokenNotDiscovered' | 'other'

interface Scene {
  readonly cluster: Cluster
  readonly other: Cluster
  readonly data: DataSet
}

function scene(): Scene {
  const org = { id: newObjectId(), name: 'Timeline Org' }
  const project = { id: newObjectId(), orgId: org.id, name: 'Timeline Project' }
  const cluster = (name: string, shard: string): Cluster => ({
    id: newObjectId(),
    groupId: project.id,
    name,
    type: 'SHARDED',
    backup: 'LEGACY',
    featureCompatibilityVersion: '4.0',
    // Names that hold the text the undiscovered-token predicate looks for, in every way a string can.
    shards: [
      { shardName: shard, replicaSetName: 'a,false,' },
      { shardName: '"tokenDiscovered":false', replicaSetName: ',false,"2026' },
    ],
    configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'cfg' },
    checkpointIntervalMinutes: 15,
    pointInTimeWindowHours: 24,
  })
  const one = cluster('Timeline', '2026-10-01T00:00:00Z')
  const other = cluster('Other', 'other')
  return { cluster: one, other, data: { ...EMPTY, organizations: [org], projects: [project], clusters: [one, other] } }
}

/** A checkpoint of the cluster at a time, in a state. */
function checkpointIn(cluster: Cluster, seconds: number, state: State, id = newObjectId(seconds * 1000)): Checkpoint {
  const discovered = state !== 'tokenNotDiscovered' && state !== 'inProgress'
  const part = (replicaSetName: string, shardName: string, tokenDiscovered: boolean): CheckpointPart => ({
    typeName: 'REPLICA_SET',
    replicaSetName,
    shardName,
    tokenDiscovered,
    tokenTimestamp: { date: iso(seconds), increment: 1 },
  })
  const shards = cluster.shards
  return {
    id,
    clusterId: cluster.id,
    groupId: cluster.groupId,
    started: iso(seconds - 4),
    ...(state === 'inProgress' ? {} : { completed: iso(seconds + 5) }),
    timestamp: iso(seconds),
    restorable: state === 'restorable',
    parts: [
      part(shards[0]?.replicaSetName ?? 'x', shards[0]?.shardName ?? 'x', true),
      // The second shard's token is the one a not-discovered checkpoint misses.
      part(shards[1]?.replicaSetName ?? 'y', shards[1]?.shardName ?? 'y', discovered),
      { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'cfg', tokenDiscovered: true, tokenTimestamp: { date: iso(seconds), increment: 2 } },
    ],
  }
}

function stateOf(c: Checkpoint): State {
  if (c.restorable) return 'restorable'
  if (c.completed === undefined) return 'inProgress'
  if (c.parts.some((p) => !p.tokenDiscovered)) return 'tokenNotDiscovered'
  return 'other'
}

/** What the tallies must be, from the records. */
function expectedTallies(checkpoints: readonly Checkpoint[], boundaries: readonly string[]): CheckpointTally[] {
  const tallies: CheckpointTally[] = []
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const from = boundaries[i] ?? ''
    const to = boundaries[i + 1] ?? ''
    const inside = checkpoints.filter((c) => c.timestamp >= from && c.timestamp < to)
    const count = (state: State) => inside.filter((c) => stateOf(c) === state).length
    tallies.push({ total: inside.length, restorable: count('restorable'), inProgress: count('inProgress'), tokenNotDiscovered: count('tokenNotDiscovered') })
  }
  return tallies
}

function byTime(a: Checkpoint, b: Checkpoint): number {
  return a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

const STATES: readonly State[] = ['restorable', 'inProgress', 'tokenNotDiscovered', 'other']

export function timelineConformance(name: string, open: () => Promise<Store>): void {
  async function withScene(fn: (store: Store, s: Scene) => Promise<void>): Promise<void> {
    const store = await open()
    try {
      const s = scene()
      await store.apply(s.data)
      await fn(store, s)
    } finally {
      await store.close()
    }
  }

  describe(`Store conformance, timeline: ${name}`, () => {
    test('tallies count each range by state, a boundary belonging to the range it starts', () =>
      withScene(async (store, s) => {
        // Every quarter hour for a day; the states in a fixed cycle, then a few by hand.
        const checkpoints = Array.from({ length: 96 }, (_, i) => checkpointIn(s.cluster, BASE + i * 900, STATES[i % 4] ?? 'other'))
        const tie = checkpointIn(s.cluster, BASE + 3600, 'tokenNotDiscovered')
        const others = Array.from({ length: 10 }, (_, i) => checkpointIn(s.other, BASE + i * 900, 'restorable'))
        await store.apply({ ...EMPTY, checkpoints: [...checkpoints, tie, ...others] })
        const mine = [...checkpoints, tie]
        const boundaries = [iso(BASE - 86400), iso(BASE), iso(BASE + 3600), iso(BASE + 3601), iso(BASE + 6 * 3600), iso(BASE + 86400), iso(BASE + 2 * 86400)]
        const tallies = await store.tallyCheckpoints(s.cluster.id, boundaries)
        assert.deepEqual(tallies, expectedTallies(mine, boundaries))
        assert.deepEqual(tallies[0], { total: 0, restorable: 0, inProgress: 0, tokenNotDiscovered: 0 })
        assert.deepEqual(tallies[1], { total: 4, restorable: 1, inProgress: 1, tokenNotDiscovered: 1 })
        // 01:00:00 starts the third range: the checkpoint there and the tie at the same second.
        assert.deepEqual(tallies[2], { total: 2, restorable: 1, inProgress: 0, tokenNotDiscovered: 1 })
        const whole = await store.tallyCheckpoints(s.cluster.id, [iso(0), iso(BASE + 10 * 86400)])
        assert.deepEqual(whole, [{ total: 97, restorable: 24, inProgress: 24, tokenNotDiscovered: 25 }])
        assert.deepEqual(await store.tallyCheckpoints(newObjectId(), boundaries), expectedTallies([], boundaries))
      }))

    test('tallies follow every change: states, moves, deletes and pruning', () =>
      withScene(async (store, s) => {
        let checkpoints = Array.from({ length: 40 }, (_, i) => checkpointIn(s.cluster, BASE + i * 600, STATES[(i * 7) % 4] ?? 'other'))
        await store.apply({ ...EMPTY, checkpoints })
        const boundaries = Array.from({ length: 9 }, (_, i) => iso(BASE - 300 + i * 3600))
        const check = async () => assert.deepEqual(await store.tallyCheckpoints(s.cluster.id, boundaries), expectedTallies(checkpoints, boundaries))
        await check()
        // Token discovered, completion, restorability, a move in time: upserts by id.
        const changed = checkpoints.slice(0, 12).map((c, i) =>
          i % 3 === 0 ? { ...checkpointIn(s.cluster, BASE + i * 600, 'restorable', c.id) } : i % 3 === 1 ? checkpointIn(s.cluster, BASE + i * 600 + 7200, 'other', c.id) : checkpointIn(s.cluster, BASE + i * 600, 'inProgress', c.id),
        )
        await store.apply({ ...EMPTY, checkpoints: changed })
        checkpoints = checkpoints.map((c) => changed.find((d) => d.id === c.id) ?? c)
        await check()
        const gone = checkpoints[20]
        assert.ok(gone)
        assert.equal(await store.deleteCheckpoint(s.cluster.id, gone.id), true)
        checkpoints = checkpoints.filter((c) => c.id !== gone.id)
        await check()
        const pruned = await store.pruneCheckpoints(s.cluster.id, iso(BASE + 3000), 100)
        checkpoints = checkpoints.filter((c) => c.timestamp >= iso(BASE + 3000))
        assert.ok(pruned > 0)
        await check()
        await store.expireCheckpoints(s.cluster.id, iso(BASE + 5 * 3600), 100)
        checkpoints = checkpoints.map((c) => (c.restorable && c.timestamp < iso(BASE + 5 * 3600) ? { ...c, restorable: false } : c))
        await check()
      }))

    test('random histories and ranges agree with the records', () =>
      withScene(async (store, s) => {
        const rng = mulberry32(20261101)
        const checkpoints: Checkpoint[] = []
        let at = BASE
        for (let i = 0; i < 300; i++) {
          at += randomInt(rng, 0, 3) === 0 ? randomInt(rng, 0, 2) : randomInt(rng, 60, 7200)
          checkpoints.push(checkpointIn(s.cluster, at, STATES[randomInt(rng, 0, 3)] ?? 'other'))
        }
        // Loaded out of order, in two batches.
        const shuffled = [...checkpoints].sort(() => rng() - 0.5)
        await store.apply({ ...EMPTY, checkpoints: shuffled.slice(0, 150) })
        await store.apply({ ...EMPTY, checkpoints: shuffled.slice(150) })
        for (let round = 0; round < 12; round++) {
          const count = randomInt(rng, 2, 60)
          const points = new Set<string>()
          while (points.size < count) points.add(iso(BASE + randomInt(rng, -3600, at - BASE + 3600)))
          const boundaries = [...points].sort()
          assert.deepEqual(await store.tallyCheckpoints(s.cluster.id, boundaries), expectedTallies(checkpoints, boundaries), `round ${round}`)
        }
      }))

    test('bounds: the oldest, the newest, the newest restorable and the count', () =>
      withScene(async (store, s) => {
        assert.deepEqual(await store.checkpointBounds(s.cluster.id), { count: 0, oldest: null, newest: null, newestRestorable: null })
        const checkpoints = [
          checkpointIn(s.cluster, BASE, 'other'),
          checkpointIn(s.cluster, BASE + 900, 'restorable'),
          checkpointIn(s.cluster, BASE + 1800, 'restorable'),
          checkpointIn(s.cluster, BASE + 2700, 'tokenNotDiscovered'),
          checkpointIn(s.cluster, BASE + 3600, 'inProgress'),
        ]
        await store.apply({ ...EMPTY, checkpoints: [...checkpoints, checkpointIn(s.other, BASE + 9000, 'restorable')] })
        assert.deepEqual(await store.checkpointBounds(s.cluster.id), { count: 5, oldest: iso(BASE), newest: iso(BASE + 3600), newestRestorable: iso(BASE + 1800) })
        await store.expireCheckpoints(s.cluster.id, iso(BASE + 7200), 10)
        assert.deepEqual(await store.checkpointBounds(s.cluster.id), { count: 5, oldest: iso(BASE), newest: iso(BASE + 3600), newestRestorable: null })
      }))

    test('checkpointsBetween lists a range oldest first, ties by id, up to a limit, of that cluster only', () =>
      withScene(async (store, s) => {
        const checkpoints = Array.from({ length: 30 }, (_, i) => checkpointIn(s.cluster, BASE + Math.floor(i / 2) * 60, STATES[i % 4] ?? 'other'))
        await store.apply({ ...EMPTY, checkpoints: [...checkpoints, checkpointIn(s.other, BASE + 60, 'restorable')] })
        const sorted = [...checkpoints].sort(byTime)
        const from = iso(BASE + 120)
        const to = iso(BASE + 600)
        const expected = sorted.filter((c) => c.timestamp >= from && c.timestamp < to)
        assert.equal(expected.length, 16)
        assert.deepEqual(await store.checkpointsBetween(s.cluster.id, from, to, 100), expected)
        assert.deepEqual(await store.checkpointsBetween(s.cluster.id, from, to, 5), expected.slice(0, 5))
        assert.deepEqual(await store.checkpointsBetween(s.cluster.id, iso(BASE + 86400), iso(BASE + 86401), 5), [])
        assert.deepEqual(await store.checkpointsBetween(newObjectId(), from, to, 5), [])
      }))

    test('bad arguments are programming errors (RangeError)', () =>
      withScene(async (store, s) => {
        await assert.rejects(store.tallyCheckpoints(s.cluster.id, [iso(BASE)]), RangeError)
        await assert.rejects(store.tallyCheckpoints(s.cluster.id, [iso(BASE), iso(BASE)]), RangeError)
        await assert.rejects(store.tallyCheckpoints(s.cluster.id, [iso(BASE + 1), iso(BASE)]), RangeError)
        const tooMany = Array.from({ length: MAX_TALLY_BOUNDARIES + 1 }, (_, i) => iso(BASE + i))
        await assert.rejects(store.tallyCheckpoints(s.cluster.id, tooMany), RangeError)
        assert.equal((await store.tallyCheckpoints(s.cluster.id, tooMany.slice(1))).length, MAX_TALLY_BOUNDARIES - 1)
        await assert.rejects(store.checkpointsBetween(s.cluster.id, iso(BASE), iso(BASE + 1), 0), RangeError)
        await assert.rejects(store.checkpointsBetween(s.cluster.id, iso(BASE), iso(BASE), 1), RangeError)
      }))
  })
}
