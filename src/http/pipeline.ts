import { AccessList, canonicalAddress } from '../auth/access-list.js'
import type { AuthFailure, Authenticator } from '../auth/authenticate.js'
import { checkpointListView, checkpointView, type ViewContext } from '../dialects/checkpoint-views.js'
import { dialectTemplates, type ApiRoute, type Dialect } from '../dialects/dialect.js'
import type { CheckpointService } from '../domain/checkpoint-service.js'
import { ApiError } from '../errors.js'
import { parseCheckpointPath } from './path-params.js'
import type { TokenBucketLimiter } from './rate-limiter.js'
import { DEFAULT_FORMAT, lenientFormat, parseQuery, type OutputFormat } from './query-params.js'
import { memoizedBody, renderError, renderSerialized, renderUnauthenticated, serializeSuccess, type ApiResponse } from './render.js'
import { RouteMatcher, safeDecode } from './route-matcher.js'
import { isStoreUnavailable, renderStoreUnavailable, storeUnavailableDetails, STORE_UNAVAILABLE_MESSAGE } from './store-unavailable.js'

/** An API call as the pipeline sees it, whatever HTTP framework carried it. */
export interface ApiRequest {
  readonly method: string
  /** The request target as sent: path and query, still percent-encoded. */
  readonly target: string
  readonly accept: string | undefined
  readonly authorization: string | undefined
  /** `scheme://host[:port]` that links in bodies start with. */
  readonly baseUrl: string
  /** The caller's IP address (X-Forwarded-For only from trusted proxies); access lists check it. */
  readonly clientAddress: string | undefined
}

/** Where the pipeline reports what it could not foresee; answers stay generic. */
export interface PipelineLog {
  error(details: object, message: string): void
  /** Failures that are not ours, such as the store being unreachable. */
  warn(details: object, message: string): void
}

export interface PipelineDeps {
  readonly dialects: readonly Dialect[]
  readonly authenticator: Authenticator
  readonly service: CheckpointService
  /** Per-project token buckets; absent when limits are off. */
  readonly limiter: TokenBucketLimiter | undefined
}

const READ_METHODS = ['GET', 'HEAD']

/** An answer, with why authentication failed when it did (for the metrics and the debug log; never sent). */
export type PipelineResponse = ApiResponse & { readonly authFailure?: AuthFailure }

/**
 * The request pipeline of every checkpoint route, in the order DECISIONS.md fixes:
 *  1. route match          404 RESOURCE_NOT_FOUND, 405 METHOD_NOT_ALLOWED
 *  2. authentication       401 with a Digest challenge; nothing about the data is revealed before it
 *  3. media type           406 INVALID_VERSION_DATE (Atlas v2)
 *  4. path, then query     404 INVALID_*_ID / CLUSTER_NOT_FOUND, 400 INVALID_QUERY_PARAMETER
 *  5. access list          403 IP_ADDRESS_NOT_ON_ACCESS_LIST
 *  6. authorization        404 GROUP_NOT_FOUND, 401 USER_UNAUTHORIZED
 *  7. rate limit           429 RATE_LIMITED_TOKEN_BUCKET; RateLimit-* headers on every answer from here on
 *  8. cluster, checkpoint  404 CLUSTER_NOT_FOUND / CHECKPOINT_NOT_FOUND, 400 for Cloud Backup clusters
 *  9. render               pretty, envelope, Content-Type of the resolved version
 * A store that cannot be reached answers 503 SERVICE_UNAVAILABLE with Retry-After (logged as a warning);
 * anything unforeseen answers 500 UNEXPECTED_ERROR and is logged; no stack or SQL reaches the body.
 */
export class ApiPipeline {
  readonly #matcher: RouteMatcher<ApiRoute>

  constructor(private readonly deps: PipelineDeps) {
    this.#matcher = new RouteMatcher(
      deps.dialects.flatMap((dialect) => dialectTemplates(dialect).map((t) => ({ ...t, methods: READ_METHODS }))),
    )
  }

  async handle(request: ApiRequest, log: PipelineLog): Promise<PipelineResponse> {
    const queryStart = request.target.indexOf('?')
    const path = queryStart === -1 ? request.target : request.target.slice(0, queryStart)
    const search = queryStart === -1 ? '' : request.target.slice(queryStart + 1)
    let format: OutputFormat = DEFAULT_FORMAT
    let headers: Record<string, string> = {}
    try {
      format = lenientFormat(search)
      const match = this.#matcher.match(request.method, path)
      if (match.kind === 'not-found') throw new ApiError('RESOURCE_NOT_FOUND', [safeDecode(path) ?? path])
      if (match.kind === 'method-not-allowed') {
        headers = { allow: match.allow.join(', ') }
        throw new ApiError('METHOD_NOT_ALLOWED', [request.method, safeDecode(path) ?? path])
      }
      const auth = await this.deps.authenticator.authenticate({
        method: request.method,
        target: request.target,
        authorization: request.authorization,
      })
      if (!auth.ok) return { ...renderUnauthenticated(auth.challenge), authFailure: auth.reason }

      const { dialect, operation } = match.route
      const contentType = dialect.contentType(request.accept)
      const params = parseCheckpointPath(dialect, match.params)
      const query = parseQuery(search, operation === 'listCheckpoints')
      format = query.format

      const { accessList } = auth.principal
      if (accessList.length > 0 && !(request.clientAddress && AccessList.from(accessList).allows(request.clientAddress))) {
        const shown = request.clientAddress === undefined ? 'unknown' : (canonicalAddress(request.clientAddress) ?? request.clientAddress)
        throw new ApiError('IP_ADDRESS_NOT_ON_ACCESS_LIST', [shown])
      }

      const { service, limiter } = this.deps
      const access = await service.authorize(auth.principal, params.groupId)
      if (limiter) {
        const decision = limiter.take(params.groupId)
        headers = { 'ratelimit-limit': String(decision.limit), 'ratelimit-remaining': String(decision.remaining) }
        if (!decision.allowed) {
          headers['retry-after'] = String(decision.retryAfterSeconds)
          const resource = path.slice(1)
          throw new ApiError('RATE_LIMITED_TOKEN_BUCKET', [resource, decision.retryAfterSeconds, limiter.capacity, limiter.refillAmount, limiter.refillPeriodSeconds])
        }
      }
      const cluster = await service.cluster(access, params.cluster)
      const view: ViewContext = { dialect, baseUrl: request.baseUrl, groupId: params.groupId, clusterRef: params.clusterLabel }

      // What a body depends on besides the record: the dialect, the links' base, the path as written, the format.
      const renderKey = `${dialect.prefix}\n${request.baseUrl}\n${params.groupId}\n${params.clusterLabel}\n${format.pretty}\n${format.envelope}`
      if (params.checkpointId === undefined) {
        const { paging, carried } = query
        const page = await service.list(access, cluster, { offset: (paging.pageNum - 1) * paging.itemsPerPage, limit: paging.itemsPerPage })
        const listKey = `${renderKey}\n${paging.pageNum}\n${paging.itemsPerPage}\n${paging.includeCount}\n${JSON.stringify(carried)}`
        const body = memoizedBody(page, listKey, () => serializeSuccess(checkpointListView(view, page, paging, carried), 'list', format))
        return renderSerialized(body, contentType, headers)
      }
      const checkpoint = await service.get(access, cluster, params.checkpointId, params.clusterLabel)
      const body = memoizedBody(checkpoint, renderKey, () => serializeSuccess(checkpointView(view, checkpoint, true), 'entity', format))
      return renderSerialized(body, contentType, headers)
    } catch (error) {
      if (error instanceof ApiError) return renderError(error, format, headers)
      if (isStoreUnavailable(error)) {
        log.warn(storeUnavailableDetails(error), STORE_UNAVAILABLE_MESSAGE)
        return renderStoreUnavailable(format, headers)
      }
      log.error({ err: error }, 'unexpected error while answering an API call')
      return renderError(new ApiError('UNEXPECTED_ERROR'), format)
    }
  }
}
