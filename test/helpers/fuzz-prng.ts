/**
 * A small seeded PRNG for the fuzz suite (mulberry32): the same seed gives the same sequence of
 * requests on every machine. No side effects on import.
 */
export class Rng {
  #state: number

  constructor(readonly seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[Math.floor(this.next() * items.length)] as T
  }

  /** A string of `length` characters drawn from `alphabet`. */
  string(alphabet: string, length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(this.next() * alphabet.length))
    return out
  }

  /** A derived generator, so that one case's draws do not shift the next case's. */
  fork(salt: number): Rng {
    return new Rng((Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(salt, 0xc2b2ae35)) >>> 0)
  }
}

/** The fuzz seed and the number of cases per property, from WAYMARK_FUZZ_SEED and WAYMARK_FUZZ_COUNT. */
export interface FuzzSettings {
  readonly seed: number
  /** Cases per property instead of each property's default; undefined keeps the defaults. */
  readonly count: number | undefined
  /** When set, only this case index runs (WAYMARK_FUZZ_CASE), to replay one failure. */
  readonly only: number | undefined
}

const DEFAULT_SEED = 20261123

export function fuzzSettings(env: Readonly<Record<string, string | undefined>> = process.env): FuzzSettings {
  const seedText = env['WAYMARK_FUZZ_SEED']
  const seed = seedText === undefined || seedText === '' ? DEFAULT_SEED : Number.parseInt(seedText, 10)
  if (!Number.isInteger(seed)) throw new Error(`WAYMARK_FUZZ_SEED must be an integer, got ${seedText}`)
  const countText = env['WAYMARK_FUZZ_COUNT']
  const count = countText === undefined || countText === '' ? undefined : Number.parseInt(countText, 10)
  if (count !== undefined && !(count > 0)) throw new Error(`WAYMARK_FUZZ_COUNT must be a positive integer, got ${countText}`)
  const onlyText = env['WAYMARK_FUZZ_CASE']
  const only = onlyText === undefined || onlyText === '' ? undefined : Number.parseInt(onlyText, 10)
  return { seed, count, only }
}

/** How many cases a property runs: WAYMARK_FUZZ_COUNT when set, else its default. */
export function caseCount(settings: FuzzSettings, defaultCount: number): number {
  return settings.count ?? defaultCount
}
