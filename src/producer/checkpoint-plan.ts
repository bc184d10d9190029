import { objectIdFrom } from '../domain/ids.js'
import type { Checkpoint, CheckpointPart, Cluster, PartTypeName } from '../domain/types.js'
import { mulberry32, randomInt } from '../fixtures/prng.js'

/**
 * How the backup system makes one checkpoint, decided in advance from (seed, cluster, slot) alone, and
 * what the checkpoint looks like at any moment of its making. The live producer, `waymark generate` and
 * the demo all use this, so the same seed gives the same checkpoint (same id, same times) for a slot
 * whichever of them makes it.
 *
 * The sequence, in epoch seconds from the slot (the scheduled time):
 * - `started`: the balancer is stopped, 0-3 s after the slot;
 * - each part's token is written into its oplog 1-5 s after that, with a small increment (1-6); the
 *   checkpoint's `timestamp`, the point it restores to, is the latest token. The checkpoint is recorded
 *   from then on, in progress (no `completed`, nothing discovered, not restorable);
 * - the backup daemon discovers each token 1-4 s after the latest was written;
 * - `completed`: the balancer restarts 5-9 s after the latest token.
 * About one checkpoint in 40 has a token that is never discovered (never restorable), and one in 50 a
 * token discovered late, 1-10 minutes after completion (restorable only from then).
 */

/** Every interval is a multiple of 15 minutes, so a checkpoint's slot is its start rounded down to one. */
export const SLOT_ALIGNMENT_SECONDS = 900

/** The seed of the demo, and of the producer and `waymark generate` unless told otherwise. */
export const DEFAULT_SEED = 20261101

/** What a part is, before any token: its type and names. */
export interface PartSpec {
  readonly typeName: PartTypeName
  readonly replicaSetName?: string
  readonly shardName?: string
  readonly hostId?: string
}

/** A part of a planned checkpoint: when its token was written and when (if ever) it is discovered. */
export interface PlannedPart {
  readonly spec: PartSpec
  readonly tokenAt: number
  readonly increment: number
  /** Null: never discovered. */
  readonly discoveredAt: number | null
}

/** One checkpoint, decided: every time is in epoch seconds. */
export interface CheckpointPlan {
  readonly id: string
  readonly clusterId: string
  readonly groupId: string
  readonly slot: number
  readonly started: number
  /** The latest token: the checkpoint's restore point, and when it is first recorded. */
  readonly timestamp: number
  readonly completedAt: number
  readonly parts: readonly PlannedPart[]
}

/** A token that is never discovered. */
const MISSING_TOKEN_RATE = 1 / 40
/** A token discovered after the checkpoint completed. */
const LATE_TOKEN_RATE = 1 / 50

/**
 * One part per shard (REPLICA_SET with the replica set and shard names; a replica set: its one part,
 * without a shard name) and, for a sharded cluster, one for the config servers: CONFIG_SERVER_REPLICA_SET
 * with its replica set name (CSRS), or CONFIG_SERVER with the first config host's id (SCCC).
 */
export function partSpecs(cluster: Cluster): PartSpec[] {
  if (cluster.type === 'REPLICASET') {
    return cluster.shards.map((s) => ({ typeName: 'REPLICA_SET', replicaSetName: s.replicaSetName }))
  }
  const specs: PartSpec[] = cluster.shards.map((s) => ({
    typeName: 'REPLICA_SET',
    replicaSetName: s.replicaSetName,
    shardName: s.shardName,
  }))
  const config = cluster.configServer
  if (config?.typeName === 'CONFIG_SERVER_REPLICA_SET') {
    specs.push({ typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: config.replicaSetName })
  } else if (config?.typeName === 'CONFIG_SERVER' && config.hostIds[0] !== undefined) {
    specs.push({ typeName: 'CONFIG_SERVER', hostId: config.hostIds[0] })
  }
  return specs
}

/** murmur3's finalizer over `h ^ value`: a well-mixed 32-bit state. */
function mix(h: number, value: number): number {
  h = (h ^ value) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Plans the checkpoints of one cluster from one seed. */
export class CheckpointPlanner {
  private readonly specs: readonly PartSpec[]
  private readonly base: number

  constructor(
    readonly cluster: Cluster,
    readonly seed: number,
  ) {
    this.specs = partSpecs(cluster)
    this.base = mix(mix(0x9e3779b9, seed >>> 0), hashString(cluster.id))
  }

  /** The checkpoint of the slot at `slot` (epoch seconds); the same for the same seed, cluster and slot. */
  plan(slot: number): CheckpointPlan {
    const rng = mulberry32(mix(mix(this.base, Math.floor(slot / 2 ** 32)), slot >>> 0))
    const started = slot + randomInt(rng, 0, 3)
    const fate = rng()
    const odd = randomInt(rng, 0, this.specs.length - 1)
    let timestamp = started
    const tokens = this.specs.map(() => {
      const tokenAt = started + randomInt(rng, 1, 5)
      timestamp = Math.max(timestamp, tokenAt)
      return { tokenAt, increment: randomInt(rng, 1, 6), delay: randomInt(rng, 1, 4) }
    })
    const completedAt = timestamp + randomInt(rng, 5, 9)
    const lateAt = completedAt + randomInt(rng, 60, 600)
    const parts = this.specs.map((spec, i): PlannedPart => {
      const token = tokens[i] as { tokenAt: number; increment: number; delay: number }
      let discoveredAt: number | null = timestamp + token.delay
      if (i === odd && fate < MISSING_TOKEN_RATE) discoveredAt = null
      else if (i === odd && fate < MISSING_TOKEN_RATE + LATE_TOKEN_RATE) discoveredAt = lateAt
      return { spec, tokenAt: token.tokenAt, increment: token.increment, discoveredAt }
    })
    return {
      id: objectIdFrom(started, rng),
      clusterId: this.cluster.id,
      groupId: this.cluster.groupId,
      slot,
      started,
      timestamp,
      completedAt,
      parts,
    }
  }
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
let cachedDay = Number.NaN
let cachedDayPrefix = ''

/**
 * `YYYY-MM-DDTHH:MM:SSZ` of whole epoch seconds. The date part is kept for the day, since a history asks
 * for millions of instants in order (Date.toISOString for each was a third of `waymark generate`).
 */
export function isoOf(epochSeconds: number): string {
  const day = Math.floor(epochSeconds / 86_400)
  if (day !== cachedDay) {
    cachedDay = day
    cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11)
  }
  const rest = epochSeconds - day * 86_400
  const hours = Math.floor(rest / 3600)
  const minutes = Math.floor((rest % 3600) / 60)
  return `${cachedDayPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[rest % 60]}Z`
}

/** Epoch seconds of an ISO instant. */
export function secondsOf(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000)
}

/** When every token is discovered and the checkpoint completed; null when a token never is. */
export function restorableFrom(plan: CheckpointPlan): number | null {
  let from = plan.completedAt
  for (const part of plan.parts) {
    if (part.discoveredAt === null) return null
    from = Math.max(from, part.discoveredAt)
  }
  return from
}

/** The moments the recorded checkpoint changes, ascending: recorded, each discovery, completion. */
export function changeTimes(plan: CheckpointPlan): number[] {
  const times = new Set<number>([plan.timestamp, plan.completedAt])
  for (const part of plan.parts) if (part.discoveredAt !== null) times.add(part.discoveredAt)
  return [...times].sort((a, b) => a - b)
}

/** After this moment the checkpoint changes no more (but for leaving the point-in-time window). */
export function settledAt(plan: CheckpointPlan): number {
  return changeTimes(plan).at(-1) ?? plan.timestamp
}

/** The first moment after `t` at which the checkpoint changes, if any. */
export function nextChangeAfter(plan: CheckpointPlan, t: number): number | undefined {
  return changeTimes(plan).find((time) => time > t)
}

/**
 * The checkpoint as recorded at `t` (epoch seconds), or undefined before its tokens are written. It is
 * restorable once it completed and every token was discovered, while its timestamp is inside the
 * point-in-time window (`windowHours` back from `t`).
 */
export function checkpointAt(plan: CheckpointPlan, t: number, windowHours: number): Checkpoint | undefined {
  if (t < plan.timestamp) return undefined
  let allDiscovered = true
  const parts = plan.parts.map((p): CheckpointPart => {
    const tokenDiscovered = p.discoveredAt !== null && p.discoveredAt <= t
    allDiscovered &&= tokenDiscovered
    return partOf(p.spec, tokenDiscovered, { date: isoOf(p.tokenAt), increment: p.increment })
  })
  const restorable = t >= plan.completedAt && allDiscovered && plan.timestamp >= t - windowHours * 3600
  const started = isoOf(plan.started)
  const timestamp = isoOf(plan.timestamp)
  const { id, clusterId, groupId } = plan
  // Two literals rather than a conditional spread: this runs a million times for `waymark generate`.
  return t >= plan.completedAt
    ? { id, clusterId, groupId, started, completed: isoOf(plan.completedAt), timestamp, restorable, parts }
    : { id, clusterId, groupId, started, timestamp, restorable, parts }
}

/** A part with only the names its type has, in the domain's key order. */
function partOf(spec: PartSpec, tokenDiscovered: boolean, tokenTimestamp: CheckpointPart['tokenTimestamp']): CheckpointPart {
  const { typeName, replicaSetName, shardName, hostId } = spec
  if (hostId !== undefined) return { typeName, hostId, tokenDiscovered, tokenTimestamp }
  if (replicaSetName === undefined) return { typeName, tokenDiscovered, tokenTimestamp }
  if (shardName === undefined) return { typeName, replicaSetName, tokenDiscovered, tokenTimestamp }
  return { typeName, replicaSetName, shardName, tokenDiscovered, tokenTimestamp }
}
