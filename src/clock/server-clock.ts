/**
 * The one clock of a server process (docs/producer.md, "The clock"). Everything that reads the time reads
 * it: the producer, the point-in-time window and pruning, token and nonce expiry, the admin API's
 * relative times. It is the wall clock unless told otherwise: started at another time (`serve --clock`),
 * running `scale` times faster (`--time-scale`), frozen, moved forward by the admin API.
 *
 * Things that act as time passes register as {@link TimeDriven}. The live driver (run-clock.ts) brings
 * them up to now at each of their events and at least once a second; a jump (`advanceBy`, `set`) brings
 * them up to the new time before it returns, stepping through the instants any of them must reach one by
 * one, in time order. A catch-up, a jump and any `exclusive` work never overlap.
 */

/** Something that acts as the clock moves: the checkpoint producer today, restore jobs tomorrow. */
export interface TimeDriven {
  /** For logs: `producer`. */
  readonly name: string
  /** Brings its state up to `now` (epoch ms); the clock may have moved any distance since the last call. */
  catchUp(now: number): Promise<void>
  /** When it next has work (epoch ms), as of its last catch-up; undefined: nothing scheduled. */
  nextEventAt(): number | undefined
  /**
   * The next instant a jump must stop at (epoch ms), when what it does then must be seen by the others at
   * that very moment (a job that ends, whose result others act on). A participant whose catch-up over any
   * distance ends exactly where going step by step would (the producer: each checkpoint is a function of
   * the time) leaves this out, so a jump of months costs it one catch-up.
   */
  nextStepAt?(): number | undefined
  /** Records it keeps track of were written by someone else (the admin API's history): read them again. */
  recordsChanged?(clusterId: string): void
}

/** `set` to a time before now. */
export class ClockBackwardsError extends Error {
  override readonly name = 'ClockBackwardsError'
  constructor(
    readonly requested: number,
    readonly now: number,
  ) {
    super(`the clock cannot go back: ${new Date(requested).toISOString()} is before its time now, ${new Date(now).toISOString()}`)
  }
}

export interface ServerClockOptions {
  /** Where it starts (epoch ms); the real time by default. */
  readonly start?: number | undefined
  /** Starts frozen. */
  readonly frozen?: boolean | undefined
  /** Runs this many times faster than real time (`--time-scale`); 1 by default. */
  readonly scale?: number | undefined
  /** The real clock (epoch ms); tests inject one. */
  readonly realNow?: (() => number) | undefined
}

export interface ClockState {
  readonly now: number
  readonly frozen: boolean
}

export class ServerClock {
  readonly scale: number
  readonly #realNow: () => number
  /** The clock's time at the real moment `#anchor`. */
  #base: number
  #anchor: number
  #frozen: boolean
  readonly #participants: TimeDriven[] = []
  /** The tail of the exclusive work queue. */
  #tail: Promise<unknown> = Promise.resolve()

  constructor(options: ServerClockOptions = {}) {
    const scale = options.scale ?? 1
    if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`Invalid time scale ${scale}`)
    this.scale = scale
    this.#realNow = options.realNow ?? Date.now
    this.#anchor = this.#realNow()
    this.#base = options.start ?? this.#anchor
    this.#frozen = options.frozen ?? false
  }

  /** The time now, epoch milliseconds. */
  now(): number {
    if (this.#frozen) return this.#base
    return Math.floor(this.#base + (this.#realNow() - this.#anchor) * this.scale)
  }

  get frozen(): boolean {
    return this.#frozen
  }

  state(): ClockState {
    return { now: this.now(), frozen: this.#frozen }
  }

  /** Stops or restarts the clock where it is. */
  setFrozen(frozen: boolean): void {
    this.#moveTo(this.now())
    this.#frozen = frozen
  }

  /** Adds a participant; the returned function removes it. */
  register(participant: TimeDriven): () => void {
    this.#participants.push(participant)
    return () => {
      const at = this.#participants.indexOf(participant)
      if (at >= 0) this.#participants.splice(at, 1)
    }
  }

  /** Runs `work` when no catch-up, jump or other exclusive work is under way, and none starts until it ends. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work)
    this.#tail = run.catch(() => undefined)
    return run
  }

  /** Brings every participant up to now (the live driver, run-clock.ts). */
  catchUp(): Promise<void> {
    return this.exclusive(() => this.#catchUpAll(this.now()))
  }

  /**
   * Moves the clock forward to `target` (epoch ms), making everything due meanwhile happen first: every
   * participant catches up to the jump's start (seeing the changes made since the last catch-up), the
   * clock stops at each instant a participant must reach one by one (`nextStepAt`), in time order, and
   * every participant catches up there; then at `target`. Never backwards: ClockBackwardsError.
   */
  jumpTo(target: number): Promise<ClockState> {
    return this.#jump(() => target)
  }

  /** Moves the clock forward by `ms` from its time when the move starts (see {@link jumpTo}). */
  advanceBy(ms: number): Promise<ClockState> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`Invalid advance ${ms}`)
    return this.#jump((now) => now + ms)
  }

  #jump(targetOf: (now: number) => number): Promise<ClockState> {
    return this.exclusive(async () => {
      const now = this.now()
      const target = targetOf(now)
      if (target < now) throw new ClockBackwardsError(target, now)
      // Whatever changed since the last catch-up (a cluster created, a history written) is seen now,
      // at the jump's start, not at its end.
      await this.#catchUpAll(now)
      for (let step = this.#nextStep(now, target); step !== undefined; step = this.#nextStep(step, target)) {
        this.#moveTo(step)
        await this.#catchUpAll(step)
      }
      this.#moveTo(target)
      await this.#catchUpAll(target)
      return this.state()
    })
  }

  /** The earliest next event of any participant (epoch ms), for the live driver. */
  nextEventAt(): number | undefined {
    let next: number | undefined
    for (const participant of this.#participants) {
      const at = participant.nextEventAt()
      if (at !== undefined && (next === undefined || at < next)) next = at
    }
    return next
  }

  /** Real milliseconds until the clock shows `at`: Infinity while frozen. */
  realDelayUntil(at: number): number {
    if (this.#frozen) return Infinity
    return (at - this.now()) / this.scale
  }

  /** Tells the participants that records of a cluster were written by someone else. */
  recordsChanged(clusterId: string): void {
    for (const participant of this.#participants) participant.recordsChanged?.(clusterId)
  }

  #moveTo(at: number): void {
    this.#base = at
    this.#anchor = this.#realNow()
  }

  async #catchUpAll(at: number): Promise<void> {
    for (const participant of [...this.#participants]) await participant.catchUp(at)
  }

  /** The earliest instant after `after`, at most `target`, that some participant must stop at. */
  #nextStep(after: number, target: number): number | undefined {
    let next: number | undefined
    for (const participant of this.#participants) {
      const at = participant.nextStepAt?.()
      if (at !== undefined && at > after && at <= target && (next === undefined || at < next)) next = at
    }
    return next
  }
}
