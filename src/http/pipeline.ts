import { AccessList, canonicalAddress } from '../auth/access-list.js'
import { isBearer, type AuthFailure, type Authenticator } from '../auth/authenticate.js'
import { checkpointListView, checkpointView, type ViewContext } from '../dialects/checkpoint-views.js'
import { dialectTemplates, isCheckpointOperation, isLegacyBackupOperation, routeMethods, type ApiRoute, type Dialect } from '../dialects/dialect.js'
import type { LegacyBackupHandler } from './legacy-backup-handler.js'
import type { CheckpointService } from '../domain/checkpoint-service.js'
import { ApiError } from '../errors.js'
import { AnswerCache, type RememberedAnswer } from './answer-cache.js'
import type { ApiRequest } from './api-request.js'
import type { DiscoveryHandler } from './discovery-handler.js'
import { isRestoreOperation, type RestoreJobHandler } from './restore-job-handler.js'
import type { DiscoveryLimiters, RateScope } from './rate-scope.js'
import { parseCheckpointPath } from './path-params.js'
import type { TokenBucketLimiter } from './rate-limiter.js'
import { DEFAULT_FORMAT, lenientFormat, parseQuery, type OutputFormat } from './query-params.js'
import { memoizedBody, renderError, renderSerialized, renderUnauthenticated, serializeSuccess, type ApiResponse } from './render.js'
import { RouteMatcher, safeDecode } from './route-matcher.js'
import { isStoreUnavailable, renderStoreUnavailable, logStoreUnavailable } from './store-unavailable.js'

export type { ApiRequest }

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
  /** The discovery endpoints (projects, organizations, clusters, backup configurations); absent: unknown paths. */
  readonly discovery?: DiscoveryHandler
  /** The Atlas v2 discovery endpoint sets' token buckets; absent when limits are off. */
  readonly discoveryLimiters?: DiscoveryLimiters | undefined
  /**
   * Per-caller token buckets (public key or client id), taken by the calls refused after authentication
   * and asked before a Digest nonce lease is written (the NonceBook's `mayClaim`); absent when limits are off.
   */
  readonly callerLimiter?: TokenBucketLimiter | undefined
  /** The restore-job routes; absent: unknown paths. */
  readonly restoreJobs?: RestoreJobHandler
  /** Answers remembered for repeated requests (answer-cache.ts); absent, every answer is made afresh. */
  readonly answers?: AnswerCache
  /** The legacy backup routes (snapshot schedule, snapshots); absent: unknown paths. */
  readonly legacy?: LegacyBackupHandler
}

const READ_METHODS = ['GET', 'HEAD']

/**
 * An answer, with why authentication failed when it did (for the metrics and the debug log; never sent),
 * who the caller was (the public key or client id the credentials named, for the access log; never a
 * secret), and its body already encoded when the pipeline has it (a remembered answer).
 */
export type PipelineResponse = ApiResponse & { readonly authFailure?: AuthFailure; readonly caller?: string; readonly bytes?: Buffer }

/** Who the request's credentials named, once known; filled as the pipeline goes. */
interface CallerNote {
  caller?: string | undefined
}

/**
 * The request pipeline of every API route, in the order docs/behaviour.md fixes (the discovery routes take
 * the same steps, in discovery-handler.ts after authentication):
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
      deps.dialects.flatMap((dialect) =>
        dialectTemplates(dialect)
          .filter((t) =>
            isRestoreOperation(t.route.operation)
              ? deps.restoreJobs !== undefined
              : isLegacyBackupOperation(t.route.operation)
                ? deps.legacy !== undefined
                : deps.discovery !== undefined || isCheckpointOperation(t.route.operation),
          )
          .map((t) => ({ ...t, methods: t.methods ?? (isLegacyBackupOperation(t.route.operation) ? routeMethods(t.route.operation) : READ_METHODS) })),
      ),
    )
  }

  async handle(request: ApiRequest, log: PipelineLog): Promise<PipelineResponse> {
    const note: CallerNote = {}
    const response = await this.#answer(request, log, note)
    return note.caller === undefined ? response : { ...response, caller: note.caller }
  }

  async #answer(request: ApiRequest, log: PipelineLog, note: CallerNote): Promise<PipelineResponse> {
    const { answers } = this.deps
    // Taken before any read, so that an answer made from reads that a write overtook is not remembered.
    const version = answers?.currentVersion()
    const authorization = request.authorization
    const bearer = authorization !== undefined && isBearer(authorization)
    if (version !== undefined && bearer) {
      const hit = answers?.get(AnswerCache.key(authorization, request))
      if (hit !== undefined) {
        note.caller = hit.caller
        return this.#replay(hit, request)
      }
    }
    const queryStart = request.target.indexOf('?')
    const path = queryStart === -1 ? request.target : request.target.slice(0, queryStart)
    const search = queryStart === -1 ? '' : request.target.slice(queryStart + 1)
    let format: OutputFormat = DEFAULT_FORMAT
    /** What every answer carries from the step that set it on (Allow, Deprecation and Sunset, RateLimit-*). */
    const headers: Record<string, string> = {}
    /** Once authenticated: who takes a per-caller token if the call is refused. */
    let refusedCaller: string | undefined
    try {
      format = lenientFormat(search)
      const match = this.#matcher.match(request.method, path)
      if (match.kind === 'not-found') throw new ApiError('RESOURCE_NOT_FOUND', [safeDecode(path) ?? path])
      if (match.kind === 'method-not-allowed') {
        headers['allow'] = match.allow.join(', ')
        throw new ApiError('METHOD_NOT_ALLOWED', [request.method, safeDecode(path) ?? path])
      }
      const auth = await this.deps.authenticator.authenticate({
        method: request.method,
        target: request.target,
        authorization,
      })
      if (!auth.ok) {
        note.caller = auth.caller
        if ('limited' in auth) throw this.#callerRefusal(auth.caller, path, false) ?? new Error('a lease was refused by a caller limit that is off')
        return { ...renderUnauthenticated(auth.challenge), authFailure: auth.reason }
      }
      note.caller = auth.principal.id
      refusedCaller = auth.principal.id
      // The caller as the remembered answers know it: the token as sent, or the Digest user once checked.
      const answerKey = version === undefined ? undefined : AnswerCache.key(bearer ? (authorization ?? '') : `digest:${auth.principal.id}`, request)
      if (answerKey !== undefined && !bearer) {
        const hit = answers?.get(answerKey)
        if (hit !== undefined) return this.#replay(hit, request)
      }

      const { dialect, operation } = match.route
      const { discovery, legacy, restoreJobs } = this.deps
      // What every operation family's handler is given (handler-call.ts); each adds its own operation.
      const call = {
        request,
        dialect,
        params: match.params,
        search,
        principal: auth.principal,
        headers,
        formatKnown: (known: OutputFormat) => (format = known),
        checkAccessList: () => this.#checkAccessList(auth.principal.accessList, request),
        takeToken: (scope: RateScope) => {
          const taken = this.#takeToken(scope, path)
          Object.assign(headers, taken.headers)
          if (taken.refused) throw taken.refused
        },
      }
      if (isRestoreOperation(operation) && restoreJobs !== undefined) {
        // Never remembered: a job's state follows the clock.
        const answer = await restoreJobs.answer({ ...call, operation })
        return renderSerialized(answer.body, answer.contentType, headers)
      }
      if (isLegacyBackupOperation(operation) && legacy !== undefined) {
        // Never remembered: writes, and reads that depend on the clock (snapshots expire).
        return await legacy.answer({ ...call, operation })
      }
      if (!isCheckpointOperation(operation) && !isLegacyBackupOperation(operation) && !isRestoreOperation(operation) && discovery !== undefined) {
        const answer = await discovery.answer({ ...call, operation })
        if (answerKey === undefined || version === undefined) return renderSerialized(answer.body, answer.contentType, headers)
        const remembered = {
          version,
          until: auth.until,
          rate: answer.rate,
          headers: answer.headers,
          caller: auth.principal.id,
          path,
          contentType: answer.contentType,
          body: answer.body,
          bytes: Buffer.from(answer.body),
        }
        answers?.set(answerKey, remembered)
        return { ...renderSerialized(answer.body, answer.contentType, headers), bytes: remembered.bytes }
      }
      if (!isCheckpointOperation(operation)) throw new ApiError('RESOURCE_NOT_FOUND', [safeDecode(path) ?? path])
      const contentType = dialect.contentType(request.accept)
      const params = parseCheckpointPath(dialect, match.params)
      const query = parseQuery(search, operation === 'listCheckpoints')
      format = query.format

      this.#checkAccessList(auth.principal.accessList, request)

      const { service } = this.deps
      const access = await service.authorize(auth.principal, params.groupId)
      const rate: RateScope = { set: 'checkpoints', key: params.groupId }
      const taken = this.#takeToken(rate, path)
      Object.assign(headers, taken.headers)
      if (taken.refused) throw taken.refused
      const cluster = await service.cluster(access, params.cluster)
      const view: ViewContext = { dialect, baseUrl: request.baseUrl, groupId: params.groupId, clusterRef: params.clusterLabel }

      // What a body depends on besides the record: the dialect, the links' base, the path as written, the format.
      const renderKey = `${dialect.prefix}\n${request.baseUrl}\n${params.groupId}\n${params.clusterLabel}\n${format.pretty}\n${format.envelope}`
      let body: string
      let until: number
      if (params.checkpointId === undefined) {
        const { paging, carried } = query
        const page = await service.list(access, cluster, { offset: (paging.pageNum - 1) * paging.itemsPerPage, limit: paging.itemsPerPage })
        const listKey = `${renderKey}\n${paging.pageNum}\n${paging.itemsPerPage}\n${paging.includeCount}\n${JSON.stringify(carried)}`
        body = memoizedBody(page.value, listKey, () => serializeSuccess(checkpointListView(view, page.value, paging, carried), 'list', format))
        until = page.until
      } else {
        const checkpoint = await service.get(access, cluster, params.checkpointId, params.clusterLabel)
        body = memoizedBody(checkpoint.value, renderKey, () => serializeSuccess(checkpointView(view, checkpoint.value, true), 'entity', format))
        until = checkpoint.until
      }
      if (answerKey === undefined || version === undefined) return renderSerialized(body, contentType, headers)
      // Kept while the caller's token is valid and the restorability it shows holds (P-N4 on the clock).
      const remembered = { version, until: Math.min(auth.until, until), rate, caller: auth.principal.id, path, contentType, body, bytes: Buffer.from(body) }
      answers?.set(answerKey, remembered)
      return { ...renderSerialized(body, contentType, headers), bytes: remembered.bytes }
    } catch (error) {
      if (error instanceof CallerLimited) return renderError(error.refusal, format, error.headers)
      if (error instanceof ApiError) {
        if (refusedCaller !== undefined && error.errorCode !== 'RATE_LIMITED_TOKEN_BUCKET') {
          // A refusal after authentication (no role, no such project, a bad parameter…) costs the caller a
          // token: a flood of them is limited like the project's calls are (docs/security.md, item 6).
          const limited = this.#callerRefusal(refusedCaller, path, true)
          if (limited !== undefined) return renderError(limited.refusal, format, limited.headers)
        }
        return renderError(error, format, headers)
      }
      if (isStoreUnavailable(error)) {
        logStoreUnavailable(log, error)
        return renderStoreUnavailable(format, headers)
      }
      log.error({ err: error }, 'unexpected error while answering an API call')
      return renderError(new ApiError('UNEXPECTED_ERROR'), format)
    }
  }

  /**
   * The per-caller bucket's 429 for `caller`, taking a token (`take`), or only looking (after the bucket
   * refused a nonce lease, whose write it bounds); undefined when the bucket allows the call.
   */
  #callerRefusal(caller: string, path: string, take: boolean): CallerLimited | undefined {
    const limiter = this.deps.callerLimiter
    if (limiter === undefined) return undefined
    const decision = take ? limiter.take(caller) : limiter.peek(caller)
    if (decision.allowed) return undefined
    const headers: Record<string, string> = {
      'ratelimit-limit': String(decision.limit),
      'ratelimit-remaining': String(decision.remaining),
      'retry-after': String(Math.max(1, decision.retryAfterSeconds)),
    }
    return new CallerLimited(rateLimited(limiter, path, Math.max(1, decision.retryAfterSeconds)), headers)
  }

  /** A remembered answer, given again after the rate limit's token is taken (or refused, as always). */
  #replay(answer: RememberedAnswer, request: ApiRequest): PipelineResponse {
    const taken = answer.rate === undefined ? { headers: {} } : this.#takeToken(answer.rate, answer.path)
    const headers = { ...answer.headers, ...taken.headers }
    if (taken.refused) {
      const queryStart = request.target.indexOf('?')
      return renderError(taken.refused, lenientFormat(queryStart === -1 ? '' : request.target.slice(queryStart + 1)), headers)
    }
    return { ...renderSerialized(answer.body, answer.contentType, headers), bytes: answer.bytes }
  }

  /** Step 5: the caller's address against its credential's access list (403 when it has one and the address is not on it). */
  #checkAccessList(accessList: readonly string[], request: ApiRequest): void {
    if (accessList.length > 0 && !(request.clientAddress && AccessList.from(accessList).allows(request.clientAddress))) {
      const shown = request.clientAddress === undefined ? 'unknown' : (canonicalAddress(request.clientAddress) ?? request.clientAddress)
      throw new ApiError('IP_ADDRESS_NOT_ON_ACCESS_LIST', [shown])
    }
  }

  /**
   * Step 7: one token of the scope's bucket (the project's on the checkpoint routes, a discovery endpoint
   * set's otherwise). Answers the RateLimit-* headers every answer from here on carries, and when the
   * bucket is empty the refusal (with Retry-After added to the headers).
   */
  #takeToken(scope: RateScope, path: string): { headers: Record<string, string>; refused?: ApiError } {
    const limiter = scope.set === 'checkpoints' ? this.deps.limiter : this.deps.discoveryLimiters?.[scope.set]
    if (!limiter) return { headers: {} }
    const decision = limiter.take(scope.key)
    const headers: Record<string, string> = { 'ratelimit-limit': String(decision.limit), 'ratelimit-remaining': String(decision.remaining) }
    if (decision.allowed) return { headers }
    headers['retry-after'] = String(decision.retryAfterSeconds)
    return { headers, refused: rateLimited(limiter, path, decision.retryAfterSeconds) }
  }
}

/** The 429 of a bucket of `limiter` for the call to `path`. */
function rateLimited(limiter: TokenBucketLimiter, path: string, retryAfterSeconds: number): ApiError {
  const resource = path.slice(1)
  return new ApiError('RATE_LIMITED_TOKEN_BUCKET', [resource, retryAfterSeconds, limiter.capacity, limiter.refillAmount, limiter.refillPeriodSeconds])
}

/** A call refused by the caller's own bucket: its 429 and the RateLimit headers of that bucket. */
class CallerLimited {
  constructor(
    readonly refusal: ApiError,
    readonly headers: Record<string, string>,
  ) {}
}
