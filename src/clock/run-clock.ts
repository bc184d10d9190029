import type { ServerClock } from './server-clock.js'

export interface RunningClock {
  /** Stops waking and waits for a catch-up under way to end. */
  stop(): Promise<void>
}

/** Real milliseconds between catch-ups: at least this, so a fast clock does not spin... */
const MIN_DELAY_MS = 10
/** ...and at most this, so changes of the records (a schedule turned on) and the window are seen within a second. */
const MAX_DELAY_MS = 1000

/**
 * Lets the clock's time pass for its participants in the background: a catch-up now, then one at the
 * earliest next event any of them announces (in real time, by the clock's scale), at least once a second.
 * A failing catch-up (the store is away) goes to `onError` and is retried a second later; it never stops
 * the server.
 */
export function runClock(clock: ServerClock, onError: (error: unknown) => void): RunningClock {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const loop = async (): Promise<void> => {
    let delay = MAX_DELAY_MS
    try {
      await clock.catchUp()
      const next = clock.nextEventAt()
      if (next !== undefined) delay = Math.ceil(clock.realDelayUntil(next))
    } catch (error) {
      onError(error)
    }
    if (stopped) return
    timer = setTimeout(() => {
      running = loop()
    }, Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, delay)))
  }
  running = loop()

  return {
    stop: async () => {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
