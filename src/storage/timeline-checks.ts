import type { IsoSeconds } from '../domain/types.js'
import { MAX_TALLY_BOUNDARIES, type CheckpointTally } from './store.js'

/**
 * The arguments of `Store.tallyCheckpoints` and `Store.checkpointsBetween`, checked alike by every
 * engine: a programming error, never a client's (the admin API checks what it is sent first).
 */
export function checkBoundaries(boundaries: readonly IsoSeconds[]): void {
  if (boundaries.length < 2 || boundaries.length > MAX_TALLY_BOUNDARIES) {
    throw new RangeError(`tallyCheckpoints takes 2 to ${MAX_TALLY_BOUNDARIES} boundaries, not ${boundaries.length}`)
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!((boundaries[i - 1] ?? '') < (boundaries[i] ?? ''))) throw new RangeError(`tallyCheckpoints: boundaries must ascend strictly (at ${i})`)
  }
}

export function checkBetween(from: IsoSeconds, to: IsoSeconds, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
  if (!(from < to)) throw new RangeError(`checkpointsBetween: ${from} is not before ${to}`)
}

/** A tally of nothing. */
export const EMPTY_TALLY: CheckpointTally = { total: 0, restorable: 0, inProgress: 0, tokenNotDiscovered: 0 }

/**
 * The tallies of consecutive ranges from the dense rank of the first checkpoint at or after each boundary
 * (one past the newest when none is) and a counter of each state in range i, [from, to).
 */
export function talliesFromRanks(
  boundaries: readonly IsoSeconds[],
  firstRanks: readonly number[],
  count: (state: 'restorable' | 'inProgress' | 'tokenNotDiscovered', range: number, from: IsoSeconds, to: IsoSeconds) => number,
): CheckpointTally[] {
  const tallies: CheckpointTally[] = []
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const total = (firstRanks[i + 1] ?? 0) - (firstRanks[i] ?? 0)
    if (total === 0) {
      tallies.push(EMPTY_TALLY)
      continue
    }
    const from = boundaries[i] ?? ''
    const to = boundaries[i + 1] ?? ''
    tallies.push({
      total,
      restorable: count('restorable', i, from, to),
      inProgress: count('inProgress', i, from, to),
      tokenNotDiscovered: count('tokenNotDiscovered', i, from, to),
    })
  }
  return tallies
}
