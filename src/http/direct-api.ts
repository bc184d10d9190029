import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { ApiRequest, PipelineLog } from './pipeline.js'
import type { ApiResponse } from './render.js'

/** What answering an API call directly needs from the app (app.ts). */
export interface DirectApiDeps {
  /** The request as the pipeline sees it, made exactly as for a request that Fastify routed. */
  readonly apiRequest: (raw: IncomingMessage) => ApiRequest
  readonly handle: (request: ApiRequest, log: PipelineLog) => Promise<ApiResponse>
  /** Where the pipeline's rare warnings and errors go, with a request id as Fastify's request logger has. */
  readonly log: { child(bindings: object): PipelineLog }
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
 * Per-request hooks (metrics, request ids) must be attached in {@link answerApiCall} as well as in Fastify.
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

/** GET or HEAD under /api/ (but not /api/oauth/), without a body. */
function isDirectApiCall(req: IncomingMessage): boolean {
  const { method, url } = req
  if (method !== 'GET' && method !== 'HEAD') return false
  if (url === undefined || !url.startsWith('/api/') || url.startsWith('/api/oauth')) return false
  const { headers } = req
  return headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')
}

let requestCount = 0

/** One API call: the pipeline's answer, written in one go (headers and body in a single writev). */
export function answerApiCall(req: IncomingMessage, res: ServerResponse, deps: DirectApiDeps): void {
  let log: PipelineLog | undefined
  const requestLog: PipelineLog = {
    error: (details, message) => (log ??= deps.log.child({ reqId: `direct-${(++requestCount).toString(36)}` })).error(details, message),
    warn: (details, message) => (log ??= deps.log.child({ reqId: `direct-${(++requestCount).toString(36)}` })).warn(details, message),
  }
  deps.handle(deps.apiRequest(req), requestLog).then(
    (response) => writeResponse(res, response),
    (error: unknown) => {
      // The pipeline answers every error itself; this is a bug, answered as Fastify would have.
      requestLog.error({ err: error }, 'unexpected error outside the API pipeline')
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' })
      res.end()
    },
  )
}

function writeResponse(res: ServerResponse, response: ApiResponse): void {
  const headers: Record<string, string | number> = { ...response.headers }
  headers['content-length'] = Buffer.byteLength(response.body)
  res.writeHead(response.status, headers)
  res.end(response.body)
}
