import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { lacksOneHost } from './client-errors.js'
import type { ApiRequest, PipelineLog, PipelineResponse } from './pipeline.js'
import { REQUEST_ID_HEADER } from './request-id.js'

/** What answering an API call directly needs from the app (app.ts). */
export interface DirectApiDeps {
  /** The request as the pipeline sees it, made exactly as for a request that Fastify routed. */
  readonly apiRequest: (raw: IncomingMessage) => ApiRequest
  readonly handle: (request: ApiRequest, log: PipelineLog) => Promise<PipelineResponse>
  /** Where the pipeline's rare warnings and errors go, with the request id as Fastify's request logger has. */
  readonly log: { child(bindings: object): PipelineLog & { debug(details: object, message: string): void } }
  /** The request's id (request-id.ts), answered as `X-Request-Id`, as Fastify's genReqId makes it. */
  readonly requestId: (raw: IncomingMessage) => string
  /**
   * Called once the answer is written, as Fastify's onResponse hook is for its requests (metrics, the
   * access log). `log` makes the request's child logger only when called.
   */
  readonly answered: (
    raw: IncomingMessage,
    response: PipelineResponse,
    ms: number,
    log: () => { debug(details: object, message: string): void },
  ) => void
  /** True once the app is closing: requests then go to Fastify, which answers 503 while it closes. */
  readonly closing: () => boolean
}

/**
 * Serves the checkpoint API's GET and HEAD calls straight from the server's 'request' event, without
 * Fastify's per-request work (its router, request and reply objects, a child logger, hooks, the copy
 * of the body into a Buffer): the pipeline does its own routing and rendering already, so the answer is
 * the same, byte for byte, as through Fastify (test/http/direct-api.test.ts compares them). Everything
 * else goes to Fastify as before: other methods, requests with a body, the OAuth, admin and health
 * routes, and every request while the app closes. Malformed requests never reach either ('clientError').
 *
 * What Fastify's hooks do for its requests (the request id, metrics, the access log) is done here through
 * `requestId` and `answered`.
 */
export function serveApiDirectly(server: Server, deps: DirectApiDeps): void {
  const fastify = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isDirectApiCall(req) && !deps.closing()) {
      answerApiCall(req, res, deps)
      return
    }
    for (const listener of fastify) listener.call(server, req, res)
  })
}

/** GET or HEAD under /api/ (but not /api/oauth/), without a body, and with one Host (none under HTTP/1.0). */
function isDirectApiCall(req: IncomingMessage): boolean {
  const { method, url } = req
  if (method !== 'GET' && method !== 'HEAD') return false
  if (url === undefined || !url.startsWith('/api/') || url.startsWith('/api/oauth')) return false
  // Fastify's onRequest hook answers those without a Host, or with two (app.ts).
  if (lacksOneHost(req)) return false
  const { headers } = req
  return headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')
}

/** One API call: the pipeline's answer, written in one go (headers and body in a single writev). */
export function answerApiCall(req: IncomingMessage, res: ServerResponse, deps: DirectApiDeps): void {
  const started = performance.now()
  const id = deps.requestId(req)
  let log: ReturnType<DirectApiDeps['log']['child']> | undefined
  const requestLog = (): NonNullable<typeof log> => (log ??= deps.log.child({ reqId: id }))
  const pipelineLog: PipelineLog = {
    error: (details, message) => requestLog().error(details, message),
    warn: (details, message) => requestLog().warn(details, message),
  }
  deps.handle(deps.apiRequest(req), pipelineLog).then(
    (response) => {
      writeResponse(res, response, id)
      deps.answered(req, response, performance.now() - started, requestLog)
    },
    (error: unknown) => {
      // The pipeline answers every error itself; this is a bug, answered as Fastify would have.
      pipelineLog.error({ err: error }, 'unexpected error outside the API pipeline')
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0', [REQUEST_ID_HEADER]: id })
      res.end()
    },
  )
}

function writeResponse(res: ServerResponse, response: PipelineResponse, id: string): void {
  const headers: Record<string, string | number> = { ...response.headers }
  const body = response.bytes ?? response.body
  headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length
  headers[REQUEST_ID_HEADER] = id
  res.writeHead(response.status, headers)
  res.end(body)
}
