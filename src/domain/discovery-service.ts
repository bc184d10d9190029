import { ApiError, type ErrorName } from '../errors.js'
import type { Store } from '../storage/store.js'
import type { CheckpointService, GroupAccess } from './checkpoint-service.js'
import { partById, type ClusterPart } from './deployment.js'
import { canSeeProject } from './roles.js'
import type { Cluster, Organization, Principal, Project } from './types.js'

/**
 * The read side of the discovery endpoints (projects, organizations, clusters), independent of any
 * dialect. A caller sees exactly the projects it may read (roles.ts `canSeeProject`): an API key or a
 * service account belongs to one organization, so every list is of that organization's projects.
 */
export class DiscoveryService {
  constructor(
    private readonly store: Store,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** 404 GROUP_NOT_FOUND for an unknown project, then 401 USER_UNAUTHORIZED when the caller may not see it. */
  authorize(principal: Principal, groupId: string): Promise<GroupAccess> {
    return this.checkpoints.authorize(principal, groupId)
  }

  /** The projects the caller sees, by name (UTF-8 byte order) then id. */
  async visibleProjects(principal: Principal): Promise<Project[]> {
    const projects = await this.store.listProjectsOfOrganization(principal.orgId)
    return projects.filter((p) => canSeeProject(principal, p)).sort((a, b) => compareUtf8(a.name, b.name) || compareUtf8(a.id, b.id))
  }

  /**
   * The project of that exact name among those the caller sees: 404 `notFound` (the dialect's
   * GROUP_NAME_NOT_FOUND) when none, a project the caller may not see included, so a name reveals nothing;
   * 409 MULTIPLE_GROUPS when several (only in a store written before names were unique per organization).
   */
  async projectByName(principal: Principal, name: string, notFound: ErrorName): Promise<GroupAccess> {
    const matches = (await this.visibleProjects(principal)).filter((p) => p.name === name)
    const [project] = matches
    if (project === undefined) throw new ApiError(notFound, [name])
    if (matches.length > 1) throw new ApiError('MULTIPLE_GROUPS')
    return this.authorize(principal, project.id)
  }

  /** 404 ORG_NOT_FOUND for an unknown organization, then 401 USER_UNAUTHORIZED when it is not the caller's. */
  async organization(principal: Principal, orgId: string): Promise<Organization> {
    const org = await this.store.getOrganization(orgId)
    if (!org) throw new ApiError('ORG_NOT_FOUND', [orgId])
    if (principal.orgId !== org.id) throw new ApiError('USER_UNAUTHORIZED')
    return org
  }

  /** The organizations the caller belongs to: its own (any role; none if it was deleted meanwhile). */
  async organizations(principal: Principal): Promise<Organization[]> {
    const org = await this.store.getOrganization(principal.orgId)
    return org ? [org] : []
  }

  /** The project's clusters, by name (UTF-8 byte order): the Atlas order. */
  async clustersByName(access: GroupAccess): Promise<Cluster[]> {
    const clusters = await this.store.listClustersOfProject(access.project.id)
    return [...clusters].sort((a, b) => compareUtf8(a.name, b.name))
  }

  /** The project's clusters, newest id first: the Ops Manager order. */
  async clustersById(access: GroupAccess): Promise<Cluster[]> {
    const clusters = await this.store.listClustersOfProject(access.project.id)
    return [...clusters].sort((a, b) => compareUtf8(b.id, a.id))
  }

  /** An Atlas cluster by name: 404 CLUSTER_NOT_FOUND when the project has none of that name. */
  async clusterByName(access: GroupAccess, name: string): Promise<Cluster> {
    const cluster = await this.store.getClusterByName(access.project.id, name)
    if (!cluster) throw new ApiError('CLUSTER_NAME_NOT_FOUND', [name, access.project.id])
    return cluster
  }

  /**
   * An Ops Manager cluster entry by id: a cluster, or a shard or config server replica set of one (their ids
   * are derived, deployment.ts); 404 CLUSTER_NOT_FOUND otherwise.
   */
  async clusterEntry(access: GroupAccess, id: string): Promise<{ cluster: Cluster; part?: ClusterPart }> {
    const groupId = access.project.id
    const cluster = await this.store.getClusterById(groupId, id)
    if (cluster) return { cluster }
    for (const owner of await this.store.listClustersOfProject(groupId)) {
      const part = partById(owner, id)
      if (part) return { cluster: owner, part }
    }
    throw new ApiError('CLUSTER_ID_NOT_FOUND', [id, groupId])
  }

  /** The clusters of each project, for the all-clusters views and the project bodies. */
  clustersOf(project: Project): Promise<Cluster[]> {
    return this.store.listClustersOfProject(project.id)
  }

  /** An organization by id, whoever asks (the all-clusters views name each project's). */
  organizationById(orgId: string): Promise<Organization | undefined> {
    return this.store.getOrganization(orgId)
  }
}

/** Whether `text` starts with `prefix`, case-insensitively (the `name` filters of the organization lists). */
export function startsWithIgnoringCase(text: string, prefix: string): boolean {
  return text.toLowerCase().startsWith(prefix.toLowerCase())
}

/** UTF-8 byte order, which is code point order (JavaScript's `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}
