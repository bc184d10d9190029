import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { MAX_NC, NcWindow } from './nonce-window.js'

/** Every nonce is exactly this many characters of standard base64 (24 bytes, no padding). */
export const NONCE_LENGTH = 32

/** How far in the future (by this server's clock) a nonce's issue time may be: clock skew between servers. */
export const NONCE_FUTURE_SKEW_SECONDS = 5

const SIGNED_BYTES = 12
const MAC_BYTES = 12
const RANDOM_BYTES = 8
const NONCE_SYNTAX = /^[A-Za-z0-9+/]{32}$/

/** The key of a nonce signature: raw bytes, text (encoded as UTF-8) or a prepared KeyObject. */
export type NonceSecret = string | Buffer | KeyObject

function mac(secret: NonceSecret, signed: Buffer): Buffer {
  return createHmac('sha256', secret).update(signed).digest().subarray(0, MAC_BYTES)
}

/**
 * Makes a signed nonce: 4 bytes issue time (seconds since the epoch, big endian), 8 random bytes, then
 * the first 12 bytes of HMAC-SHA256(secret, those 12 bytes); 32 characters of base64. Pure, for tests
 * and for {@link NonceBook.issue}.
 */
export function signNonce(secret: NonceSecret, issuedAtSeconds: number, random: Buffer): string {
  if (!Number.isInteger(issuedAtSeconds) || issuedAtSeconds < 0 || issuedAtSeconds > 0xffffffff) {
    throw new RangeError('A nonce issue time is a whole number of seconds in 0..2^32-1')
  }
  if (random.length !== RANDOM_BYTES) throw new RangeError(`A nonce takes ${RANDOM_BYTES} random bytes`)
  const bytes = Buffer.alloc(SIGNED_BYTES + MAC_BYTES)
  bytes.writeUInt32BE(issuedAtSeconds, 0)
  random.copy(bytes, 4)
  mac(secret, bytes.subarray(0, SIGNED_BYTES)).copy(bytes, SIGNED_BYTES)
  return bytes.toString('base64')
}

/**
 * The issue time (seconds since the epoch) of a nonce made by {@link signNonce} with this secret, or
 * undefined if it is malformed or its signature does not match (compared in constant time). Pure: says
 * nothing about age or replay.
 */
export function readSignedNonce(nonce: string, secret: NonceSecret): number | undefined {
  if (typeof nonce !== 'string' || nonce.length !== NONCE_LENGTH || !NONCE_SYNTAX.test(nonce)) return undefined
  const bytes = Buffer.from(nonce, 'base64')
  if (bytes.length !== SIGNED_BYTES + MAC_BYTES) return undefined
  const expected = mac(secret, bytes.subarray(0, SIGNED_BYTES))
  if (!timingSafeEqual(expected, bytes.subarray(SIGNED_BYTES))) return undefined
  return bytes.readUInt32BE(0)
}

/**
 * Whether this process holds a tracked nonce's lease: `held`, `elsewhere` (another process does),
 * `unclaimed` (its claim failed; the next use claims again) or the claim under way.
 */
type Lease = 'held' | 'elsewhere' | 'unclaimed' | Promise<boolean>

/** The replay record of one nonce used in this process. */
interface NonceRecord {
  readonly window: NcWindow
  readonly issuedAt: number
  lease: Lease
}

export interface NonceBookOptions {
  /** The signing key, shared by every server process; at least 32 random bytes are advised. */
  readonly secret: string | Buffer
  /** How long a nonce stays usable, in seconds. Default 300. */
  readonly lifetimeSeconds?: number
  /** At most this many nonces keep a replay record. Default 100 000. */
  readonly maxTracked?: number
  /** The clock, in milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number
  /**
   * Claims a nonce's lease in the store shared by every server process (`Store.claimNonceLease`): true if
   * `owner` holds it. Without it the book answers for this process alone (every lease is its own).
   */
  readonly claimLease?: (nonce: string, owner: string, expiresAtSeconds: number) => Promise<boolean>
  /** This process's id as a lease owner. Default 16 random bytes, base64url. */
  readonly owner?: string
  /**
   * Asked before a lease is claimed for `claimer` (the caller {@link NonceBook.check} names): false
   * answers `limited` and claims (writes) nothing. Waymark's per-caller rate limit (http/pipeline.ts),
   * so that a caller flooding fresh nonces cannot write lease rows without bound.
   */
  readonly mayClaim?: (claimer: string) => boolean
}

/**
 * The outcome of {@link NonceBook.check}:
 * - `ok`: signed by this secret, fresh, and this nc was not used with it before (now recorded);
 * - `stale`: signed, but expired, dated in the future, or no longer tracked: the client should retry
 *   with a fresh nonce (challenge with `stale=true`);
 * - `elsewhere`: signed and fresh, but another process holds its lease: answered as `stale`;
 * - `invalid`: not a nonce of this secret, or an nc outside 1..2^32-1;
 * - `replay`: this nc was already used with this nonce, or is too far behind the highest one used;
 * - `limited`: the nonce needs a lease claimed, and `mayClaim` refused it to this claimer (nothing kept).
 */
export type NonceCheck = 'ok' | 'stale' | 'elsewhere' | 'invalid' | 'replay' | 'limited'

/**
 * Issues Digest nonces and checks their use, with bounded memory.
 *
 * Nonces are self-describing and signed (see {@link signNonce}), so issuing one stores nothing: a client
 * that asks for a challenge on every request (the Go digest library does) costs no memory. A nonce gets
 * a replay record (an {@link NcWindow}) on its first accepted use; records are kept in first-use order,
 * at most `maxTracked` of them. Expired records are dropped lazily from the oldest end; when the book is
 * full the oldest record is evicted. Either way the dropped nonce's issue time raises a watermark: a
 * nonce issued at or before the watermark that has no record answers `stale`, never `ok`, so neither
 * eviction nor a clock moving backwards can let a replay through. Size `maxTracked` for the peak rate
 * of first uses times the lifetime, or eviction will answer `stale` to recent unused nonces.
 *
 * Any book with the same secret accepts the nonces of another (several server processes share the
 * secret), but replay records are per book, hence per process. So that a request replayed to another
 * process is refused too, a nonce is leased: on its first use here the book claims it in the store for
 * this book's random `owner` (`claimLease`, one write per nonce), and answers only once the lease is
 * stored. While this book holds the lease, every further nc is checked against the record alone (no
 * write); a nonce leased by another book answers `elsewhere`, which the client is told as it is told
 * of an expired nonce (`stale=true`), and it takes a fresh nonce. Only the holder can accept a nonce,
 * so each nc is accepted at most once on any instance. A failed claim (store unreachable) rejects the
 * check, and the next use of the nonce claims again.
 *
 * Call {@link check} only after the request's Digest response has been verified against the nonce, so
 * that a caller without the key cannot use up someone else's nonce counts.
 */
export class NonceBook {
  readonly #key: KeyObject
  readonly #lifetimeMs: number
  readonly #maxTracked: number
  readonly #now: () => number
  readonly #records = new Map<string, NonceRecord>()
  readonly #claimLease: ((nonce: string, owner: string, expiresAtSeconds: number) => Promise<boolean>) | undefined
  readonly #mayClaim: ((claimer: string) => boolean) | undefined
  /** This book's id as a lease owner (`Store.claimNonceLease`). */
  readonly owner: string
  /**
   * The tracked nonces in first-use order, with their issue times: a queue whose live part starts at
   * #head. Kept beside the map because deleting from the front of a V8 Map leaves holes that every new
   * iterator walks over, which makes front eviction cost grow with the map.
   */
  #order: string[] = []
  #issued: number[] = []
  #head = 0
  /** Issue time (seconds) of the newest nonce whose record was dropped; -1 while none was. */
  #evictedUpTo = -1
  #pool = Buffer.alloc(0)
  #poolAt = 0

  constructor(options: NonceBookOptions) {
    const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret
    if (secret.length === 0) throw new RangeError('The nonce secret must not be empty')
    const lifetimeSeconds = options.lifetimeSeconds ?? 300
    if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1) {
      throw new RangeError('lifetimeSeconds must be a positive integer')
    }
    const maxTracked = options.maxTracked ?? 100_000
    if (!Number.isInteger(maxTracked) || maxTracked < 1) throw new RangeError('maxTracked must be a positive integer')
    this.#key = createSecretKey(Buffer.from(secret))
    this.#lifetimeMs = lifetimeSeconds * 1000
    this.#maxTracked = maxTracked
    this.#now = options.now ?? Date.now
    this.#claimLease = options.claimLease
    this.#mayClaim = options.claimLease === undefined ? undefined : options.mayClaim
    this.owner = options.owner ?? randomBytes(16).toString('base64url')
  }

  /** How many nonces currently have a replay record (at most maxTracked). */
  get size(): number {
    return this.#records.size
  }

  /**
   * Epoch seconds after which no nonce issued up to now is accepted any more: how long a replay record
   * made now must be kept.
   */
  usableUntil(): number {
    return Math.ceil((this.#now() + this.#lifetimeMs) / 1000) + NONCE_FUTURE_SKEW_SECONDS
  }

  /** A new nonce, signed and dated now. Stores nothing. */
  issue(): string {
    if (this.#poolAt + RANDOM_BYTES > this.#pool.length) {
      this.#pool = randomBytes(RANDOM_BYTES * 512)
      this.#poolAt = 0
    }
    const random = this.#pool.subarray(this.#poolAt, this.#poolAt + RANDOM_BYTES)
    this.#poolAt += RANDOM_BYTES
    return signNonce(this.#key, Math.floor(this.#now() / 1000), random)
  }

  /**
   * Checks one use of `nonce` with nonce count `nc` (the value of its 8 hex digits) and, when the answer
   * is `ok`, records it. See {@link NonceCheck}. Answers at once when the lease is known (always, without
   * `claimLease`), else a promise settled once the lease is claimed; it rejects if the claim fails.
   */
  check(nonce: string, nc: number, claimer?: string): NonceCheck | Promise<NonceCheck> {
    // A tracked nonce had its signature checked on its first use: its record keeps the issue time.
    const tracked = this.#records.get(nonce)
    const issuedAt = tracked !== undefined ? tracked.issuedAt : readSignedNonce(nonce, this.#key)
    if (issuedAt === undefined) return 'invalid'
    if (!Number.isInteger(nc) || nc < 1 || nc > MAX_NC) return 'invalid'
    const now = this.#now()
    this.#dropExpired(now)
    if (this.#isExpired(issuedAt, now) || issuedAt * 1000 - now > NONCE_FUTURE_SKEW_SECONDS * 1000) return 'stale'

    let record = this.#records.get(nonce)
    if (record === undefined) {
      if (issuedAt <= this.#evictedUpTo) return 'stale'
      if (!this.#admits(claimer)) return 'limited'
      while (this.#records.size >= this.#maxTracked) this.#dropOldest()
      record = { window: new NcWindow(), issuedAt, lease: this.#claimLease === undefined ? 'held' : 'unclaimed' }
      this.#records.set(nonce, record)
      this.#order.push(nonce)
      this.#issued.push(issuedAt)
    }
    const lease = record.lease
    if (lease === 'elsewhere') return 'elsewhere'
    if (lease === 'unclaimed' && !this.#admits(claimer)) return 'limited'
    if (!record.window.accept(nc)) return 'replay'
    if (lease === 'held') return 'ok'
    return (lease === 'unclaimed' ? this.#claim(nonce, record) : lease).then((held) => (held ? 'ok' : 'elsewhere'))
  }

  /**
   * Claims the lease of a nonce first used here; concurrent uses wait for the same claim. If the claim
   * fails, the record forgets it, so that the next use claims again.
   */
  #claim(nonce: string, record: NonceRecord): Promise<boolean> {
    const claim = this.#claimLease
    if (claim === undefined) return Promise.resolve(true)
    const pending: Promise<boolean> = claim(nonce, this.owner, this.usableUntil()).then(
      (held) => {
        if (record.lease === pending) record.lease = held ? 'held' : 'elsewhere'
        return held
      },
      (error: unknown) => {
        if (record.lease === pending) record.lease = 'unclaimed'
        throw error
      },
    )
    record.lease = pending
    return pending
  }

  /** Whether a lease may be claimed for `claimer` (always, without `mayClaim` or a claimer). */
  #admits(claimer: string | undefined): boolean {
    return this.#mayClaim === undefined || claimer === undefined || this.#mayClaim(claimer)
  }

  #isExpired(issuedAt: number, now: number): boolean {
    return now - issuedAt * 1000 > this.#lifetimeMs
  }

  /**
   * Drops expired records from the oldest end, up to the first one still valid. First use follows issue
   * closely but not exactly, so an expired record behind a valid one waits for its turn (at most one
   * lifetime longer) or for eviction; either way it counts towards maxTracked and memory stays bounded.
   */
  #dropExpired(now: number): void {
    while (this.#head < this.#order.length && this.#isExpired(this.#issued[this.#head] ?? 0, now)) {
      this.#dropOldest()
    }
  }

  #dropOldest(): void {
    const nonce = this.#order[this.#head]
    const issuedAt = this.#issued[this.#head]
    if (nonce === undefined || issuedAt === undefined) return
    this.#records.delete(nonce)
    if (issuedAt > this.#evictedUpTo) this.#evictedUpTo = issuedAt
    this.#head++
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#issued = this.#issued.slice(this.#head)
      this.#head = 0
    }
  }
}
