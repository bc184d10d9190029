/**
 * Gathers the calls made during one event-loop turn and runs them together once the turn's I/O callbacks
 * are done (`setImmediate`): the Digest nonce lease claims of every request read in one turn become one
 * SQLite transaction or one PostgreSQL statement instead of one commit each. Every call still resolves
 * only after its batch was written, so nothing is answered before its claim is stored.
 *
 * `run` answers one result per item, in order; if it fails, every call of the batch fails with its error.
 */
export class TurnBatch<I, R> {
  #pending: Array<{ readonly item: I; readonly resolve: (result: R) => void; readonly reject: (error: unknown) => void }> = []

  constructor(private readonly run: (items: readonly I[]) => readonly R[] | Promise<readonly R[]>) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(this.#flush)
      this.#pending.push({ item, resolve, reject })
    })
  }

  readonly #flush = (): void => {
    const batch = this.#pending
    this.#pending = []
    let results: readonly R[] | Promise<readonly R[]>
    try {
      results = this.run(batch.map((call) => call.item))
    } catch (error) {
      for (const call of batch) call.reject(error)
      return
    }
    const settle = (answers: readonly R[]): void => batch.forEach((call, i) => call.resolve(answers[i] as R))
    if (results instanceof Promise) {
      results.then(settle, (error: unknown) => {
        for (const call of batch) call.reject(error)
      })
    } else {
      settle(results)
    }
  }
}
