import { Readable } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../errors.js'
import { DEFAULT_FORMAT } from '../http/query-params.js'
import { renderError } from '../http/render.js'
import { clientGone } from '../http/request-bodies.js'
import { isStoreUnavailable, renderStoreUnavailable, logStoreUnavailable } from '../http/store-unavailable.js'
import { RouteMatcher, safeDecode } from '../http/route-matcher.js'
import { MALFORMED_JSON } from './admin-bodies.js'
import { AdminQuery } from './admin-query.js'
import { adminTokenMatches } from './admin-token.js'

import { ADMIN_PREFIX, adminRoutesTable, BODY_LIMIT, type AdminDeps, type AdminRoute, type Answer } from './admin-route-table.js'

export { ADMIN_PREFIX, adminRoutesTable, type AdminDeps }


/**
 * The admin API (docs/admin-api.md), registered only when an admin token is configured, in its own
 * encapsulated scope under `/_admin`: every request there, known path or not, must first carry
 * `Authorization: Bearer <admin token>` (401 ADMIN_UNAUTHORIZED otherwise). Bodies are JSON whatever their
 * Content-Type says; answers are JSON, errors in the API's error format.
 */
export async function adminRoutes(scope: FastifyInstance, deps: AdminDeps): Promise<void> {
  const routes = adminRoutesTable(deps)
  const matcher = new RouteMatcher(
    routes.map((r) => ({ template: `${ADMIN_PREFIX}${r.path}`, methods: r.method === 'GET' ? ['GET', 'HEAD'] : [r.method], route: r })),
  )

  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => {
    if (String(text).trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(String(text)))
    } catch {
      // Reported where the body is read (bodyObject), after the path and query: the documented order.
      done(null, MALFORMED_JSON)
    }
  })

  scope.addHook('onRequest', async (request, reply) => {
    if (adminTokenMatches(deps.token, request.headers.authorization)) return
    await refuse(reply)
    return reply
  })

  const notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const target = request.raw.url ?? '/'
    const rawPath = target.split('?')[0] ?? '/'
    const path = safeDecode(rawPath) ?? rawPath
    const match = matcher.match(request.method, rawPath)
    if (match.kind === 'method-not-allowed') {
      return sendError(reply.header('allow', match.allow.join(', ')), new ApiError('METHOD_NOT_ALLOWED', [request.method, path]))
    }
    return sendError(reply, new ApiError('RESOURCE_NOT_FOUND', [path]))
  }
  scope.setNotFoundHandler(async (request, reply) => notFound(request, reply))

  scope.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A client that aborted its body, or one answered already (its body's deadline): nothing to answer.
    if (reply.sent || clientGone(request)) {
      request.log.debug({ reason: error.message }, 'request abandoned before its body was read')
      return undefined
    }
    if (error instanceof ApiError) return sendError(reply, error)
    if (isStoreUnavailable(error)) {
      logStoreUnavailable(request.log, error)
      const response = renderStoreUnavailable(DEFAULT_FORMAT)
      return reply.code(response.status).headers(response.headers).send(Buffer.from(response.body))
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, new ApiError('REQUEST_BODY_TOO_LARGE', [request.routeOptions.bodyLimit ?? BODY_LIMIT]))
    }
    // Fastify's other refusals (a Content-Type that is no media type: 415, QUERY without one: 400).
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return sendError(reply, new ApiError('MALFORMED_REQUEST'))
    request.log.error({ err: error }, 'unexpected error in the admin API')
    return sendError(reply, new ApiError('UNEXPECTED_ERROR'))
  })

  const register = (target: FastifyInstance, route: AdminRoute): void => {
    target.route({
      method: route.method,
      url: `/v1${route.path.replace(/\{(\w+)\}/g, ':$1')}`,
      bodyLimit: route.bodyLimit ?? BODY_LIMIT,
      handler: async (request, reply) => {
        const params = request.params as Record<string, string | undefined>
        // The router matches an empty segment as a parameter (`/orgs/`); that path names nothing.
        if (Object.values(params).some((value) => value === '')) return notFound(request, reply)
        const query = new AdminQuery(request.raw.url ?? '')
        const answer = route.streamed
          ? await streamedCall(request, reply, route.bodyLimit ?? BODY_LIMIT, (body) => route.handle({ params, query, body }))
          : await route.handle({ params, query, body: request.body })
        return reply
          .code(answer.status)
          .header('content-type', 'application/json')
          .send(Buffer.from(JSON.stringify(answer.body)))
      },
    })
  }
  for (const route of routes) if (!route.streamed) register(scope, route)
  // Streamed routes live in a scope of their own whose content type parser hands the body over unread.
  await scope.register(async (streaming) => {
    streaming.removeAllContentTypeParsers()
    streaming.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    for (const route of routes) if (route.streamed) register(streaming, route)
  })

  let loading = false
  /** One streamed request at a time; its body as chunks, cut at `limit` bytes (413). */
  async function streamedCall(
    request: FastifyRequest,
    reply: FastifyReply,
    limit: number,
    handle: (body: AsyncIterable<Buffer>) => Promise<Answer>,
  ): Promise<Answer> {
    if (loading) {
      // The body is not read: the connection closes after the answer.
      reply.header('retry-after', String(LOAD_RETRY_AFTER_SECONDS)).header('connection', 'close')
      throw new ApiError('FIXTURE_LOAD_IN_PROGRESS')
    }
    loading = true
    try {
      const source: AsyncIterable<Buffer> = isReadable(request.body) ? request.body : request.raw
      return await handle(limited(source, limit, () => reply.header('connection', 'close')))
    } finally {
      loading = false
    }
  }

}

/** Seconds a refused fixture load is asked to wait: a large one takes seconds to minutes. */
const LOAD_RETRY_AFTER_SECONDS = 5

function isReadable(body: unknown): body is Readable {
  return body instanceof Readable
}

/** The chunks of `source` until `limit` bytes; past it, 413 REQUEST_BODY_TOO_LARGE (and `onOver`). */
async function* limited(source: AsyncIterable<Buffer>, limit: number, onOver: () => void): AsyncGenerator<Buffer> {
  let bytes = 0
  for await (const chunk of source) {
    bytes += chunk.length
    if (bytes > limit) {
      onOver()
      throw new ApiError('REQUEST_BODY_TOO_LARGE', [limit])
    }
    yield chunk
  }
}

/** Whether a request target (path and query) is under `/_admin`, where the admin API answers everything. */
export function isAdminTarget(target: string): boolean {
  return /^\/_admin(?:[/?]|$)/.test(target)
}

/**
 * A URL under `/_admin` that is not valid percent-encoding never reaches the admin scope (the router
 * refuses it first): it gets what any unknown admin path gets, the token check, then 404.
 */
export function answerUndecodableAdminUrl(request: FastifyRequest, reply: FastifyReply, token: string): FastifyReply {
  if (!adminTokenMatches(token, request.headers.authorization)) return refuse(reply)
  const target = request.raw.url ?? '/'
  return sendError(reply, new ApiError('RESOURCE_NOT_FOUND', [target.split('?')[0] ?? target]))
}

function refuse(reply: FastifyReply): FastifyReply {
  return sendError(reply.header('www-authenticate', 'Bearer realm="Waymark admin"'), new ApiError('ADMIN_UNAUTHORIZED'))
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  const response = renderError(error, DEFAULT_FORMAT)
  return reply.code(response.status).headers(response.headers).send(Buffer.from(response.body))
}
