import { LegacyBackupHandler } from './http/legacy-backup-handler.js'
import { LegacyBackupService } from './domain/legacy-backup/snapshot-service.js'
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { AccessList, clientAddress } from './auth/access-list.js'
import { Authenticator, type AuthFailure } from './auth/authenticate.js'
import { ServerClock } from './clock/server-clock.js'
import { NonceBook } from './auth/nonces.js'
import type { Config } from './config.js'
import { DIALECTS } from './dialects/all-dialects.js'
import { CheckpointService } from './domain/checkpoint-service.js'
import { DiscoveryService } from './domain/discovery-service.js'
import { DiscoveryHandler } from './http/discovery-handler.js'
import { RestoreService } from './domain/legacy-backup/restore-service.js'
import { RestoreJobHandler } from './http/restore-job-handler.js'
import { restoreDownloadRoutes } from './http/restore-download-routes.js'
import { discoveryLimiters } from './http/rate-scope.js'
import { answerClientError, lacksOneHost, MAX_HEADER_BYTES, takeOverNodeRefusals } from './http/client-errors.js'
import { AUTH_FAILURE_KIND } from './http/auth-failure-kind.js'
import { healthRoutes } from './http/health-routes.js'
import type { Readiness } from './http/readiness.js'
import { HttpMetrics } from './http/metrics.js'
import { metricsRoutes } from './http/metrics-routes.js'
import { oauthRoutes } from './http/oauth-routes.js'
import { serveApiDirectly } from './http/direct-api.js'
import { AnswerCache } from './http/answer-cache.js'
import { ApiPipeline, type ApiRequest } from './http/pipeline.js'
import { TokenBucketLimiter } from './http/rate-limiter.js'
import { DEFAULT_FORMAT, lenientFormat } from './http/query-params.js'
import { noteCaller } from './http/caller.js'
import { capConnections } from './http/connection-cap.js'
import { clientGone, closeIfBodyPending, guardRequestBodies } from './http/request-bodies.js'
import { observeRequests, recordAnswer } from './http/request-observer.js'
import { REQUEST_ID_HEADER, requestId } from './http/request-id.js'
import { renderError, type ApiResponse } from './http/render.js'
import { isStoreUnavailable, renderStoreUnavailable, logStoreUnavailable } from './http/store-unavailable.js'
import { ApiError } from './errors.js'
import { CachedStore, freshReads } from './storage/cached-store.js'
import type { Store } from './storage/store.js'

export interface AppDeps {
  readonly config: Config
  readonly store: Store
  /** A pino logger; omitted, the app logs nothing (tests). */
  readonly logger?: FastifyBaseLogger
  /** The server's clock (server.ts makes it from the config); omitted, one over `now`. */
  readonly clock?: ServerClock
  /** The real clock under a clock made here, in milliseconds (tests inject one). */
  readonly now?: () => number
  /** PEM certificate and key: the app then serves HTTPS. */
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer }
  /** The metrics `/metrics` serves; omitted, the app makes its own (without process metrics) when the config has metrics on. */
  readonly metrics?: HttpMetrics
  /** One `debug` line per answered request (docs/operations.md); off when omitted. */
  readonly accessLog?: boolean
  /** What /readyz says while the server drains before it stops (server.ts); omitted: never draining. */
  readonly readiness?: Readiness
  /** The built console's directory (dist/console/); omitted, found beside this module (console/console-assets.ts). */
  readonly consoleDir?: string
}

/** Secrets kept in the store, so every instance on it accepts the others' nonces and tokens. */
const NONCE_SECRET = 'digest-nonce-hmac'
const TOKEN_SECRET = 'oauth-token-hmac'
/** Access tokens are valid for one hour, as the real service's. */
const TOKEN_LIFETIME_SECONDS = 3600
/** How long /readyz waits for the store's answer. */
const READY_TIMEOUT_MS = 2_000

/**
 * Builds the HTTP application over injected dependencies. It never listens (see server.ts), so tests
 * call it through `app.inject()` or listen on port 0 themselves.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps
  // Everything here reads the one clock: nonces, tokens, remembered answers, the admin API's dates.
  const realNow = deps.now ?? Date.now
  const clock = deps.clock ?? new ServerClock({ realNow })
  const now = (): number => clock.now()
  const newSecret = (): string => randomBytes(32).toString('base64')
  // Per caller as well as per project, as Atlas limits: taken by the calls refused after authentication,
  // and asked before a fresh nonce's lease is written (docs/security.md, item 6).
  const callerLimiter = config.rateLimit && new TokenBucketLimiter({ ...config.rateLimit, now: realNow })
  const nonces = new NonceBook({
    ...(callerLimiter ? { mayClaim: (caller: string) => callerLimiter.peek(caller).allowed } : {}),
    secret: await store.getOrCreateSecret(NONCE_SECRET, newSecret),
    lifetimeSeconds: config.nonceLifetimeSeconds,
    now,
    claimLease: (nonce, owner, expiresAtSeconds) => store.claimNonceLease(nonce, owner, expiresAtSeconds),
  })
  const tokenSecret = await store.getOrCreateSecret(TOKEN_SECRET, newSecret)
  const checkpoints = new CheckpointService(store, now)
  const restores = new RestoreService(store, now, config.restoreJobs)
  const legacy = new LegacyBackupHandler({ checkpoints, legacy: new LegacyBackupService(store, now) })
  const pipeline = new ApiPipeline({
    dialects: DIALECTS,
    authenticator: new Authenticator({ store, nonces, tokenSecret, now }),
    service: checkpoints,
    legacy,
    // The rate limits are about real load: they refill in real time, also while the clock is frozen or jumps.
    limiter: config.rateLimit && new TokenBucketLimiter({ ...config.rateLimit, now: realNow }),
    discovery: new DiscoveryHandler({
      discovery: new DiscoveryService(store, checkpoints),
      connectionDomain: config.connectionDomain,
      enforceSunset: config.enforceSunset,
      now,
    }),
    discoveryLimiters: config.discoveryRateLimits && discoveryLimiters(config.discoveryRateLimits, realNow),
    callerLimiter,
    restoreJobs: new RestoreJobHandler(checkpoints, restores),
    answers: new AnswerCache(() => (store instanceof CachedStore ? store.cacheVersion() : undefined), now),
  })
  // Imported only when there is an admin token: its modules (the OpenAPI document above all) cost start-up time.
  const admin = config.adminToken !== undefined ? await import('./admin/admin-routes.js') : undefined
  const trustedProxies = config.trustedProxies.length > 0 ? AccessList.from(config.trustedProxies) : undefined
  const metrics = config.metrics.enabled ? (deps.metrics ?? new HttpMetrics({ processMetrics: false })) : undefined

  const app = Fastify({
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Fastify's two info lines per request cost more than answering it: our access log is one debug line.
    logController: new LogController({ disableRequestLogging: true }),
    // The caller's X-Request-Id when acceptable, else a new UUID; in every log line as reqId.
    genReqId: (raw) => requestId(raw.headers[REQUEST_ID_HEADER]),
    // While shutting down, a request arriving on an open keep-alive connection is still answered (with
    // Connection: close), not refused with Fastify's own 503 body (docs/operations.md).
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    // Any segment Node lets through reaches the route (the admin API answers INVALID_GROUP_ID for a long
    // group id, after its token check); find-my-way's default of 100 characters answered 400 first.
    routerOptions: { maxParamLength: MAX_HEADER_BYTES },
    // Undecodable URLs are the API's to answer (per parameter), not the framework's.
    frameworkErrors: (error, request, reply) => {
      // Outside every route, so no hook runs: the request id, the metrics, the access log and the close
      // of a connection whose body is still arriving are wired here.
      observeUnrouted(request, reply)
      const pending = closeIfBodyPending(request, reply)
      if (pending !== undefined) return void pending.then(() => void answerFrameworkError(error, request, reply))
      return answerFrameworkError(error, request, reply)
    },
  })
  const answerFrameworkError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<void> => {
      if (error.code === 'FST_ERR_BAD_URL') {
        const target = request.raw.url ?? '/'
        if (admin !== undefined && config.adminToken !== undefined && admin.isAdminTarget(target)) {
          return admin.answerUndecodableAdminUrl(request, reply, config.adminToken)
        }
        return dispatch(request, reply)
      }
      return send(reply, renderError(new ApiError('MALFORMED_REQUEST'), DEFAULT_FORMAT))
  }

  const publicUrl = config.publicUrl
  const accessLog = deps.accessLog ?? false
  /** The API call in a request, whichever way it came in (Fastify's routes, or direct-api.ts). */
  const apiRequest = (raw: IncomingMessage): ApiRequest => ({
    method: raw.method ?? 'GET',
    target: raw.url ?? '/',
    accept: raw.headers.accept,
    authorization: raw.headers.authorization,
    baseUrl: publicUrl ?? requestBaseUrl(raw, config),
    clientAddress: clientAddress(raw.socket.remoteAddress, forwardedFor(raw), trustedProxies),
  })
  /** The pipeline's authentication failures are known only here: counted, and in the access log. */
  const countAuthFailure = (failure: AuthFailure, log: () => { debug(details: object, message: string): void }): void => {
    const kind = AUTH_FAILURE_KIND[failure]
    metrics?.authFailure(kind)
    if (accessLog) log().debug({ kind }, 'authentication failed')
  }
  const dispatch = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined
    const response = await pipeline.handle({ ...apiRequest(request.raw), body }, request.log)
    if (response.authFailure !== undefined) countAuthFailure(response.authFailure, () => request.log)
    noteCaller(request.raw, response.caller)
    return send(reply, response)
  }
  /** The client as the access log shows it: the address access lists check. */
  const loggedClient = (raw: IncomingMessage): string | undefined => clientAddress(raw.socket.remoteAddress, forwardedFor(raw), trustedProxies)

  // The API answers every method on every path itself (405 for a known path, 404 otherwise), and
  // never reads a request body: GET-only routes must not fail on a body's content type.
  // The API reads only the bodies of the legacy backup writes, as bytes (P-G3: JSON whatever the
  // Content-Type); every other body is let through unread, so that its answer does not wait for it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (request, payload, done) => {
    if (!readsApiBody(request.raw.method, request.raw.url)) {
      payload.resume()
      done(null)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= API_BODY_LIMIT_BYTES) chunks.push(chunk)
    })
    payload.on('error', (error: Error) => done(error))
    // A body over the limit is read to its end but kept as nothing: it then fails as no JSON.
    payload.on('end', () => done(null, size <= API_BODY_LIMIT_BYTES ? Buffer.concat(chunks) : undefined))
  })
  // Before any scope is registered, so that every route and the not-found handler inherit the hooks.
  const observeUnrouted = observeRequests(app, { metrics, accessLog, clientAddress: loggedClient })
  guardRequestBodies(app, config.bodyTimeoutMs)
  capConnections(app.server, config.maxConnections, refusedConnection(app.log, metrics, now))
  // Set before any route is registered: a scope keeps the error handler it was registered under.
  app.setErrorHandler((error, request, reply) => {
    // A client that aborted its body, or was answered already (a body deadline, then the connection cut):
    // nothing to answer, and not our error.
    if (reply.sent || clientGone(request)) {
      request.log.debug({ reason: (error as Error).message }, 'request abandoned before its body was read')
      return undefined
    }
    // A body that did not arrive in time (request-bodies.ts), on the OAuth routes.
    if (error instanceof ApiError) return send(reply, renderError(error, DEFAULT_FORMAT))
    // Fastify refuses some requests before a handler runs (an unparseable Content-Type, QUERY without
    // one); the API answers them as any other request: by route, then auth. (The writes that read their
    // body never get here for their Content-Type: the onRequest hook below takes it out of Fastify's hands.)
    if (isFrameworkClientError(error)) return dispatch(request, reply)
    // The OAuth routes (and anything else outside the pipeline) reach the store too.
    if (isStoreUnavailable(error)) {
      logStoreUnavailable(request.log, error)
      return send(reply, renderStoreUnavailable(lenientFormat(querySearch(request))))
    }
    request.log.error({ err: error }, 'unexpected error outside the API pipeline')
    return send(reply, renderError(new ApiError('UNEXPECTED_ERROR'), DEFAULT_FORMAT))
  })
  takeOverNodeRefusals(app.server)
  // Synchronous: an async hook costs a promise on every request Fastify routes.
  app.addHook('onRequest', (request, reply, done) => {
    // P-G3: a legacy backup write's body is JSON whatever its Content-Type, so the type is not Fastify's
    // to refuse: one that is no media type (`;`, `garbage/`) would stop Fastify after the body guard
    // (request-bodies.ts) had taken the body's stream, and a body over 16 KiB then never finished.
    const headers = request.raw.headers
    if (headers['content-type'] !== undefined && readsApiBody(request.raw.method, request.raw.url)) headers['content-type'] = 'application/octet-stream'
    if (!lacksOneHost(request.raw)) return done()
    // Answered here; not calling done() ends the request's hooks.
    send(reply.header('connection', 'close'), renderError(new ApiError('MALFORMED_REQUEST'), DEFAULT_FORMAT))
  })
  // OAuth and the admin API read the database itself, not the API's cache (storage/cached-store.ts).
  const uncached = freshReads(store)
  await app.register(async (scope) => oauthRoutes(scope, { store: uncached, tokenSecret, tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS, now }))
  await app.register(async (scope) => healthRoutes(scope, { store, readyTimeoutMs: READY_TIMEOUT_MS, ...(deps.readiness ? { readiness: deps.readiness } : {}) }))
  if (metrics !== undefined) await app.register(async (scope) => metricsRoutes(scope, { metrics, token: config.metrics.token }))
  // The admin API exists only with an admin token; without one, /_admin/ paths are unknown paths like any other.
  const adminToken = config.adminToken
  if (admin !== undefined && adminToken !== undefined) {
    await app.register(async (scope) => admin.adminRoutes(scope, { store: uncached, token: adminToken, clock, seed: config.producer.seed, restoreTiming: config.restoreJobs }), { prefix: '/_admin' })
  }
  // The console comes with the admin API it drives, and is unknown without it, like /_admin/.
  if (admin !== undefined && adminToken !== undefined) {
    const { findConsoleDir, loadConsoleAssets } = await import('./console/console-assets.js')
    const dir = deps.consoleDir ?? findConsoleDir()
    if (dir === undefined) app.log.warn('the console is not built (npm run build): /console/ answers 404')
    else {
      const assets = await loadConsoleAssets(dir)
      const { consoleRoutes } = await import('./console/console-routes.js')
      await app.register(async (scope) => consoleRoutes(scope, { assets, notFound: dispatch }))
    }
  }
  restoreDownloadRoutes(app, restores)
  app.all('/api/*', dispatch)
  app.setNotFoundHandler(dispatch)
  // The API's GET and HEAD calls skip Fastify's per-request work on a real server (inject still routes).
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  serveApiDirectly(app.server, {
    apiRequest,
    handle: (request, log) => pipeline.handle(request, log),
    log: app.log,
    closing: () => closing,
    requestId: (raw) => requestId(raw.headers[REQUEST_ID_HEADER]),
    answered: (raw, response, ms, log) => {
      if (response.authFailure !== undefined) countAuthFailure(response.authFailure, log)
      if (metrics === undefined && !accessLog) return
      const target = raw.url ?? '/'
      recordAnswer(
        { metrics, accessLog, clientAddress: loggedClient },
        // The request's child logger is made only if the access log writes to it.
        {
          method: raw.method ?? 'GET',
          target,
          status: response.status,
          errorCode: response.headers['x-error-code'],
          ms,
          log: { debug: (details, message) => log().debug(details, message) },
          raw,
          caller: response.caller,
        },
      )
    },
  })
  return app
}

/** How often, at most, a refused connection is logged (with how many were refused since the last line). */
const REFUSAL_LOG_INTERVAL_MS = 60_000

/** Counts a connection refused by the cap; a warning at most once a minute, with the count since the last. */
function refusedConnection(log: FastifyBaseLogger, metrics: HttpMetrics | undefined, now: () => number): () => void {
  let refused = 0
  let loggedAt = -Infinity
  return () => {
    metrics?.connectionRefused()
    refused++
    const at = now()
    if (at - loggedAt < REFUSAL_LOG_INTERVAL_MS) return
    log.warn({ refused }, 'connection cap reached: connections refused with 503 TOO_MANY_CONNECTIONS')
    loggedAt = at
    refused = 0
  }
}

/** The largest API request body read (a schedule or snapshot change is a few hundred bytes). */
const API_BODY_LIMIT_BYTES = 64 * 1024

/** The API writes that read a body: PATCH or POST of a snapshot schedule, a snapshot, the restore jobs. */
const API_BODY_PATH = /^\/api\/.*\/(snapshotSchedule|snapshots\/[^/?]*|restoreJobs)\/?(\?|$)/

function readsApiBody(method: string | undefined, url: string | undefined): boolean {
  return (method === 'PATCH' || method === 'POST') && url !== undefined && API_BODY_PATH.test(url)
}

/** One of Fastify's own 4xx refusals of a request (FST_ERR_CTP_INVALID_MEDIA_TYPE and the like). */
function isFrameworkClientError(error: unknown): boolean {
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown }
  return typeof code === 'string' && code.startsWith('FST_ERR_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
}

function send(reply: FastifyReply, response: ApiResponse): FastifyReply {
  // Fastify drops the Content-Type of a 204; Atlas v2 sends one with its empty deletes (P-N6), so it is
  // set on the raw response, which Fastify's writeHead keeps.
  if (response.status === 204 && response.headers['content-type'] !== undefined) {
    reply.hijack()
    // The headers the hooks set on the reply (X-Request-Id) go out too: a hijacked reply writes only these.
    reply.raw.writeHead(204, { ...(reply.getHeaders() as Record<string, string>), ...response.headers })
    reply.raw.end()
    return reply
  }
  // A Buffer, so that Fastify leaves the Content-Type exactly as the real API writes it (no charset added).
  return reply.code(response.status).headers(response.headers).send(Buffer.from(response.body))
}

/** The raw query string of a request, without the `?`; empty when it has none. */
function querySearch(request: FastifyRequest): string {
  const target = request.raw.url ?? ''
  const at = target.indexOf('?')
  return at === -1 ? '' : target.slice(at + 1)
}

function forwardedFor(request: IncomingMessage): string | undefined {
  const header = request.headers['x-forwarded-for']
  return Array.isArray(header) ? header.join(',') : header
}

const SAFE_HOST = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/
/** A DNS name (253 characters at most), a colon and a port: a longer Host is no host. */
const MAX_HOST_LENGTH = 253 + 6

/**
 * The request's own scheme and Host; a missing, odd or overlong Host falls back to the address the
 * connection came to (a Host is in every link of a body: 15 KB of it made a page of 500 checkpoints 8 MB).
 */
function requestBaseUrl(request: IncomingMessage, config: Config): string {
  const host = request.headers.host
  const authority = host !== undefined && host.length <= MAX_HOST_LENGTH && SAFE_HOST.test(host) ? host : localAuthority(request, config)
  // As Fastify's request.protocol without trustProxy: the connection's own scheme.
  const protocol = (request.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'
  return `${protocol}://${authority}`
}

/** The address and port the connection came to; the configured ones when unknown (`inject`). */
function localAuthority(request: IncomingMessage, config: Config): string {
  const { localAddress, localPort } = request.socket
  if (localAddress === undefined || localPort === undefined) return `${config.host}:${config.port}`
  return localAddress.includes(':') ? `[${localAddress}]:${localPort}` : `${localAddress}:${localPort}`
}
