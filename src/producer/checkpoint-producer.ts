import { whyNoCheckpoints } from '../domain/checkpoint-schedule.js'
import type { Checkpoint, Cluster } from '../domain/types.js'
import { EMPTY_DATA_SET, type DataSet } from '../domain/data-set.js'
import type { Store } from '../storage/store.js'
import {
  CheckpointPlanner,
  SLOT_ALIGNMENT_SECONDS,
  checkpointAt,
  isoOf,
  nextChangeAfter,
  secondsOf,
  settledAt,
  type CheckpointPlan,
} from './checkpoint-plan.js'
import { firstSlotAtOrAfter } from './history.js'

/** The logging the producer does; a pino logger fits. */
export interface ProducerLog {
  info(fields: object, message: string): void
  debug(fields: object, message: string): void
}

export interface ProducerOptions {
  readonly store: Store
  /** Decides every checkpoint (see checkpoint-plan.ts). */
  readonly seed: number
  /** The clock, epoch milliseconds: the server's (src/clock/server-clock.ts), injected by tests. */
  readonly now: () => number
  /** Days a checkpoint is kept after it left its cluster's point-in-time window. */
  readonly retentionDays: number
  readonly log?: ProducerLog
  /**
   * The clock's time (epoch ms) as of which the store's data was made (the demo, fixtures loaded at
   * start): the first tick takes up from there, so the slots the clock passed while the server started
   * (seconds, or hours at a time scale) are recorded rather than left as a gap. Default: the first tick's time.
   */
  readonly startsAt?: number
}

/** What one tick did. */
export interface TickSummary {
  /** Checkpoints recorded or updated. */
  readonly written: number
  /** Checkpoints that left the point-in-time window (now not restorable). */
  readonly expired: number
  readonly pruned: number
}

/** Slots one tick records at most when the clock jumped (the rest follow on the next ticks). */
const MAX_SLOTS_PER_TICK = 1000
/** Rows per expire or prune statement, so that a large backlog is cleared in small transactions. */
const EXPIRE_BATCH = 1000
const PRUNE_BATCH = 5000

interface InFlight {
  readonly plan: CheckpointPlan
  /** The checkpoint as last written (JSON), to write only changes. */
  readonly written: string
}

interface ClusterState {
  cluster: Cluster
  readonly planner: CheckpointPlanner
  /** Whether new checkpoints are made (eligible, schedule on), and at which interval. */
  producing: boolean
  intervalSeconds: number
  /** The next slot to record (epoch seconds) and its plan, while producing. */
  next: number
  nextPlan: CheckpointPlan | undefined
  /** Checkpoints recorded but still changing (discoveries, completion). */
  readonly inFlight: Map<string, InFlight>
}

const NO_LOG: ProducerLog = { info: () => undefined, debug: () => undefined }

/** Whether two records differ at most in `restorable` (leaving the window is not the in-flight work). */
function sameApartFromRestorable(a: Checkpoint, b: Checkpoint | undefined): boolean {
  return b !== undefined && JSON.stringify({ ...a, restorable: true }) === JSON.stringify({ ...b, restorable: true })
}

function onlyCheckpoints(checkpoints: readonly Checkpoint[]): DataSet {
  return { ...EMPTY_DATA_SET, checkpoints }
}

/**
 * The backup system's checkpoint side, for every cluster with a checkpoint schedule. Each `tick` looks at
 * the clock and brings the store up to that moment: records the checkpoints whose slot came (appends, in
 * small transactions), updates the ones in flight as their tokens are discovered and they complete, marks
 * those that left the point-in-time window not restorable, and prunes those `retentionDays` past it.
 *
 * A cluster makes checkpoints while it is sharded, on legacy backup, at FCV 4.0 or earlier, with an
 * interval; when it stops being so, no new ones are made (those in flight still finish), but its window
 * and pruning still apply while its schedule is set. Clusters without a schedule are never touched.
 *
 * When a cluster is first seen (at start, or when its schedule is turned on) production begins at the
 * first slot at or after now that is after its newest checkpoint: there is no backfill (that is
 * `waymark generate`). A checkpoint left in flight by an earlier run with the same seed is picked up and
 * finished. Tick errors (a store outage) are the caller's to log; a failed tick changes nothing here, so
 * the next one retries it.
 */
export class CheckpointProducer {
  /** As a participant of the server's clock (src/clock/server-clock.ts). */
  readonly name = 'producer'
  private readonly states = new Map<string, ClusterState>()
  private readonly log: ProducerLog
  private lastTick: number | undefined

  constructor(private readonly options: ProducerOptions) {
    this.log = options.log ?? NO_LOG
  }

  /** The clock now, in epoch seconds. */
  private seconds(): number {
    return Math.floor(this.options.now() / 1000)
  }

  /**
   * Brings the store up to `at` (epoch ms) however far the clock moved since the last tick: ticks until
   * nothing more is due (one tick records at most MAX_SLOTS_PER_TICK slots per cluster). Going there in one
   * step ends exactly as going event by event would: each checkpoint as it stands at any moment is a
   * function of the time (checkpoint-plan.ts), and the window and pruning follow the time alone.
   */
  async catchUp(at: number): Promise<void> {
    const t = Math.floor(at / 1000)
    do await this.tick(at)
    while ((this.nextEventAt() ?? Infinity) <= t * 1000)
  }

  /**
   * A cluster's checkpoints were written by someone else (the admin API's history): forget what this
   * producer knew of it, so that the next tick takes it up as new (finishing what is in flight, then the
   * first slot after its newest checkpoint).
   */
  recordsChanged(clusterId: string): void {
    this.states.delete(clusterId)
  }

  /** Brings the store up to the clock's now, or to `at` (epoch ms). */
  async tick(at: number = this.options.now()): Promise<TickSummary> {
    const t = Math.floor(at / 1000)
    const { store, startsAt } = this.options
    const since = this.lastTick === undefined && startsAt !== undefined ? Math.min(t, Math.floor(startsAt / 1000)) : t
    const clusters = await store.listScheduledClusters()
    const listed = new Set(clusters.map((c) => c.id))
    for (const cluster of clusters) await this.follow(cluster, since)
    for (const [id, state] of this.states) {
      if (listed.has(id)) continue
      // A deleted cluster (the admin API, a reset) takes its checkpoints with it: nothing left to finish.
      if (state.inFlight.size > 0 && !(await store.findCluster(id))) {
        this.states.delete(id)
        continue
      }
      if (state.producing) this.stopProducing(state, 'its checkpoint schedule was turned off or it is gone')
      if (state.inFlight.size === 0) this.states.delete(id)
    }

    const writes: Checkpoint[] = []
    const commits: Array<() => void> = []
    for (const state of this.states.values()) this.collect(state, t, writes, commits)
    if (writes.length > 0) await store.apply(onlyCheckpoints(writes))
    for (const commit of commits) commit()

    let expired = 0
    let pruned = 0
    for (const cluster of clusters) {
      const windowStart = t - cluster.pointInTimeWindowHours * 3600
      expired += await this.drain((limit) => store.expireCheckpoints(cluster.id, isoOf(windowStart), limit), EXPIRE_BATCH)
      const pruneBefore = windowStart - this.options.retentionDays * 86_400
      pruned += await this.drain((limit) => store.pruneCheckpoints(cluster.id, isoOf(pruneBefore), limit), PRUNE_BATCH)
    }
    if (expired > 0 || pruned > 0) this.log.debug({ expired, pruned }, 'checkpoints left the window or were pruned')
    this.lastTick = t
    return { written: writes.length, expired, pruned }
  }

  /**
   * When the next recorded checkpoint changes or the next slot's checkpoint is recorded (epoch ms), as
   * of the last tick; undefined when nothing is scheduled. The window and pruning follow every tick.
   */
  nextEventAt(): number | undefined {
    const after = this.lastTick ?? this.seconds()
    let next = Infinity
    for (const state of this.states.values()) {
      if (state.producing && state.nextPlan) next = Math.min(next, state.nextPlan.timestamp)
      for (const { plan } of state.inFlight.values()) next = Math.min(next, nextChangeAfter(plan, after) ?? Infinity)
    }
    return next === Infinity ? undefined : next * 1000
  }

  /**
   * Takes a listed cluster's current record, starting or stopping production when that changed; a start
   * is at the first slot not yet recorded at `since` (epoch seconds: now) after the cluster's newest
   * checkpoint. (The clock brings the producer up to the start of a jump before it jumps, so a change made
   * just before is seen then.)
   */
  private async follow(cluster: Cluster, since: number): Promise<void> {
    let state = this.states.get(cluster.id)
    const firstSeen = !state
    if (!state) {
      state = {
        cluster,
        planner: new CheckpointPlanner(cluster, this.options.seed),
        producing: false,
        intervalSeconds: 0,
        next: 0,
        nextPlan: undefined,
        inFlight: new Map(),
      }
      await this.resume(state)
      this.states.set(cluster.id, state)
    }
    state.cluster = cluster
    const why = whyNoCheckpoints(cluster)
    const intervalSeconds = (cluster.checkpointIntervalMinutes ?? 0) * 60
    if (why !== undefined) {
      if (state.producing || firstSeen) this.stopProducing(state, why)
      return
    }
    if (state.producing && state.intervalSeconds === intervalSeconds) return
    const [newest] = (await this.options.store.pageCheckpoints(cluster.id, { offset: 0, limit: 1 })).items
    const after = newest ? secondsOf(newest.timestamp) + 1 : since
    state.intervalSeconds = intervalSeconds
    state.next = firstSlotAtOrAfter(Math.max(since, after), intervalSeconds)
    // The slot just before is still to come when its checkpoint was not recorded yet (a few seconds after it).
    const previous = state.next - intervalSeconds
    if (previous >= after && state.planner.plan(previous).timestamp > since) state.next = previous
    state.nextPlan = state.planner.plan(state.next)
    state.producing = true
    this.log.info(
      { clusterId: cluster.id, cluster: cluster.name, intervalMinutes: cluster.checkpointIntervalMinutes, firstSlot: isoOf(state.next) },
      `making checkpoints of ${cluster.name} every ${cluster.checkpointIntervalMinutes} minutes from ${isoOf(state.next)}`,
    )
  }

  private stopProducing(state: ClusterState, why: string): void {
    state.producing = false
    state.nextPlan = undefined
    this.log.info({ clusterId: state.cluster.id, cluster: state.cluster.name, reason: why }, `no checkpoints of ${state.cluster.name} from now: ${why}`)
  }

  /** Finds the newest checkpoints an earlier run left in flight (same seed: same ids) to finish them. */
  private async resume(state: ClusterState): Promise<void> {
    const { items } = await this.options.store.pageCheckpoints(state.cluster.id, { offset: 0, limit: 3 })
    for (const stored of items) {
      const started = secondsOf(stored.started)
      const plan = state.planner.plan(started - (started % SLOT_ALIGNMENT_SECONDS))
      if (plan.id !== stored.id || sameApartFromRestorable(stored, checkpointAt(plan, settledAt(plan), Infinity))) continue
      state.inFlight.set(plan.id, { plan, written: JSON.stringify(stored) })
      this.log.debug({ clusterId: state.cluster.id, checkpointId: plan.id }, 'picked up a checkpoint in flight')
    }
  }

  /** The writes one cluster needs at `t`, and what to remember once they are stored. */
  private collect(state: ClusterState, t: number, writes: Checkpoint[], commits: Array<() => void>): void {
    const window = state.cluster.pointInTimeWindowHours
    const changed: InFlight[] = []
    for (const entry of state.inFlight.values()) {
      const checkpoint = checkpointAt(entry.plan, t, window)
      if (!checkpoint) continue
      const json = JSON.stringify(checkpoint)
      if (json !== entry.written) writes.push(checkpoint)
      changed.push({ plan: entry.plan, written: json })
    }
    const recorded: InFlight[] = []
    let next = state.next
    let nextPlan = state.nextPlan
    // After a jump of the clock, the slots whose checkpoints would be pruned at once are not written at all.
    const pruneBefore = t - window * 3600 - this.options.retentionDays * 86_400
    if (state.producing && nextPlan && nextPlan.timestamp < pruneBefore) {
      const skipTo = Math.floor(pruneBefore / state.intervalSeconds) * state.intervalSeconds
      if (skipTo > next) {
        next = skipTo
        nextPlan = state.planner.plan(next)
      }
    }
    while (state.producing && nextPlan && nextPlan.timestamp <= t && recorded.length < MAX_SLOTS_PER_TICK) {
      const checkpoint = checkpointAt(nextPlan, t, window) as Checkpoint
      writes.push(checkpoint)
      recorded.push({ plan: nextPlan, written: JSON.stringify(checkpoint) })
      next += state.intervalSeconds
      nextPlan = state.planner.plan(next)
    }
    commits.push(() => {
      for (const entry of [...changed, ...recorded]) {
        if (settledAt(entry.plan) <= t) state.inFlight.delete(entry.plan.id)
        else state.inFlight.set(entry.plan.id, entry)
      }
      for (const { plan } of recorded) {
        this.log.debug({ clusterId: plan.clusterId, checkpointId: plan.id, timestamp: isoOf(plan.timestamp) }, 'checkpoint recorded')
      }
      if (state.producing) {
        state.next = next
        state.nextPlan = nextPlan
      }
    })
  }

  /** Repeats a bounded statement until it does less than its limit. */
  private async drain(step: (limit: number) => Promise<number>, limit: number): Promise<number> {
    let total = 0
    for (;;) {
      const done = await step(limit)
      total += done
      if (done < limit) return total
    }
  }
}
