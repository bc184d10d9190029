/**
 * Holds a store's other writes while one long write (a large fixture load, `Store.applyInBatches`) runs
 * on a connection of its own: SQLite lets one writer in at a time, and a write on the main connection
 * would otherwise wait for the lock in better-sqlite3's busy handler, which sleeps on the event loop.
 * Writes wait here, asynchronously, for at most `timeoutMs`; then they fail as a locked database does
 * (SQLITE_BUSY: 503 with Retry-After).
 */
export class WriteGate {
  #held: Promise<void> | undefined

  constructor(private readonly timeoutMs = 5_000) {}

  /** Whether a long write holds the gate now: callers on a hot path check it before awaiting {@link pass}. */
  get held(): boolean {
    return this.#held !== undefined
  }

  /** Resolves when no long write holds the gate (at once, normally); rejects after the timeout. */
  async pass(): Promise<void> {
    const held = this.#held
    if (held === undefined) return
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('database is locked (a large load is writing)'), { code: 'SQLITE_BUSY' })),
        this.timeoutMs,
      )
    })
    try {
      await Promise.race([held, timeout])
    } finally {
      clearTimeout(timer)
    }
    // Another long write may have taken the gate meanwhile.
    return this.pass()
  }

  /** Runs `write` holding the gate, after any long write that holds it now (without a timeout). */
  async hold<T>(write: () => Promise<T>): Promise<T> {
    while (this.#held !== undefined) await this.#held
    let release = (): void => undefined
    this.#held = new Promise<void>((resolve) => (release = resolve))
    try {
      return await write()
    } finally {
      this.#held = undefined
      release()
    }
  }
}
