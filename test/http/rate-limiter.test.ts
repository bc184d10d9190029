import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_RATE_LIMIT, TokenBucketLimiter } from '../../src/http/rate-limiter.js'
import type { RateLimitOptions } from '../../src/http/rate-limiter.js'

interface Clocked {
  limiter: TokenBucketLimiter
  advance: (ms: number) => void
}

function clocked(options: Partial<RateLimitOptions> = {}): Clocked {
  let now = 1_000_000
  const limiter = new TokenBucketLimiter({ ...options, now: () => now })
  return { limiter, advance: (ms) => (now += ms) }
}

function drain(limiter: TokenBucketLimiter, key: string): number {
  let allowed = 0
  while (limiter.take(key).allowed) allowed++
  return allowed
}

describe('TokenBucketLimiter', () => {
  test('defaults are those of the Legacy Backup endpoint set', () => {
    assert.deepEqual(
      { ...DEFAULT_RATE_LIMIT },
      { capacity: 1200, refillAmount: 500, refillPeriodSeconds: 60, maxKeys: 100_000 },
    )
    const limiter = new TokenBucketLimiter()
    assert.deepEqual(limiter.take('g'), { allowed: true, limit: 1200, remaining: 1199, retryAfterSeconds: 0 })
  })

  test('a fresh key gets capacity requests, then a refusal with the wait for one token', () => {
    const { limiter } = clocked()
    assert.equal(drain(limiter, 'g'), 1200)
    assert.deepEqual(limiter.take('g'), { allowed: false, limit: 1200, remaining: 0, retryAfterSeconds: 1 })
  })

  test('retryAfterSeconds rounds the wait for one token up to whole seconds', () => {
    const { limiter, advance } = clocked({ capacity: 10, refillAmount: 5, refillPeriodSeconds: 60 })
    assert.equal(drain(limiter, 'g'), 10)
    assert.equal(limiter.take('g').retryAfterSeconds, 12)
    advance(1)
    assert.equal(limiter.take('g').retryAfterSeconds, 12)
    advance(999)
    assert.equal(limiter.take('g').retryAfterSeconds, 11)
    advance(10_999)
    assert.deepEqual(limiter.take('g'), { allowed: false, limit: 10, remaining: 0, retryAfterSeconds: 1 })
    advance(1)
    assert.deepEqual(limiter.take('g'), { allowed: true, limit: 10, remaining: 0, retryAfterSeconds: 0 })
  })

  test('remaining counts down', () => {
    const { limiter } = clocked({ capacity: 3 })
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('g').remaining),
      [2, 1, 0, 0],
    )
  })

  test('refill restores exactly the tokens earned', () => {
    const { limiter, advance } = clocked()
    drain(limiter, 'g')
    advance(6_000)
    assert.equal(drain(limiter, 'g'), 50)
    advance(60_000)
    assert.equal(drain(limiter, 'g'), 500)
    advance(119)
    assert.equal(drain(limiter, 'g'), 0)
    advance(1)
    assert.equal(drain(limiter, 'g'), 1)
  })

  test('refill adds up over many small steps', () => {
    const { limiter, advance } = clocked({ capacity: 10, refillAmount: 7, refillPeriodSeconds: 3 })
    drain(limiter, 'g')
    let allowed = 0
    for (let i = 0; i < 3_000; i++) {
      advance(1)
      if (limiter.take('g').allowed) allowed++
    }
    assert.equal(allowed, 7)
  })

  test('fractional clock readings lose nothing', () => {
    let now = 0.25
    const limiter = new TokenBucketLimiter({ capacity: 1, refillAmount: 1, refillPeriodSeconds: 1, now: () => now })
    assert.equal(limiter.take('g').allowed, true)
    let allowed = 0
    for (let i = 0; i < 9_999; i++) {
      now += 0.3
      if (limiter.take('g').allowed) allowed++
    }
    assert.equal(allowed, 2)
  })

  test('refill stops at capacity', () => {
    const { limiter, advance } = clocked({ capacity: 5 })
    limiter.take('g')
    advance(3_600_000)
    assert.equal(limiter.take('g').remaining, 4)
    assert.equal(drain(limiter, 'g'), 4)
  })

  test('a refused request spends nothing', () => {
    const { limiter, advance } = clocked({ capacity: 2, refillAmount: 1, refillPeriodSeconds: 1 })
    drain(limiter, 'g')
    for (let i = 0; i < 5; i++) limiter.take('g')
    advance(1_000)
    assert.equal(limiter.take('g').allowed, true)
  })

  test('keys are independent', () => {
    const { limiter } = clocked({ capacity: 2 })
    assert.equal(drain(limiter, 'a'), 2)
    assert.deepEqual(limiter.take('b'), { allowed: true, limit: 2, remaining: 1, retryAfterSeconds: 0 })
    assert.equal(limiter.take('a').allowed, false)
    assert.equal(limiter.take('b').allowed, true)
    assert.equal(limiter.take('b').allowed, false)
  })

  test('size stays within maxKeys, dropping the least recently used bucket', () => {
    const { limiter } = clocked({ capacity: 2, maxKeys: 100 })
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`key-${i}`)
      assert.ok(limiter.size <= 100)
    }
    assert.equal(limiter.size, 100)

    const small = clocked({ capacity: 1, maxKeys: 2 }).limiter
    small.take('a')
    small.take('b')
    small.take('a')
    small.take('c')
    assert.equal(small.size, 2)
    assert.equal(small.take('a').allowed, false)
    assert.equal(small.take('b').allowed, true)
  })

  test('full buckets are forgotten', () => {
    const { limiter, advance } = clocked({ capacity: 10, refillAmount: 10, refillPeriodSeconds: 1 })
    limiter.take('a')
    limiter.take('b')
    assert.equal(limiter.size, 2)
    advance(99)
    limiter.take('c')
    assert.equal(limiter.size, 3)
    advance(1)
    limiter.take('c')
    assert.equal(limiter.size, 1)
    assert.deepEqual(limiter.take('a'), { allowed: true, limit: 10, remaining: 9, retryAfterSeconds: 0 })
  })

  test('many idle keys drain away as traffic continues', () => {
    const { limiter, advance } = clocked({ capacity: 5, refillAmount: 5, refillPeriodSeconds: 1 })
    for (let i = 0; i < 1_000; i++) limiter.take(`idle-${i}`)
    advance(1_000)
    for (let i = 0; i < 600; i++) limiter.take('busy')
    assert.equal(limiter.size, 1)
  })

  test('options must be positive integers', () => {
    for (const name of ['capacity', 'refillAmount', 'refillPeriodSeconds', 'maxKeys'] as const) {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => new TokenBucketLimiter({ [name]: value }), RangeError, `${name}=${value}`)
      }
    }
    assert.throws(() => new TokenBucketLimiter({ capacity: 2 ** 50 }), RangeError)
  })
})
