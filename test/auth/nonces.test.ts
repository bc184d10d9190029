import { describe, test } from 'node:test'
import { strict as assert } from 'node:assert'
import {
  NONCE_FUTURE_SKEW_SECONDS,
  NONCE_LENGTH,
  NonceBook,
  readSignedNonce,
  signNonce,
} from '../../src/auth/nonces.js'

const SECRET = 'a shared secret of the nonce books'
const T0 = Date.UTC(2026, 0, 1)

function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let current = start
  return { now: () => current, advance: (ms) => (current += ms) }
}

function flip(nonce: string, byte: number): string {
  const bytes = Buffer.from(nonce, 'base64')
  bytes[byte] = (bytes[byte] ?? 0) ^ 1
  return bytes.toString('base64')
}

describe('signNonce and readSignedNonce', () => {
  const random = Buffer.from('0102030405060708', 'hex')

  test('32 characters of base64 carrying the issue time', () => {
    const nonce = signNonce(SECRET, 1_767_225_600, random)
    assert.equal(nonce.length, NONCE_LENGTH)
    assert.match(nonce, /^[A-Za-z0-9+/]{32}$/)
    assert.equal(readSignedNonce(nonce, SECRET), 1_767_225_600)
    assert.equal(readSignedNonce(nonce, Buffer.from(SECRET)), 1_767_225_600)
  })

  test('any changed byte or another secret fails', () => {
    const nonce = signNonce(SECRET, 1_767_225_600, random)
    for (let byte = 0; byte < 24; byte++) {
      assert.equal(readSignedNonce(flip(nonce, byte), SECRET), undefined, String(byte))
    }
    assert.equal(readSignedNonce(nonce, 'another secret'), undefined)
  })

  test('malformed text fails', () => {
    const nonce = signNonce(SECRET, 1_767_225_600, random)
    const texts = ['', nonce.slice(1), nonce + 'A', nonce + '=', nonce.slice(0, -1) + '*', '-' + nonce.slice(1)]
    for (const text of texts) assert.equal(readSignedNonce(text, SECRET), undefined, text)
  })

  test('refuses impossible inputs', () => {
    assert.throws(() => signNonce(SECRET, -1, random), RangeError)
    assert.throws(() => signNonce(SECRET, 2 ** 32, random), RangeError)
    assert.throws(() => signNonce(SECRET, 1, Buffer.alloc(7)), RangeError)
  })
})

describe('NonceBook', () => {
  test('issues distinct, well-formed nonces without tracking them', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonces = new Set(Array.from({ length: 1000 }, () => book.issue()))
    assert.equal(nonces.size, 1000)
    for (const nonce of nonces) assert.equal(nonce.length, NONCE_LENGTH)
    assert.equal(book.size, 0)
  })

  test('a fresh nonce is ok once per nc, in any order', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonce = book.issue()
    assert.equal(book.check(nonce, 1), 'ok')
    assert.equal(book.check(nonce, 1), 'replay')
    assert.equal(book.check(nonce, 3), 'ok')
    assert.equal(book.check(nonce, 2), 'ok')
    assert.equal(book.check(nonce, 2), 'replay')
    assert.equal(book.size, 1)
  })

  test('a first use with nc above 1, as urllib sends', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonce = book.issue()
    assert.equal(book.check(nonce, 42), 'ok')
    assert.equal(book.check(nonce, 43), 'ok')
    assert.equal(book.check(nonce, 42), 'replay')
  })

  test('a value far behind the window is a replay', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonce = book.issue()
    assert.equal(book.check(nonce, 1000), 'ok')
    assert.equal(book.check(nonce, 1), 'replay')
  })

  test('a tampered nonce is invalid', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonce = book.issue()
    assert.equal(book.check(flip(nonce, 5), 1), 'invalid')
    assert.equal(book.check(flip(nonce, 23), 1), 'invalid')
    assert.equal(book.check(flip(nonce, 0), 1), 'invalid')
    assert.equal(book.check('not a nonce', 1), 'invalid')
    assert.equal(book.size, 0)
    assert.equal(book.check(nonce, 1), 'ok')
  })

  test('an nc outside 1..2^32-1 is invalid and not recorded', () => {
    const book = new NonceBook({ secret: SECRET })
    const nonce = book.issue()
    for (const nc of [0, -1, 2 ** 32, 1.5, Number.NaN]) assert.equal(book.check(nonce, nc), 'invalid', String(nc))
    assert.equal(book.size, 0)
  })

  test('a nonce expires after its lifetime', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, lifetimeSeconds: 60, now: time.now })
    const nonce = book.issue()
    time.advance(60_000)
    assert.equal(book.check(nonce, 1), 'ok')
    time.advance(1)
    assert.equal(book.check(nonce, 2), 'stale')
    assert.equal(book.check(nonce, 1), 'stale')
    assert.equal(book.check(book.issue(), 1), 'ok')
  })

  test('expired records are dropped', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, lifetimeSeconds: 60, now: time.now })
    for (let i = 0; i < 50; i++) assert.equal(book.check(book.issue(), 1), 'ok')
    assert.equal(book.size, 50)
    time.advance(61_000)
    assert.equal(book.check(book.issue(), 1), 'ok')
    assert.equal(book.size, 1)
  })

  test('a nonce from the future beyond the skew is stale, within it ok', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, now: time.now })
    const random = Buffer.alloc(8, 7)
    const soon = signNonce(SECRET, T0 / 1000 + NONCE_FUTURE_SKEW_SECONDS, random)
    const later = signNonce(SECRET, T0 / 1000 + NONCE_FUTURE_SKEW_SECONDS + 1, random)
    assert.equal(book.check(soon, 1), 'ok')
    assert.equal(book.check(later, 1), 'stale')
  })

  test('a clock moving backwards cannot revive a dropped record', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, lifetimeSeconds: 60, now: time.now })
    const nonce = book.issue()
    assert.equal(book.check(nonce, 1), 'ok')
    time.advance(61_000)
    assert.equal(book.check(book.issue(), 1), 'ok')
    time.advance(-61_000)
    assert.equal(book.check(nonce, 1), 'stale')
  })

  test('another book with the same secret accepts the nonce; records are per book', () => {
    const first = new NonceBook({ secret: SECRET })
    const second = new NonceBook({ secret: Buffer.from(SECRET) })
    const nonce = first.issue()
    assert.equal(second.check(nonce, 1), 'ok')
    assert.equal(second.check(nonce, 1), 'replay')
    assert.equal(first.check(nonce, 1), 'ok')
  })

  test('a book with another secret refuses the nonce', () => {
    const nonce = new NonceBook({ secret: SECRET }).issue()
    assert.equal(new NonceBook({ secret: 'another secret' }).check(nonce, 1), 'invalid')
  })

  test('eviction keeps size bounded and never lets a replay through', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, maxTracked: 100, now: time.now })
    const first = book.issue()
    assert.equal(book.check(first, 1), 'ok')
    const unused = book.issue()
    time.advance(1000)
    for (let i = 0; i < 1000; i++) {
      assert.equal(book.check(book.issue(), 1), 'ok')
      assert.ok(book.size <= 100)
      if (i % 100 === 0) time.advance(1000)
    }
    assert.equal(book.size, 100)
    assert.equal(book.check(first, 1), 'stale')
    assert.equal(book.check(first, 2), 'stale')
    assert.equal(book.check(unused, 1), 'stale')
    assert.equal(book.check(book.issue(), 1), 'ok')
  })

  test('long churn keeps the newest records exact', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, maxTracked: 50, now: time.now })
    const used: string[] = []
    for (let i = 0; i < 5000; i++) {
      const nonce = book.issue()
      assert.equal(book.check(nonce, 1), 'ok')
      used.push(nonce)
      if (i % 10 === 0) time.advance(1000)
    }
    assert.equal(book.size, 50)
    for (const nonce of used.slice(-50)) assert.equal(book.check(nonce, 1), 'replay')
    for (const nonce of used.slice(-50)) assert.equal(book.check(nonce, 2), 'ok')
    for (const nonce of used.slice(0, -60)) assert.equal(book.check(nonce, 2), 'stale')
  })

  test('records kept after the watermark passed them still answer', () => {
    const time = clock()
    const book = new NonceBook({ secret: SECRET, maxTracked: 2, now: time.now })
    const old = book.issue()
    time.advance(5000)
    const newer = book.issue()
    assert.equal(book.check(newer, 1), 'ok')
    assert.equal(book.check(old, 1), 'ok')
    assert.equal(book.check(book.issue(), 1), 'ok')
    assert.equal(book.size, 2)
    assert.equal(book.check(old, 1), 'replay')
    assert.equal(book.check(old, 2), 'ok')
    assert.equal(book.check(newer, 2), 'stale')
  })

  test('refuses bad options', () => {
    assert.throws(() => new NonceBook({ secret: '' }), RangeError)
    assert.throws(() => new NonceBook({ secret: Buffer.alloc(0) }), RangeError)
    assert.throws(() => new NonceBook({ secret: SECRET, lifetimeSeconds: 0 }), RangeError)
    assert.throws(() => new NonceBook({ secret: SECRET, maxTracked: 0 }), RangeError)
    assert.throws(() => new NonceBook({ secret: SECRET, maxTracked: 1.5 }), RangeError)
  })
})
