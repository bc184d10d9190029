/**
 * When a store next drops expired records (Digest nonce leases): at most once per interval, from the
 * request path itself, so no timer keeps a process alive and an idle store does no work.
 */
export class PruneSchedule {
  #next = 0

  constructor(private readonly intervalSeconds = 30) {}

  /** True at most once per interval; the caller then prunes. */
  due(nowSeconds: number): boolean {
    if (nowSeconds < this.#next) return false
    this.#next = nowSeconds + this.intervalSeconds
    return true
  }
}
