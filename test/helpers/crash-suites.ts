import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { after, before, describe, test } from 'node:test'
import type { Checkpoint } from '../../src/domain/types.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { CheckpointPlanner, changeTimes, checkpointAt, secondsOf } from '../../src/producer/checkpoint-plan.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { runWaymark } from './cli-process.js'
import {
  BASE_FIXTURE,
  crashCluster,
  CLUSTER_ID,
  FROM,
  INTERVAL,
  SEED,
  assertMigrateCurrent,
  assertOpensCurrent,
  assertServedHistory,
  assertServedNothing,
  expectedHistory,
  isoOfSeconds,
  killWhen,
  spawnWaymark,
  writing,
} from './crash.js'

/** A new empty store of the engine, and where to put files. */
export interface CrashEngine {
  readonly name: string
  /** Checkpoints in the fixture that `waymark load` is killed writing. */
  readonly loadCount: number
  /** Checkpoints `waymark generate` is killed writing, and its batch size. */
  readonly generateCount: number
  readonly batchSize: number
  /** Whether to run the producer's kill test too (one engine is enough: the producer writes through the Store). */
  readonly producer: boolean
  readonly dir: () => string
  fresh(label: string): Promise<{ url: string; drop(): Promise<void> }>
}

interface Held {
  organizations: number
  projects: number
  clusters: number
  apiKeys: number
  checkpoints: number
}

async function held(store: Store): Promise<Held> {
  return {
    organizations: (await store.listOrganizations()).length,
    projects: (await store.listProjects()).length,
    clusters: (await store.listClusters()).length,
    apiKeys: (await store.listApiKeys()).length,
    checkpoints: (await store.pageCheckpoints(CLUSTER_ID, { offset: 0, limit: 1 })).totalCount,
  }
}

async function heldAt(url: string): Promise<Held> {
  const store = await openStore(url)
  try {
    return await held(store)
  } finally {
    await store.close()
  }
}

/** The cluster's checkpoints, read oldest first through the store, are exactly `expected`. */
async function assertExactly(store: Store, expected: readonly Checkpoint[]): Promise<void> {
  const got: Checkpoint[] = []
  for (let after: Checkpoint | undefined; ; ) {
    const batch = await store.checkpointsAfter(CLUSTER_ID, after, 5_000)
    if (batch.length === 0) break
    got.push(...batch)
    after = batch.at(-1)
  }
  assert.equal(got.length, expected.length, 'how many checkpoints the cluster holds')
  const keys = (list: readonly Checkpoint[]) => list.map((c) => `${c.timestamp} ${c.id}`).join('\n')
  assert.ok(keys(got) === keys(expected), 'the stored checkpoints are the first n of the history, in order')
  for (let i = 0; i < got.length; i += 997) assert.deepEqual(got[i], expected[i], `checkpoint ${i}`)
  assert.deepEqual(got.at(-1), expected.at(-1))
}

const FULL = (checkpoints: number): Held => ({ organizations: 1, projects: 1, clusters: 1, apiKeys: 1, checkpoints })
const NOTHING: Held = { organizations: 0, projects: 0, clusters: 0, apiKeys: 0, checkpoints: 0 }

/**
 * The crash-safety suite on one engine: `waymark load` of a large fixture and `waymark generate` killed
 * with SIGKILL while they write, at varied moments, then the store checked through `waymark migrate`,
 * the Store and a `waymark serve` child, and the same command run again to completion.
 */
export function crashSuites(engine: CrashEngine): void {
  describe(`kill -9 during waymark load and waymark generate (${engine.name})`, () => {
    const drops: Array<() => Promise<void>> = []
    let fixtureFile = ''
    let fixtureCheckpoints: Checkpoint[] = []
    before(async () => {
      fixtureCheckpoints = expectedHistory(engine.loadCount)
      fixtureFile = join(engine.dir(), 'large-fixture.json')
      await writeFile(fixtureFile, JSON.stringify({ ...BASE_FIXTURE, checkpoints: fixtureCheckpoints }))
    })
    after(async () => {
      for (const drop of drops) await drop()
    })

    test(`load of a ${engine.loadCount}-checkpoint fixture: killed while writing, the store holds all of it or none`, async (t) => {
      // A load killed the moment it is seen writing; the same load again on that store, timing how long it
      // writes (from the moment a write is seen to its exit); a load killed half that time into its write.
      const kill = async (url: string, delay: number, first: boolean): Promise<boolean> => {
        const killed = spawnWaymark(['load', fixtureFile, '--store', url])
        const spawnedAt = performance.now()
        const killedAt = await killWhen(killed, spawnedAt, () => writing(url), delay, !first)
        if (killedAt === undefined) {
          t.diagnostic(`${delay} ms after its write was seen, the load had already finished: not a kill, tried again sooner`)
          return false
        }
        // The store opens with its schema current (`waymark migrate` the first time, the same check in
        // process after that, to keep the test short), and a `waymark serve` on it answers.
        if (first) await assertMigrateCurrent(url)
        else await assertOpensCurrent(url)
        const after = await heldAt(url)
        const outcome = after.checkpoints === 0 ? 'nothing' : 'everything'
        assert.deepEqual(after, outcome === 'nothing' ? NOTHING : FULL(engine.loadCount), 'all of the fixture or none of it')
        if (outcome === 'everything') await assertServedHistory(url, fixtureCheckpoints)
        else if (first) await assertServedNothing(url)
        t.diagnostic(`killed ${delay} ms after its write was seen (${Math.round(killedAt)} ms after start): ${outcome} of the fixture in the store`)
        return true
      }

      const { url, drop } = await engine.fresh('crash_load')
      drops.push(drop)
      assert.ok(await kill(url, 0, true))

      const again = spawnWaymark(['load', fixtureFile, '--store', url])
      let writingFrom = 0
      let done = false
      void again.exit.then(() => (done = true))
      while (!done) {
        if (writingFrom === 0 && (await writing(url))) writingFrom = performance.now()
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const writeMs = performance.now() - writingFrom
      assert.equal((await again.exit).code, 0, again.output())
      assert.match(again.output(), new RegExp(`: 1 organizations, 1 projects, 1 clusters, ${engine.loadCount} checkpoints, 1 apiKeys`))
      assert.ok(writingFrom > 0, 'the load was seen writing')
      assert.deepEqual(await heldAt(url), FULL(engine.loadCount))
      await assertServedHistory(url, fixtureCheckpoints)
      t.diagnostic(`the same load again on that store: complete; it wrote for ${Math.round(writeMs)} ms (write seen to exit)`)

      // The machine's load varies: should this load write faster and finish within the delay, again sooner.
      let killedLate = false
      for (const share of [1 / 2, 1 / 4, 1 / 8]) {
        const next = await engine.fresh('crash_load')
        drops.push(next.drop)
        killedLate = await kill(next.url, Math.round(writeMs * share), false)
        if (killedLate) break
      }
      assert.ok(killedLate, 'a load was killed some time into its write')
    })

    test(`generate of ${engine.generateCount} checkpoints, ${engine.batchSize} a batch: killed three times, each time a prefix of whole batches, then completed`, async (t) => {
      const { url, drop } = await engine.fresh('crash_generate')
      drops.push(drop)
      const poller = await openStore(url)
      try {
        await loadFixture(BASE_FIXTURE, poller)
        const total = engine.generateCount
        const expected = expectedHistory(total)
        const args = [
          'generate', '--cluster', CLUSTER_ID, '--from', isoOfSeconds(FROM), '--to', isoOfSeconds(FROM + total * INTERVAL),
          '--seed', String(SEED), '--batch-size', String(engine.batchSize), '--store', url,
        ]
        const count = async () => (await poller.pageCheckpoints(CLUSTER_ID, { offset: 0, limit: 1 })).totalCount
        // Each run resumes the last and is killed once the store holds this share of the whole, plus a delay
        // that lands the kill at another point of the batch being written. The last share leaves a good third
        // still to write: on a loaded machine the probe's own read can take as long as several batches, and a
        // child that finished before the kill proves nothing.
        const kills = [
          { share: 0.1, delay: 0 },
          { share: 0.35, delay: 35 },
          { share: 0.6, delay: 80 },
        ]
        let previous = 0
        for (const { share, delay } of kills) {
          const child = spawnWaymark(args)
          const spawnedAt = performance.now()
          const killedAt = await killWhen(child, spawnedAt, async () => (await count()) >= share * total, delay)
          if (previous === 0) await assertMigrateCurrent(url)
          else await assertOpensCurrent(url)
          const n = await count()
          assert.ok(n >= share * total && n < total, `killed midway: ${n} of ${total}`)
          assert.equal(n % engine.batchSize, 0, `${n} is whole batches of ${engine.batchSize}`)
          // Read back in rank order: n rows whose ranks span exactly n, so the ranks are dense too.
          await assertExactly(poller, expected.slice(0, n))
          if (previous === 0) await assertServedHistory(url, expected.slice(0, n))
          t.diagnostic(
            `run resuming after ${previous}: killed at ${Math.round(killedAt)} ms (+${delay} ms after ${share * 100} %), ` +
              `${n} checkpoints = ${n / engine.batchSize} whole batches, exactly the history's first ${n}`,
          )
          previous = n
        }
        const started = performance.now()
        const rest = await runWaymark(args)
        assert.equal(rest.code, 0, rest.stderr)
        assert.match(rest.stderr, new RegExp(`^generated ${total - previous} checkpoints of Crash .*\\(resumed after the ${previous} already there\\)`))
        await assertExactly(poller, expected)
        t.diagnostic(`the same command again: ${total - previous} more in ${Math.round(performance.now() - started)} ms, ${total} in all, no duplicate`)
      } finally {
        await poller.close()
      }
    })

    if (engine.producer) test('serve --produce at time scale 3600, killed while it records checkpoints: each one is whole, the slots have no gap', async (t) => {
      const { url, drop } = await engine.fresh('crash_produce')
      drops.push(drop)
      const poller = await openStore(url)
      try {
        await loadFixture(BASE_FIXTURE, poller)
        const count = async () => (await poller.pageCheckpoints(CLUSTER_ID, { offset: 0, limit: 1 })).totalCount
        // A 15-minute slot every 0.25 s; each tick records, updates and completes checkpoints in one apply.
        const server = spawnWaymark([
          'serve', '--port', '0', '--store', url, '--log-level', 'silent', '--no-rate-limit',
          '--produce', '--time-scale', '3600', '--seed', String(SEED),
        ])
        const spawnedAt = performance.now()
        const killedAt = await killWhen(server, spawnedAt, async () => (await count()) >= 12, 110)
        await assertOpensCurrent(url)
        const stored: Checkpoint[] = []
        for (let after: Checkpoint | undefined; ; ) {
          const batch = await poller.checkpointsAfter(CLUSTER_ID, after, 1_000)
          if (batch.length === 0) break
          stored.push(...batch)
          after = batch.at(-1)
        }
        assert.equal(await count(), stored.length, 'the ranks span exactly the checkpoints stored')
        const planner = new CheckpointPlanner(crashCluster(), SEED)
        const firstSlot = Math.floor(secondsOf(stored[0]?.started ?? '') / INTERVAL) * INTERVAL
        let inFlight = 0
        for (const [i, checkpoint] of stored.entries()) {
          // One checkpoint per slot from the first, none missing, none twice.
          const plan = planner.plan(firstSlot + i * INTERVAL)
          assert.equal(checkpoint.id, plan.id, `slot ${i}`)
          // As the producer recorded it at one of the moments it changes: a whole record, not half of one.
          const moments = [...changeTimes(plan), plan.timestamp + 24 * 3600 + 1]
          assert.ok(
            moments.some((m) => isDeepStrictEqual(checkpointAt(plan, m, 24), checkpoint)),
            `checkpoint ${i} is the plan at one of its moments: ${JSON.stringify(checkpoint)}`,
          )
          if (checkpoint.completed === undefined) inFlight++
        }
        await assertServedHistory(url, stored)
        t.diagnostic(`killed at ${Math.round(killedAt)} ms with ${stored.length} checkpoints recorded (${inFlight} in flight): each whole, no gap`)
      } finally {
        await poller.close()
      }
    })
  })
}
