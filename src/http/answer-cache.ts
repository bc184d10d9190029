import type { RateScope } from './rate-scope.js'
import { BoundedMap, stringBytes, type Bounds } from '../memory/bounded-map.js'

/**
 * A successful API answer, remembered for the same request by the same caller while nothing it was made
 * from can have changed: the request's identity (method, target, Accept, base URL, client address) and
 * the caller (a bearer token, or a Digest user once its response and nonce were checked), at one version
 * of the store's cache (`CachedStore.cacheVersion`, which changes on any write seen: here, another
 * process's commit on SQLite, a PostgreSQL change notification or the cache's maximum age).
 *
 * What a hit skips is pure at that version: routing, path and query checks, the reads of the project, the
 * cluster and the checkpoint or page, authorization and rendering. What it never skips: authenticating a
 * Digest call (its response, nonce, `nc` and lease are checked on every call), a bearer token's expiry (the
 * entry ends with the token), and the rate limit (taken on every call by the pipeline). Only 200 answers
 * are kept; errors are rare and always made afresh. Hand-written: it is a Map with a version and a bound.
 */
export interface RememberedAnswer {
  /** The store's cache version the answer was made at. */
  readonly version: number
  /**
   * Clock milliseconds after which it is not used: the bearer token's expiry (Infinity for Digest), or
   * sooner the next snapshot expiry where the answer shows restorability (P-N4 moves with the clock).
   */
  readonly until: number
  /** The token bucket the request takes from (rate-scope.ts); undefined where no limit applies. */
  readonly rate: RateScope | undefined
  /** Headers besides Content-Type the answer always carries (a deprecated version's Deprecation and Sunset). */
  readonly headers?: Readonly<Record<string, string>>
  /** Who made the call (public key or client id), for the access log. */
  readonly caller: string
  /** The path without the query, for the rate limit's error. */
  readonly path: string
  readonly contentType: string
  readonly body: string
  /** The body encoded once, as written to the socket. */
  readonly bytes: Buffer
}

/** The request fields an answer depends on, besides the caller. */
export interface AnswerIdentity {
  readonly method: string
  readonly target: string
  readonly accept: string | undefined
  readonly baseUrl: string
  readonly clientAddress: string | undefined
}

/**
 * Answers remembered, and their bytes (key, body text and encoded body all counted: the key holds the
 * target, Accept and Host as the client sent them), before the cache starts over; an answer over a
 * quarter of the bytes is not remembered.
 */
export const ANSWER_CACHE: Bounds = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 }

export class AnswerCache {
  readonly #answers = new BoundedMap<string, RememberedAnswer>(ANSWER_CACHE)

  /**
   * @param version the store cache's version now, or undefined while its caches may not be used (then
   *   nothing is remembered: a PostgreSQL store whose change signal is not trusted).
   * @param now the clock, in milliseconds.
   */
  constructor(
    private readonly version: () => number | undefined,
    private readonly now: () => number,
  ) {}

  /** The key of a request by a caller (`caller`: the bearer header as sent, or `digest:` and the public key). */
  static key(caller: string, request: AnswerIdentity): string {
    return `${caller}\n${request.method}\n${request.target}\n${request.accept ?? ''}\n${request.baseUrl}\n${request.clientAddress ?? ''}`
  }

  /** The version answers made now will carry; undefined when nothing may be remembered. */
  currentVersion(): number | undefined {
    return this.version()
  }

  /** The answer remembered under `key`, if it is still valid. */
  get(key: string): RememberedAnswer | undefined {
    const answer = this.#answers.get(key)
    if (answer === undefined) return undefined
    if (answer.version !== this.version() || this.now() >= answer.until) {
      this.#answers.delete(key)
      return undefined
    }
    return answer
  }

  /** Remembers an answer made from reads that began at `answer.version`, unless the store changed since. */
  set(key: string, answer: RememberedAnswer): void {
    if (answer.version !== this.version()) return
    this.#answers.set(key, answer, stringBytes(answer.body) + answer.bytes.length + (answer.headers ? stringBytes(JSON.stringify(answer.headers)) : 0) + 256)
  }
}
