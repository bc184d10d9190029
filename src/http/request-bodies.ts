import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../errors.js'

/**
 * What a request body may hold of the server (docs/security.md, "Item 3"): the server waits at most
 * `deadlineMs` in all, from the request's arrival, for a declared body (time the route itself is behind
 * reading it does not count), and a connection whose request body has not all
 * arrived when the answer goes out is closed with it. Before, a body that never came held its socket for
 * ever, even after the route had answered (20,000 such sockets exhausted the file descriptors).
 *
 * Two root hooks, so that every scope inherits them (registered before any scope):
 * - `preParsing`: a route that reads the body (OAuth, the admin API) reads it through a stream that fails
 *   with REQUEST_TIMEOUT at the deadline, which the route's error handler answers as any error (408 in the
 *   API's JSON, with the request id, counted and logged like any answer); the connection is then closed.
 * - `onSend`: an answer given while the body is still arriving (an API path or an unknown one, which never
 *   read bodies, an admin path refused for its token, an OAuth call without a form) carries
 *   `Connection: close`, and Node closes the connection once it is written, instead of draining a body
 *   the client may trickle for ever.
 * Node's own `requestTimeout` would do the first, but Fastify sets it to 0, and setting it back does not
 * time a trickled body out on Node 20 (a plain node:http server let one run for 40 s with 1 s).
 */
export function guardRequestBodies(app: FastifyInstance, deadlineMs: number): void {
  app.addHook('preParsing', (request, reply, payload, done) => {
    const raw = request.raw
    if (!bodyPending(raw)) return done(null, payload)
    const left = Math.max(0, deadlineMs - reply.elapsedTime)
    done(null, withDeadline(raw, payload, left, () => reply.sent))
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    const pending = closeIfBodyPending(request, reply)
    if (pending === undefined) done(null, payload)
    else void pending.then(() => done(null, payload))
  })
}

/**
 * Asks for the connection to close with the answer when the request's body is still arriving; the hook
 * above does it for every answer of a route, this for those Fastify gives outside routes (frameworkErrors).
 * An answer made as the headers arrive can come before Node parsed a body that arrived with them (a
 * pipelined request, a small POST in one packet): when the body is not complete yet, this looks again
 * once the bytes at hand are parsed (the promise; undefined when there was nothing to wait for).
 */
export function closeIfBodyPending(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
  const raw = request.raw
  if (!bodyPending(raw)) return undefined
  return new Promise((resolve) =>
    setImmediate(() => {
      if (raw.complete === false) reply.header('connection', 'close')
      resolve()
    }),
  )
}

/** Whether a request announces a body (a Content-Length above 0, or chunks). */
export function declaresBody(raw: IncomingMessage): boolean {
  const { headers } = raw
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
}

/**
 * Whether a request's declared body has not all arrived yet. `complete` is Node's; a request that has no
 * such flag (Fastify's `inject`, which hands the whole payload at once) is complete.
 */
function bodyPending(raw: IncomingMessage): boolean {
  return declaresBody(raw) && raw.complete === false
}

/**
 * Whether the client went away before its request was read (it aborted the body, or the connection was
 * cut): nothing can be answered, and it is not our error (logged at debug at most).
 */
export function clientGone(request: FastifyRequest): boolean {
  const raw = request.raw
  return (raw.destroyed && raw.complete === false) || raw.socket?.destroyed === true
}

/**
 * `payload`'s bytes, failing with REQUEST_TIMEOUT once the server has waited `ms` in all for them, and
 * with the client's own error if it goes away first. Only the time spent waiting for the client counts:
 * while the route does not keep up (a large fixture being written holds its reading back), the clock
 * stops, so that a slow consumer is never blamed on the client. If the route answered meanwhile without
 * reading it all, the connection is cut at the deadline (the answer asked for the close already).
 */
function withDeadline(raw: IncomingMessage, payload: Readable, ms: number, answered: () => boolean): Readable {
  const guarded = new PassThrough()
  // A route that does not read the body (an API path) does not listen for errors; none may go unheard.
  guarded.on('error', () => undefined)
  let left = ms
  let since = 0
  let timer: NodeJS.Timeout | undefined
  const expire = (): void => {
    timer = undefined
    if (raw.complete) return
    if (answered()) {
      raw.socket?.destroy()
      return
    }
    payload.off('data', onData)
    guarded.destroy(new ApiError('REQUEST_TIMEOUT'))
  }
  const waitForClient = (): void => {
    since = performance.now()
    timer = setTimeout(expire, Math.max(0, left))
    timer.unref()
  }
  const stopWaiting = (): void => {
    if (timer === undefined) return
    clearTimeout(timer)
    timer = undefined
    left -= performance.now() - since
  }
  const onData = (chunk: Buffer): void => {
    if (guarded.write(chunk)) return
    // The route is behind: the client is not waited for until it catches up.
    stopWaiting()
    payload.pause()
    guarded.once('drain', () => {
      if (guarded.destroyed) return
      waitForClient()
      payload.resume()
    })
  }
  payload.on('data', onData)
  payload.once('end', () => {
    stopWaiting()
    guarded.end()
  })
  payload.once('error', (error: Error) => {
    stopWaiting()
    guarded.destroy(error)
  })
  raw.once('close', () => {
    stopWaiting()
    if (!raw.complete && !guarded.destroyed) guarded.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
  })
  waitForClient()
  return guarded
}
