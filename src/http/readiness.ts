/**
 * What `/readyz` knows besides the store: whether anything has asked it since the start (a load balancer
 * or orchestrator routing by it), and whether the instance is draining (SIGTERM received: `/readyz`
 * answers 503 at once while requests are still served, so that the balancer takes it out of rotation
 * before it stops accepting; docs/operations.md).
 */
export class Readiness {
  #asked = false
  #draining = false

  /** Whether `/readyz` was asked at least once. */
  get asked(): boolean {
    return this.#asked
  }

  get draining(): boolean {
    return this.#draining
  }

  noteAsked(): void {
    this.#asked = true
  }

  startDraining(): void {
    this.#draining = true
  }
}
