import type { FastifyInstance } from 'fastify'

/** How often idle keep-alive connections are closed while requests in flight finish. */
const IDLE_SWEEP_MS = 20

export interface HttpShutdown {
  /** Resolves when every connection is closed: how many the deadline (or `hurry`) had to cut. */
  readonly done: Promise<{ readonly forcedConnections: number }>
  /** Closes the remaining connections now instead of at the deadline (a second signal). */
  hurry(): void
}

/**
 * Stops a listening Fastify app the way an operator expects on SIGTERM:
 * 1. stop accepting: the listening socket closes at once, idle keep-alive connections are closed;
 * 2. requests in flight run to the end of their answer. A connection that goes idle afterwards is closed
 *    within IDLE_SWEEP_MS (Node closes idle connections only once, when the server starts closing, and a
 *    kept-alive connection would otherwise hold the server open for its keep-alive timeout); a request
 *    arriving meanwhile on an open connection is answered with `Connection: close`;
 * 3. at the deadline, whatever connections remain are closed (their clients see the connection drop).
 */
export function shutdownHttp(app: FastifyInstance, deadlineMs: number): HttpShutdown {
  const server = app.server
  let forcedConnections = 0
  let forced = false
  const force = (): void => {
    if (forced) return
    forced = true
    server.getConnections((error, count) => {
      if (!error) forcedConnections = count
      server.closeAllConnections()
    })
  }
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
  const deadline = setTimeout(force, deadlineMs)
  const done = app.close().then(
    () => ({ forcedConnections }),
  ).finally(() => {
    clearInterval(sweep)
    clearTimeout(deadline)
  })
  return { done, hurry: force }
}
