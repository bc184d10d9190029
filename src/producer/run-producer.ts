import type { CheckpointProducer } from './checkpoint-producer.js'

/** Where the running producer reports a failed tick; a pino logger fits. */
export interface RunLog {
  error(fields: object, message: string): void
}

export interface RunOptions {
  /** The producer's clock runs this many times faster than real time (its `now` must be scaled alike). */
  readonly timeScale: number
  /** The producer's clock, epoch ms, to turn its next event into a real delay. */
  readonly now: () => number
  readonly log: RunLog
}

export interface RunningProducer {
  /** Stops ticking and waits for a tick under way to end. */
  stop(): Promise<void>
}

/** Real milliseconds between ticks: at least this, so a fast time scale does not spin... */
const MIN_DELAY_MS = 10
/** ...and at most this, so schedule changes, the window and pruning are seen within a second. */
const MAX_DELAY_MS = 1000

/**
 * Runs the producer in the background: a tick now, then one at each next event (a checkpoint recorded,
 * a token discovered, a completion), at least once a second. A failing tick (the store is away) is
 * logged and retried a second later; it never stops the producer or the server.
 */
export function runProducer(producer: CheckpointProducer, options: RunOptions): RunningProducer {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const loop = async (): Promise<void> => {
    let delay = MAX_DELAY_MS
    try {
      await producer.tick()
      const next = producer.nextEventAt()
      if (next !== undefined) delay = Math.ceil((next - options.now()) / options.timeScale)
    } catch (error) {
      options.log.error({ err: error }, 'checkpoint producer: the tick failed; retrying')
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
