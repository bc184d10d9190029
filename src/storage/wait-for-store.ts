import { openStore, type OpenStoreOptions } from './open-store.js'
import type { Store } from './store.js'
import { StoreUnavailableError } from './store-errors.js'

/** The first pause between attempts; each next one doubles, up to {@link MAX_PAUSE_MS}. */
const FIRST_PAUSE_MS = 250
const MAX_PAUSE_MS = 5_000

export interface FailedAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number
  /** Why it failed: the StoreUnavailableError's one-line message. */
  readonly reason: string
  /** The pause before the next attempt. */
  readonly retryInMs: number
  /** What is left of the wait once that pause is over. */
  readonly leftMs: number
}

export interface WaitOptions extends OpenStoreOptions {
  /** How long to keep trying, from the first attempt; 0: one attempt. */
  readonly waitMs: number
  /** Called after each failed attempt that will be followed by another (one line per attempt). */
  readonly onRetry?: (failed: FailedAttempt) => void
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

/**
 * `serve --wait-for-store SECONDS`: opens the store, trying again with a growing pause (0.25 s doubling to
 * 5 s) while it cannot be reached (a StoreUnavailableError: refused, reset, timed out, starting up), for
 * as long as the containers or units that start the database with Waymark need. Any other failure (a bad
 * URL, a wrong password, a schema refused) is final at once, as is the last attempt's failure.
 */
export async function openStoreWaiting(url: string, options: WaitOptions): Promise<Store> {
  const now = options.now ?? (() => performance.now())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const open: OpenStoreOptions = {
    ...(options.migrate !== undefined ? { migrate: options.migrate } : {}),
    ...(options.serving !== undefined ? { serving: options.serving } : {}),
  }
  const deadline = now() + options.waitMs
  let pause = FIRST_PAUSE_MS
  for (let attempt = 1; ; attempt++) {
    try {
      return await openStore(url, open)
    } catch (error) {
      const left = deadline - now()
      if (!(error instanceof StoreUnavailableError) || left <= 0) throw error
      const retryInMs = Math.min(pause, left)
      options.onRetry?.({ attempt, reason: error.message, retryInMs, leftMs: left - retryInMs })
      await sleep(retryInMs)
      pause = Math.min(pause * 2, MAX_PAUSE_MS)
    }
  }
}
