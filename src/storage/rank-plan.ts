import type { Checkpoint } from '../domain/types.js'

/**
 * The engine-neutral part of keeping each cluster's `seq` a dense rank of (timestamp, id): which
 * checkpoints keep their place, which enter or leave which cluster, and how the new ones are numbered.
 * The SQL engines only look places up and write the result.
 */

/** The order of a cluster's checkpoints: (timestamp, id), ascending. */
export interface OrderKey {
  readonly timestamp: string
  readonly id: string
}

/** Where a checkpoint is stored now. */
export interface StoredPlace {
  readonly cluster_id: string
  readonly timestamp: string
  readonly seq: number
}

/** What one `apply` does to one cluster's checkpoints. */
export interface ClusterPlan {
  /** Checkpoints that take a new place in this cluster (new, moved in, or with a new timestamp), in order. */
  readonly entering: Checkpoint[]
  /** The old places of checkpoints that leave this cluster or change their timestamp. */
  readonly leaving: OrderKey[]
}

/** A seq below any real one: renumbering "after" it renumbers the whole cluster. */
export const BEFORE_ALL = Number.MIN_SAFE_INTEGER

export function compareKeys(a: OrderKey, b: OrderKey): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return 0
}

/**
 * Splits incoming checkpoints: those staying in place keep their seq (`seqOf`); the others go into the
 * plan of each cluster they enter or leave.
 */
export function planRanks(
  checkpoints: readonly Checkpoint[],
  places: ReadonlyMap<string, StoredPlace>,
): { readonly plans: Map<string, ClusterPlan>; readonly seqOf: Map<string, number> } {
  const plans = new Map<string, ClusterPlan>()
  const planOf = (clusterId: string): ClusterPlan => {
    let plan = plans.get(clusterId)
    if (!plan) plans.set(clusterId, (plan = { entering: [], leaving: [] }))
    return plan
  }
  const seqOf = new Map<string, number>()
  for (const cp of checkpoints) {
    const old = places.get(cp.id)
    if (old && old.cluster_id === cp.clusterId && old.timestamp === cp.timestamp) {
      seqOf.set(cp.id, old.seq)
      continue
    }
    planOf(cp.clusterId).entering.push(cp)
    if (old) planOf(old.cluster_id).leaving.push({ timestamp: old.timestamp, id: cp.id })
  }
  for (const plan of plans.values()) plan.entering.sort(compareKeys)
  return { plans, seqOf }
}

/** The smallest (timestamp, id) a plan changes; only places from there on can move. */
export function firstChanged(plan: ClusterPlan): OrderKey | undefined {
  return [plan.entering[0], ...plan.leaving].reduce<OrderKey | undefined>(
    (min, k) => (k && (!min || compareKeys(k, min) < 0) ? k : min),
    undefined,
  )
}

/**
 * Numbers a cluster's entering checkpoints, given `after` (the seq of its last checkpoint before the first
 * change) and `hi` (its newest seq, null when empty). Pure appends are numbered on from `after`; anything
 * else gets a provisional seq and returns true: the cluster must be renumbered after `after`.
 * `beforeAll` is the engine's sentinel for "renumber the whole cluster".
 */
export function numberEntering(
  plan: ClusterPlan,
  after: number,
  hi: number | null,
  seqOf: Map<string, number>,
  beforeAll = BEFORE_ALL,
): boolean {
  if (plan.leaving.length === 0 && (hi === null || after === hi)) {
    plan.entering.forEach((cp, i) => seqOf.set(cp.id, after + 1 + i))
    return false
  }
  for (const cp of plan.entering) seqOf.set(cp.id, after === beforeAll ? 0 : after + 1)
  return true
}

/** The items with duplicates by id removed, the last one winning, in order of last appearance. */
export function lastById<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  const byId = new Map<string, T>()
  for (const item of items) {
    const id = idOf(item)
    byId.delete(id)
    byId.set(id, item)
  }
  return [...byId.values()]
}
