import { performance } from 'node:perf_hooks'

/** Settings of a {@link TokenBucketLimiter}. */
export interface RateLimitOptions {
  /** Tokens a bucket holds when full: the burst a key may send at once. */
  capacity: number
  /** Tokens added every `refillPeriodSeconds`, spread evenly over the period. */
  refillAmount: number
  /** The period over which `refillAmount` tokens come back. */
  refillPeriodSeconds: number
  /** The clock, in milliseconds; monotonic `performance.now()` unless given. */
  now?: () => number
  /** The most buckets kept at once; beyond it the least recently used one is dropped. */
  maxKeys?: number
}

/** The answer to one request. */
export interface RateDecision {
  /** Whether the request may go ahead (it took a token). */
  allowed: boolean
  /** The bucket capacity, for `RateLimit-Limit`. */
  limit: number
  /** Whole tokens left after this request, for `RateLimit-Remaining`. */
  remaining: number
  /** Whole seconds until a token is available, for `Retry-After`; 0 when allowed. */
  retryAfterSeconds: number
}

/** The limits of the Legacy Backup endpoint set (scope GROUP): 1200 requests, refilled at 500 per minute. */
export const DEFAULT_RATE_LIMIT: Readonly<Required<Omit<RateLimitOptions, 'now'>>> = Object.freeze({
  capacity: 1200,
  refillAmount: 500,
  refillPeriodSeconds: 60,
  maxKeys: 100_000,
})

interface Bucket {
  readonly key: string
  /** Tokens held, in units of 1/periodMs token, so refill stays in exact integers. */
  units: number
  /** When `units` was last brought up to date (clock milliseconds). */
  last: number
  /** Towards the least recently used bucket. */
  older: Bucket | undefined
  /** Towards the most recently used bucket. */
  newer: Bucket | undefined
}

/** How many of the least recently used buckets each request checks for being full again. */
const SWEEP = 2

/**
 * A token bucket per key (a project id), refilled continuously: `refillAmount` tokens every
 * `refillPeriodSeconds`, never above `capacity`. Each allowed request takes one token; a refused one takes
 * nothing.
 *
 * Token counts are kept as integers (one token is `refillPeriodSeconds * 1000` units and each elapsed
 * millisecond adds `refillAmount` units), so refill is exact. Memory is bounded: a bucket that has filled
 * up again is the same as no bucket and is forgotten, and beyond `maxKeys` buckets the least recently
 * used one is dropped (its key starts again with a full bucket).
 */
export class TokenBucketLimiter {
  /** Tokens in a full bucket. */
  readonly capacity: number
  /** Tokens refilled per period. */
  readonly refillAmount: number
  /** The refill period in seconds. */
  readonly refillPeriodSeconds: number
  /** The most buckets kept at once. */
  readonly maxKeys: number
  readonly #now: () => number
  readonly #unitsPerToken: number
  readonly #fullUnits: number
  readonly #buckets = new Map<string, Bucket>()
  #oldest: Bucket | undefined
  #newest: Bucket | undefined

  /** Validates the options (positive integers) and fills the gaps from {@link DEFAULT_RATE_LIMIT}. */
  constructor(options: Partial<RateLimitOptions> = {}) {
    this.capacity = positiveInteger('capacity', options.capacity ?? DEFAULT_RATE_LIMIT.capacity)
    this.refillAmount = positiveInteger('refillAmount', options.refillAmount ?? DEFAULT_RATE_LIMIT.refillAmount)
    this.refillPeriodSeconds = positiveInteger(
      'refillPeriodSeconds',
      options.refillPeriodSeconds ?? DEFAULT_RATE_LIMIT.refillPeriodSeconds,
    )
    this.maxKeys = positiveInteger('maxKeys', options.maxKeys ?? DEFAULT_RATE_LIMIT.maxKeys)
    this.#unitsPerToken = this.refillPeriodSeconds * 1000
    this.#fullUnits = this.capacity * this.#unitsPerToken
    if (!Number.isSafeInteger(this.#fullUnits)) {
      throw new RangeError('capacity * refillPeriodSeconds * 1000 must be a safe integer')
    }
    this.#now = options.now ?? (() => performance.now())
  }

  /** How many buckets are kept (at most maxKeys). */
  get size(): number {
    return this.#buckets.size
  }

  /** Spends a token of `key`'s bucket if there is one, and says what to answer. */
  take(key: string): RateDecision {
    const now = this.#now()
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      bucket = { key, units: this.#fullUnits, last: now, older: undefined, newer: undefined }
      this.#buckets.set(key, bucket)
    } else {
      this.#refill(bucket, now)
      this.#unlink(bucket)
    }
    this.#append(bucket)

    let decision: RateDecision
    if (bucket.units >= this.#unitsPerToken) {
      bucket.units -= this.#unitsPerToken
      decision = { allowed: true, limit: this.capacity, remaining: this.#whole(bucket), retryAfterSeconds: 0 }
    } else {
      const missing = this.#unitsPerToken - bucket.units
      decision = {
        allowed: false,
        limit: this.capacity,
        remaining: this.#whole(bucket),
        retryAfterSeconds: Math.ceil(missing / (this.refillAmount * 1000)),
      }
    }

    this.#forgetFull(now)
    while (this.#buckets.size > this.maxKeys && this.#oldest !== undefined) this.#drop(this.#oldest)
    return decision
  }

  /**
   * What {@link take} would answer now, taking nothing and keeping nothing new (a key without a bucket has
   * a full one): for a check before a cost the bucket is meant to bound (a nonce lease write).
   */
  peek(key: string): RateDecision {
    const bucket = this.#buckets.get(key)
    if (bucket === undefined) return { allowed: true, limit: this.capacity, remaining: this.capacity, retryAfterSeconds: 0 }
    this.#refill(bucket, this.#now())
    if (bucket.units >= this.#unitsPerToken) return { allowed: true, limit: this.capacity, remaining: this.#whole(bucket), retryAfterSeconds: 0 }
    const missing = this.#unitsPerToken - bucket.units
    return { allowed: false, limit: this.capacity, remaining: this.#whole(bucket), retryAfterSeconds: Math.ceil(missing / (this.refillAmount * 1000)) }
  }

  #whole(bucket: Bucket): number {
    return Math.floor(bucket.units / this.#unitsPerToken)
  }

  #refill(bucket: Bucket, now: number): void {
    const elapsed = Math.floor(now - bucket.last)
    if (!(elapsed > 0)) return
    const units = bucket.units + elapsed * this.refillAmount
    if (units >= this.#fullUnits) {
      bucket.units = this.#fullUnits
      bucket.last = now
    } else {
      bucket.units = units
      bucket.last += elapsed
    }
  }

  #forgetFull(now: number): void {
    for (let i = 0; i < SWEEP; i++) {
      const oldest = this.#oldest
      if (oldest === undefined || oldest === this.#newest) return
      this.#refill(oldest, now)
      if (oldest.units < this.#fullUnits) return
      this.#drop(oldest)
    }
  }

  #drop(bucket: Bucket): void {
    this.#unlink(bucket)
    this.#buckets.delete(bucket.key)
  }

  #append(bucket: Bucket): void {
    bucket.older = this.#newest
    bucket.newer = undefined
    if (this.#newest === undefined) this.#oldest = bucket
    else this.#newest.newer = bucket
    this.#newest = bucket
  }

  #unlink(bucket: Bucket): void {
    if (bucket.older === undefined) this.#oldest = bucket.newer
    else bucket.older.newer = bucket.newer
    if (bucket.newer === undefined) this.#newest = bucket.older
    else bucket.newer.older = bucket.older
    bucket.older = undefined
    bucket.newer = undefined
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  return value
}
