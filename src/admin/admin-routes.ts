import { Readable } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ServerClock } from '../clock/server-clock.js'
import type { Store } from '../storage/store.js'
import { ApiError } from '../errors.js'
import { DEFAULT_FORMAT } from '../http/query-params.js'
import { renderError } from '../http/render.js'
import { clientGone } from '../http/request-bodies.js'
import { isStoreUnavailable, renderStoreUnavailable, logStoreUnavailable } from '../http/store-unavailable.js'
import { RouteMatcher, safeDecode } from '../http/route-matcher.js'
import { MALFORMED_JSON } from './admin-bodies.js'
import { AdminCredentials } from './admin-credentials.js'
import { loadFixtureBody, resetStore } from './admin-data-set.js'
import { ADMIN_OPENAPI } from './admin-openapi.js'
import { AdminQuery } from './admin-query.js'
import { AdminRecords } from './admin-records.js'
import { AdminRestoreJobs } from './admin-restore-jobs.js'
import { DEFAULT_RESTORE_TIMING, type RestoreTiming } from '../domain/legacy-backup/restore-service.js'
import { AdminTime } from './admin-time.js'
import { AdminTimeline } from './admin-timeline.js'
import { adminTokenMatches } from './admin-token.js'
import { apiKeyView, checkpointView, clusterView, organizationView, projectView, secretView, serviceAccountView } from './admin-views.js'

export interface AdminDeps {
  readonly store: Store
  /** The bearer token every admin call must carry. */
  readonly token: string
  /** The server's clock: its time dates what is created; `/clock` moves it. */
  readonly clock: ServerClock
  /** The seed of the server's producer: a history's by default. */
  readonly seed: number
  /** How restore jobs made through the admin API move on the clock (config.ts); the serve defaults when omitted. */
  readonly restoreTiming?: RestoreTiming
}

/** Where the admin API lives; the routes below are relative to it. */
export const ADMIN_PREFIX = '/_admin/v1'

/** Request bodies up to 1 MiB; a fixture document up to 256 MiB. */
const BODY_LIMIT = 1024 * 1024
const FIXTURE_BODY_LIMIT = 256 * 1024 * 1024

interface Call {
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: AdminQuery
  readonly body: unknown
}

interface Answer {
  readonly status: number
  readonly body: unknown
}

interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** OpenAPI-style, e.g. `/groups/{groupId}`. */
  readonly path: string
  readonly handle: (call: Call) => Promise<Answer>
  readonly bodyLimit?: number
  /**
   * The body reaches `handle` unread, as chunks (at most `bodyLimit` bytes, else 413): a fixture document
   * is read as it arrives, never held whole. One such request at a time: another meanwhile is refused
   * with 409 FIXTURE_LOAD_IN_PROGRESS and Retry-After, before its body is read.
   */
  readonly streamed?: boolean
}

const ok = (body: unknown): Answer => ({ status: 200, body })
const created = (body: unknown): Answer => ({ status: 201, body })
const list = <T>(items: readonly T[], view: (item: T) => object): Answer => ok({ results: items.map(view), totalCount: items.length })

/** Every admin route: the one table the router, the 405 answers and the OpenAPI test read. */
export function adminRoutesTable(deps: AdminDeps): readonly AdminRoute[] {
  const now = (): number => deps.clock.now()
  const records = new AdminRecords(deps.store, now)
  const credentials = new AdminCredentials(deps.store, now)
  const time = new AdminTime(deps.store, deps.clock, deps.seed, records)
  const timeline = new AdminTimeline(deps.store, records, now)
  const restores = new AdminRestoreJobs(deps.store, records, now, deps.restoreTiming ?? DEFAULT_RESTORE_TIMING)
  return [
    { method: 'GET', path: '/openapi.json', handle: async () => ok(ADMIN_OPENAPI) },

    { method: 'GET', path: '/orgs', handle: async () => list(await records.listOrganizations(), organizationView) },
    { method: 'POST', path: '/orgs', handle: async ({ body }) => created(organizationView(await records.createOrganization(body))) },
    { method: 'GET', path: '/orgs/{orgId}', handle: async ({ params }) => ok(organizationView(await records.organization(params['orgId']))) },
    {
      method: 'PATCH',
      path: '/orgs/{orgId}',
      handle: async ({ params, body }) => ok(organizationView(await records.updateOrganization(params['orgId'], body))),
    },
    { method: 'DELETE', path: '/orgs/{orgId}', handle: async ({ params }) => ok({ deleted: await records.deleteOrganization(params['orgId']) }) },

    { method: 'GET', path: '/groups', handle: async ({ query }) => list(await records.listProjects(query.orgId()), projectView) },
    { method: 'POST', path: '/groups', handle: async ({ body }) => created(projectView(await records.createProject(body))) },
    { method: 'GET', path: '/groups/{groupId}', handle: async ({ params }) => ok(projectView(await records.project(params['groupId']))) },
    {
      method: 'PATCH',
      path: '/groups/{groupId}',
      handle: async ({ params, body }) => ok(projectView(await records.updateProject(params['groupId'], body))),
    },
    { method: 'DELETE', path: '/groups/{groupId}', handle: async ({ params }) => ok({ deleted: await records.deleteProject(params['groupId']) }) },

    {
      method: 'GET',
      path: '/groups/{groupId}/clusters',
      handle: async ({ params }) => list(await records.listClusters(params['groupId']), clusterView),
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters',
      handle: async ({ params, body }) => created(clusterView(await records.createCluster(params['groupId'], body))),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}',
      handle: async ({ params }) => ok(clusterView(await records.cluster(params['groupId'], params['clusterId']))),
    },
    {
      method: 'PATCH',
      path: '/groups/{groupId}/clusters/{clusterId}',
      handle: async ({ params, body }) => ok(clusterView(await records.updateCluster(params['groupId'], params['clusterId'], body))),
    },
    {
      method: 'DELETE',
      path: '/groups/{groupId}/clusters/{clusterId}',
      handle: async ({ params }) => ok({ deleted: await records.deleteCluster(params['groupId'], params['clusterId']) }),
    },

    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/checkpoints',
      handle: async ({ params, query }) => {
        const page = await records.pageCheckpoints(params['groupId'], params['clusterId'], () => query.page())
        return ok({ results: page.items.map(checkpointView), totalCount: page.totalCount })
      },
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters/{clusterId}/checkpoints',
      handle: async ({ params, body }) =>
        created(checkpointView(await records.createCheckpoint(params['groupId'], params['clusterId'], body))),
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters/{clusterId}/history',
      handle: async ({ params, body }) => ok(await time.history(params['groupId'], params['clusterId'], body)),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/timeline',
      handle: async ({ params, query }) => ok(await timeline.timeline(params['groupId'], params['clusterId'], query)),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/checkpoints/{checkpointId}',
      handle: async ({ params }) =>
        ok(checkpointView(await records.checkpoint(params['groupId'], params['clusterId'], params['checkpointId']))),
    },
    {
      method: 'PATCH',
      path: '/groups/{groupId}/clusters/{clusterId}/checkpoints/{checkpointId}',
      handle: async ({ params, body }) =>
        ok(checkpointView(await records.updateCheckpoint(params['groupId'], params['clusterId'], params['checkpointId'], body))),
    },
    {
      method: 'DELETE',
      path: '/groups/{groupId}/clusters/{clusterId}/checkpoints/{checkpointId}',
      handle: async ({ params }) =>
        ok({ deleted: await records.deleteCheckpoint(params['groupId'], params['clusterId'], params['checkpointId']) }),
    },

    { method: 'GET', path: '/apiKeys', handle: async ({ query }) => list(await credentials.listApiKeys(query.orgId()), apiKeyView) },
    {
      method: 'POST',
      path: '/apiKeys',
      handle: async ({ body }) => {
        const { record, secret } = await credentials.createApiKey(body)
        return created({ ...apiKeyView(record), ...(secret !== undefined ? { privateKey: secret } : {}) })
      },
    },
    { method: 'GET', path: '/apiKeys/{publicKey}', handle: async ({ params }) => ok(apiKeyView(await credentials.apiKey(params['publicKey']))) },
    {
      method: 'PATCH',
      path: '/apiKeys/{publicKey}',
      handle: async ({ params, body }) => ok(apiKeyView(await credentials.updateApiKey(params['publicKey'], body))),
    },
    {
      method: 'DELETE',
      path: '/apiKeys/{publicKey}',
      handle: async ({ params }) => {
        await credentials.deleteApiKey(params['publicKey'])
        return ok({ deleted: { ...NOTHING, apiKeys: 1 } })
      },
    },

    {
      method: 'GET',
      path: '/serviceAccounts',
      handle: async ({ query }) => list(await credentials.listServiceAccounts(query.orgId()), serviceAccountView),
    },
    {
      method: 'POST',
      path: '/serviceAccounts',
      handle: async ({ body }) => {
        const { record, secret } = await credentials.createServiceAccount(body)
        return created({ ...serviceAccountView(record), ...(secret !== undefined ? { clientSecret: secret } : {}) })
      },
    },
    {
      method: 'GET',
      path: '/serviceAccounts/{clientId}',
      handle: async ({ params }) => ok(serviceAccountView(await credentials.serviceAccount(params['clientId']))),
    },
    {
      method: 'PATCH',
      path: '/serviceAccounts/{clientId}',
      handle: async ({ params, body }) => ok(serviceAccountView(await credentials.updateServiceAccount(params['clientId'], body))),
    },
    {
      method: 'DELETE',
      path: '/serviceAccounts/{clientId}',
      handle: async ({ params }) => {
        await credentials.deleteServiceAccount(params['clientId'])
        return ok({ deleted: { ...NOTHING, serviceAccounts: 1 } })
      },
    },

    {
      method: 'POST',
      path: '/serviceAccounts/{clientId}/secrets',
      handle: async ({ params, body }) => {
        const { record, secret } = await credentials.addServiceAccountSecret(params['clientId'], body)
        return created({ ...secretView(record), ...(secret !== undefined ? { clientSecret: secret } : {}) })
      },
    },
    {
      method: 'DELETE',
      path: '/serviceAccounts/{clientId}/secrets/{secretId}',
      handle: async ({ params }) => ok(serviceAccountView(await credentials.deleteServiceAccountSecret(params['clientId'], params['secretId']))),
    },

    {
      method: 'POST',
      path: '/fixtures',
      bodyLimit: FIXTURE_BODY_LIMIT,
      streamed: true,
      handle: async ({ body }) => ok({ loaded: await loadFixtureBody(body as AsyncIterable<Buffer>, deps.store, new Date(now()), deps.clock) }),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/restoreJobs',
      handle: async ({ params }) => list(await restores.list(params['groupId'], params['clusterId']), (job) => restores.view(job)),
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters/{clusterId}/restoreJobs',
      handle: async ({ params, body }) => {
        const jobs = await restores.create(params['groupId'], params['clusterId'], body)
        return created({ results: jobs.map((job) => restores.view(job)), totalCount: jobs.length })
      },
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}',
      handle: async ({ params }) => ok(restores.view(await restores.job(params['groupId'], params['clusterId'], params['jobId']))),
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}/end',
      handle: async ({ params, body }) => ok(restores.view(await restores.end(params['groupId'], params['clusterId'], params['jobId'], body))),
    },

    { method: 'POST', path: '/reset', handle: async ({ query }) => ok(await resetStore(deps.store, query.flag('demo'), deps.clock)) },

    { method: 'GET', path: '/clock', handle: async () => ok(time.view()) },
    { method: 'POST', path: '/clock', handle: async ({ body }) => ok(await time.change(body)) },
  ]
}

const NOTHING = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }

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
