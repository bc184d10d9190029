import { allClustersResult } from '../dialects/all-clusters-view.js'
import { CLUSTER_VIEWS } from '../dialects/atlas/cluster-views.js'
import { atlasGroupView, atlasOrganizationView } from '../dialects/atlas/group-views.js'
import { writeDoubles } from '../dialects/atlas/jackson-double.js'
import { CLUSTER_RESOURCE, SINGLE_VERSION_RESOURCE } from '../dialects/atlas-v2/resource-versions.js'
import type { DiscoveryOperation } from '../dialects/dialect.js'
import { apiUrl, type DiscoveryContext } from '../dialects/discovery-context.js'
import { backupConfigView, clusterEntries, clusterEntryView } from '../dialects/ops-manager-v1/cluster-entries.js'
import { opsManagerGroupView, opsManagerOrganizationView } from '../dialects/ops-manager-v1/group-views.js'
import { pageOf, pageSlice } from '../dialects/page-links.js'
import type { GroupAccess } from '../domain/checkpoint-service.js'
import { startsWithIgnoringCase, type DiscoveryService } from '../domain/discovery-service.js'
import type { Cluster, Organization, Principal, Project } from '../domain/types.js'
import { ApiError } from '../errors.js'
import { parseDiscoveryPath } from './discovery-params.js'
import type { HandlerCall } from './handler-call.js'
import { parseQuery, type OperationParams, type ParsedQuery } from './query-params.js'
import type { RateScope } from './rate-scope.js'
import { serializeSuccess } from './render.js'

/** One discovery call, as the pipeline hands it over once the caller is authenticated. */
export type DiscoveryCall = HandlerCall<DiscoveryOperation>

/** A discovery answer, and what remembering it needs (answer-cache.ts). */
export interface DiscoveryAnswer {
  readonly body: string
  readonly contentType: string
  readonly rate: RateScope | undefined
  /** The version's Deprecation and Sunset headers. */
  readonly headers: Readonly<Record<string, string>>
}

export interface DiscoveryDeps {
  readonly discovery: DiscoveryService
  readonly connectionDomain: string
  /** Answer 410 VERSION_GONE past a version's sunset date. */
  readonly enforceSunset: boolean
  /** The clock, in milliseconds. */
  readonly now: () => number
}

const LISTS: ReadonlySet<DiscoveryOperation> = new Set([
  'listGroups',
  'listGroupClusters',
  'listOrgs',
  'getOrgGroups',
  'listClusterDetails',
  'listBackupConfigs',
])
const NAME_FILTER: OperationParams = { texts: ['name'] }
const RETAINED_BACKUPS: OperationParams = { flags: ['includeDeletedWithRetainedBackups'] }

/**
 * The read-only discovery endpoints (docs/behaviour.md#discovery), after authentication, in the pipeline's
 * order of checks: media type (Atlas v2: the resource version, its deprecation headers, and with
 * WAYMARK_ENFORCE_SUNSET a 410 past its sunset), path then query syntax, the access list, the organization
 * or project and the caller's right to it, the rate limit (Atlas v2), the lookups, the body.
 */
export class DiscoveryHandler {
  constructor(private readonly deps: DiscoveryDeps) {}

  async answer(call: DiscoveryCall): Promise<DiscoveryAnswer> {
    const { dialect, operation, principal } = call
    const clusters = operation === 'listGroupClusters' || operation === 'getGroupCluster'
    const negotiated = dialect.negotiate(call.request.accept, clusters ? CLUSTER_RESOURCE : SINGLE_VERSION_RESOURCE)
    Object.assign(call.headers, negotiated.headers)
    const { sunset } = negotiated.version
    if (sunset !== undefined && this.deps.enforceSunset && this.deps.now() >= Date.parse(sunset)) throw new ApiError('VERSION_GONE')

    const path = parseDiscoveryPath(dialect, operation, call.params)
    const own = operation === 'listOrgs' || operation === 'getOrgGroups' ? NAME_FILTER : operation === 'listGroupClusters' && dialect.limitsDiscovery ? RETAINED_BACKUPS : {}
    const query = parseQuery(call.search, LISTS.has(operation), own)
    call.formatKnown(query.format)
    call.checkAccessList()

    const { discovery } = this.deps
    const access = path.groupId === undefined ? undefined : await discovery.authorize(principal, path.groupId)
    const org = path.orgId === undefined ? undefined : await discovery.organization(principal, path.orgId)
    const rate = dialect.limitsDiscovery ? rateScope(operation, principal, path.groupId, path.orgId) : undefined
    if (rate !== undefined) call.takeToken(rate)

    const ctx: DiscoveryContext = { dialect, baseUrl: call.request.baseUrl, connectionDomain: this.deps.connectionDomain, now: this.deps.now() }
    const body = await this.#body(ctx, operation, { principal, access, org, groupName: path.groupName, clusterRef: path.clusterRef, version: negotiated.version.date }, query)
    const text = writeDoubles(serializeSuccess(body, LISTS.has(operation) ? 'list' : 'entity', query.format))
    return { body: text, contentType: negotiated.contentType, rate, headers: negotiated.headers }
  }

  async #body(ctx: DiscoveryContext, operation: DiscoveryOperation, on: Subject, query: ParsedQuery): Promise<object> {
    const { discovery } = this.deps
    const { paging, carried } = query
    const atlas = ctx.dialect.family === 'atlas'
    const page = <T>(path: string, all: readonly T[], view: (item: T) => object) => pageOf(apiUrl(ctx, path), carried, paging, all, view)
    switch (operation) {
      case 'listGroups': {
        const projects = await discovery.visibleProjects(on.principal)
        return page('/groups', projects, await this.#projectView(ctx, pageSlice(projects, paging), false))
      }
      case 'getGroup':
      case 'getGroupByName': {
        const access = on.access ?? (await discovery.projectByName(on.principal, on.groupName ?? '', atlas ? 'GROUP_NAME_NOT_FOUND' : 'GROUP_NAME_NOT_FOUND_OPS_MANAGER'))
        return (await this.#projectView(ctx, [access.project], true))(access.project)
      }
      case 'getOrgGroups': {
        const org = on.org as Organization
        const name = query.given.get('name')
        const projects = (await discovery.visibleProjects(on.principal)).filter((p) => p.orgId === org.id && (typeof name !== 'string' || startsWithIgnoringCase(p.name, name)))
        return page(`/orgs/${org.id}/groups`, projects, await this.#projectView(ctx, pageSlice(projects, paging), false))
      }
      case 'listOrgs': {
        const name = query.given.get('name')
        const orgs = (await discovery.organizations(on.principal)).filter((o) => typeof name !== 'string' || startsWithIgnoringCase(o.name, name))
        return page('/orgs', orgs, (o) => (atlas ? atlasOrganizationView(ctx, o, false) : opsManagerOrganizationView(ctx, o)))
      }
      case 'getOrg': {
        const org = on.org as Organization
        return atlas ? atlasOrganizationView(ctx, org, true) : opsManagerOrganizationView(ctx, org)
      }
      case 'listGroupClusters': {
        const access = on.access as GroupAccess
        const base = `/groups/${access.project.id}/clusters`
        if (atlas) return page(base, await discovery.clustersByName(access), (c) => this.#clusterView(ctx, on.version, c))
        return page(base, clusterEntries(await discovery.clustersById(access)), (e) => clusterEntryView(ctx, e))
      }
      case 'getGroupCluster': {
        const access = on.access as GroupAccess
        const ref = on.clusterRef as string
        if (atlas) return this.#clusterView(ctx, on.version, await discovery.clusterByName(access, ref))
        return clusterEntryView(ctx, await discovery.clusterEntry(access, ref))
      }
      case 'listBackupConfigs': {
        const access = on.access as GroupAccess
        const configs = (await discovery.clustersById(access)).map((cluster) => ({ cluster }))
        return page(`/groups/${access.project.id}/backupConfigs`, configs, (e) => backupConfigView(ctx, e, false))
      }
      case 'getBackupConfig': {
        const access = on.access as GroupAccess
        return backupConfigView(ctx, await discovery.clusterEntry(access, on.clusterRef as string), true)
      }
      case 'listClusterDetails': {
        const org = (await discovery.organizations(on.principal))[0]
        const withClusters: { project: Project; clusters: Cluster[] }[] = []
        for (const project of await discovery.visibleProjects(on.principal)) {
          const clusters = await discovery.clustersByName(await discovery.authorize(on.principal, project.id))
          if (clusters.length > 0) withClusters.push({ project, clusters })
        }
        return page('/clusters', withClusters, ({ project, clusters }) => allClustersResult(ctx, project, org, clusters))
      }
    }
  }

  /** The dialect's view of `projects` (the page's): it needs each one's clusters (counts, and Ops Manager's host counts). */
  async #projectView(ctx: DiscoveryContext, projects: readonly Project[], standalone: boolean): Promise<(p: Project) => object> {
    const clusters = new Map<string, Cluster[]>()
    for (const project of projects) clusters.set(project.id, await this.deps.discovery.clustersOf(project))
    return (p) => {
      const of = clusters.get(p.id) ?? []
      return ctx.dialect.family === 'atlas' ? atlasGroupView(ctx, p, of.length, standalone) : opsManagerGroupView(ctx, p, of)
    }
  }

  #clusterView(ctx: DiscoveryContext, version: string, cluster: Cluster): object {
    const view = CLUSTER_VIEWS[version]
    if (view === undefined) throw new Error(`no cluster view for resource version ${version}`)
    return view(ctx, cluster)
  }
}

/** What the path named, checked and authorized. */
interface Subject {
  readonly principal: Principal
  readonly access: GroupAccess | undefined
  readonly org: Organization | undefined
  readonly groupName: string | undefined
  readonly clusterRef: string | undefined
  /** The resource version served. */
  readonly version: string
}

/** The Atlas v2 bucket of an operation (docs/behaviour.md#discovery): by project, organization or caller. */
function rateScope(operation: DiscoveryOperation, principal: Principal, groupId: string | undefined, orgId: string | undefined): RateScope | undefined {
  switch (operation) {
    case 'getGroup':
      return { set: 'projects', key: `group:${groupId}` }
    case 'listGroups':
    case 'getGroupByName':
      return { set: 'projects', key: `caller:${principal.id}` }
    case 'listGroupClusters':
    case 'getGroupCluster':
      return { set: 'clusters', key: groupId ?? '' }
    case 'listClusterDetails':
      return { set: 'allClusters', key: principal.id }
    case 'getOrg':
    case 'getOrgGroups':
      return { set: 'organizations', key: orgId ?? '' }
    case 'listOrgs':
      return { set: 'organizationList', key: principal.id }
    default:
      return undefined
  }
}
