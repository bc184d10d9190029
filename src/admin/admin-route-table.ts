import type { ServerClock } from '../clock/server-clock.js'
import type { Store } from '../storage/store.js'
import { AdminCredentials } from './admin-credentials.js'
import { loadFixtureBody, resetStore } from './admin-data-set.js'
import { ADMIN_OPENAPI } from './admin-openapi.js'
import { AdminQuery } from './admin-query.js'
import { AdminRecords } from './admin-records.js'
import { AdminRestoreJobs } from './admin-restore-jobs.js'
import { AdminSnapshots, snapshotView } from './admin-snapshots.js'
import { DEFAULT_RESTORE_TIMING, type RestoreTiming } from '../domain/legacy-backup/restore-service.js'
import { AdminTime } from './admin-time.js'
import { AdminTimeline } from './admin-timeline.js'
import { apiKeyView, checkpointView, clusterView, organizationView, projectView, secretView, serviceAccountView } from './admin-views.js'

/** The admin API's routes as one table: each operation's method, path and handler (admin-routes.ts serves them). */

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
export const BODY_LIMIT = 1024 * 1024
const FIXTURE_BODY_LIMIT = 256 * 1024 * 1024

export interface Call {
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: AdminQuery
  readonly body: unknown
}

export interface Answer {
  readonly status: number
  readonly body: unknown
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
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

const NOTHING = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }

/** Every admin route: the one table the router, the 405 answers and the OpenAPI test read. */
export function adminRoutesTable(deps: AdminDeps): readonly AdminRoute[] {
  const now = (): number => deps.clock.now()
  const records = new AdminRecords(deps.store, now)
  const credentials = new AdminCredentials(deps.store, now)
  const time = new AdminTime(deps.store, deps.clock, deps.seed, records)
  const timeline = new AdminTimeline(deps.store, records, now)
  const restores = new AdminRestoreJobs(deps.store, records, now, deps.restoreTiming ?? DEFAULT_RESTORE_TIMING)
  const snapshots = new AdminSnapshots(deps.store, records, now)
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

    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshotSchedule',
      handle: async ({ params }) => ok(await snapshots.schedule(params['groupId'], params['clusterId'])),
    },
    {
      method: 'PUT',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshotSchedule',
      handle: async ({ params, body }) => ok(await snapshots.putSchedule(params['groupId'], params['clusterId'], body)),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshots',
      handle: async ({ params, query }) => {
        const page = await snapshots.list(params['groupId'], params['clusterId'], () => query.page())
        return ok({ results: page.items.map(snapshotView), totalCount: page.totalCount })
      },
    },
    {
      method: 'POST',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshots',
      handle: async ({ params, body }) => created(snapshotView(await snapshots.create(params['groupId'], params['clusterId'], body))),
    },
    {
      method: 'GET',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshots/{snapshotId}',
      handle: async ({ params }) => ok(snapshotView(await snapshots.snapshot(params['groupId'], params['clusterId'], params['snapshotId']))),
    },
    {
      method: 'DELETE',
      path: '/groups/{groupId}/clusters/{clusterId}/snapshots/{snapshotId}',
      handle: async ({ params }) => ok(await snapshots.delete(params['groupId'], params['clusterId'], params['snapshotId'])),
    },

    { method: 'POST', path: '/reset', handle: async ({ query }) => ok(await resetStore(deps.store, query.flag('demo'), deps.clock)) },

    { method: 'GET', path: '/clock', handle: async () => ok(time.view()) },
    { method: 'POST', path: '/clock', handle: async ({ body }) => ok(await time.change(body)) },
  ]
}
