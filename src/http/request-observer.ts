import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { callerOf, shortened } from './caller.js'
import type { HttpMetrics } from './metrics.js'
import { REQUEST_ID_HEADER } from './request-id.js'
import { routeLabel, type RouteLabel } from './route-label.js'

export interface ObserverDeps {
  /** Absent when metrics are off. */
  readonly metrics: HttpMetrics | undefined
  /** One `debug` line per answered request (the access log); decided once, from the logger's level. */
  readonly accessLog: boolean
  /** The client's address as access lists see it (X-Forwarded-For only from trusted proxies). */
  readonly clientAddress: (raw: IncomingMessage) => string | undefined
}

/** User agents longer than this are cut in the access log. */
const MAX_USER_AGENT = 256

/**
 * What every request goes through besides its route, in two synchronous hooks:
 * - `onRequest`: the request id (see request-id.ts; Fastify's `genReqId` chose it) goes out as
 *   `X-Request-Id` on every answer, including errors;
 * - `onResponse`, when metrics or the access log are on: counts the answer by route and status, its
 *   latency, the refusals its `X-Error-Code` names (rate limit, store outage, access list, role), and
 *   writes the access-log line. The API pipeline's authentication failures are counted where they are
 *   known (app.ts), the metrics token's by its route.
 * Registered on the root instance before any scope, so every route, scope and the not-found handler
 * inherit them. Requests Fastify answers outside every route (its `frameworkErrors`: undecodable URLs)
 * run no hook: the returned function does the same for them, on the answer's `finish`.
 */
export function observeRequests(app: FastifyInstance, deps: ObserverDeps): (request: FastifyRequest, reply: FastifyReply) => void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    done()
  })
  const { metrics, accessLog } = deps
  const observe = (request: FastifyRequest, reply: FastifyReply, ms: number): void =>
    recordAnswer(deps, {
      method: request.method,
      target: request.raw.url ?? '/',
      status: reply.statusCode,
      errorCode: reply.getHeader('x-error-code'),
      ms,
      log: request.log,
      raw: request.raw,
    })
  if (metrics !== undefined || accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      observe(request, reply, reply.elapsedTime)
      done()
    })
  }
  return (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    if (metrics === undefined && !accessLog) return
    // Fastify keeps no start time for these: measured from here.
    const started = performance.now()
    reply.raw.once('finish', () => observe(request, reply, performance.now() - started))
  }
}

/** An answered request, as the metrics and the access log see it. */
export interface AnsweredRequest {
  readonly method: string
  readonly target: string
  readonly status: number
  /** The answer's `X-Error-Code` header, when it has one. */
  readonly errorCode: unknown
  /** Milliseconds from the request's arrival to its answer. */
  readonly ms: number
  readonly log: { debug(details: object, message: string): void }
  /** The request, for the access log's client address, caller and user agent. */
  readonly raw: IncomingMessage
  /** Who the credentials named, when the answer says (the API pipeline's); else what was noted on `raw`. */
  readonly caller?: string | undefined
}

/**
 * Counts an answer by route and status with its latency, the refusals its `X-Error-Code` names, and
 * writes its access-log line. Shared by Fastify's hooks and the API calls answered directly (direct-api.ts).
 */
export function recordAnswer(deps: ObserverDeps, answer: AnsweredRequest): void {
  const { metrics, accessLog } = deps
  const { status, errorCode, target, ms } = answer
  const route = routeLabel(target, errorCode)
  if (metrics !== undefined) {
    metrics.request(route, status, ms / 1000)
    if (status >= 400) countRefusal(metrics, route, status, errorCode)
  }
  if (accessLog) {
    const { raw } = answer
    const caller = answer.caller !== undefined ? shortened(answer.caller) : callerOf(raw)
    const userAgent = shortened(raw.headers['user-agent'], MAX_USER_AGENT)
    answer.log.debug(
      {
        method: answer.method,
        url: loggedUrl(route, target),
        route,
        status,
        ms: Math.round(ms * 100) / 100,
        ...(typeof errorCode === 'string' ? { errorCode } : {}),
        clientAddress: deps.clientAddress(raw),
        ...(caller !== undefined ? { caller } : {}),
        ...(userAgent !== undefined ? { userAgent } : {}),
      },
      'request',
    )
  }
}

function countRefusal(metrics: HttpMetrics, route: RouteLabel, status: number, errorCode: unknown): void {
  switch (errorCode) {
    case 'RATE_LIMITED_TOKEN_BUCKET':
      return metrics.rateLimited()
    case 'SERVICE_UNAVAILABLE':
      return metrics.storeUnavailable()
    case 'IP_ADDRESS_NOT_ON_ACCESS_LIST':
      return metrics.authFailure('access_list')
    case 'USER_UNAUTHORIZED':
      return metrics.authFailure('role')
    case 'ADMIN_UNAUTHORIZED':
      return metrics.authFailure('admin_token')
  }
  if (status === 503 && route === 'health') return metrics.storeUnavailable()
  if (status === 401 && (route === 'oauth_token' || route === 'oauth_revoke')) return metrics.authFailure('invalid_client')
}

/**
 * The URL the access log shows: only the path, except on the API's routes (checkpoints, discovery, legacy backup), where the documented
 * query parameters (paging and format: harmless, and what an operator wants to see) keep their values and
 * every other parameter is shown as `name=[redacted]`: a careless client may put a secret in a query
 * (`?access_token=`, `?client_secret=`, `?password=`…), and no list of secret-looking names is complete.
 */
export function loggedUrl(route: RouteLabel, target: string): string {
  const at = target.indexOf('?')
  if (at === -1) return target
  if (!route.startsWith('atlas_') && !route.startsWith('ops_manager_')) return target.slice(0, at)
  const shown = target
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=')
      const name = equals === -1 ? pair : pair.slice(0, equals)
      if (DOCUMENTED_PARAMETERS.has(name)) return pair
      // A bare value (`?eyJhbGci…`) may be the secret itself.
      return equals === -1 ? REDACTED : `${name}=${REDACTED}`
    })
  return `${target.slice(0, at)}?${shown.join('&')}`
}

/** The query parameters of the API's routes (http/query-params.ts, http/discovery-handler.ts, the legacy backup handlers). */
const DOCUMENTED_PARAMETERS: ReadonlySet<string> = new Set(['pageNum', 'itemsPerPage', 'includeCount', 'pretty', 'envelope', 'name', 'includeDeletedWithRetainedBackups', 'completed', 'batchId'])
const REDACTED = '[redacted]'
