import { coverWithSnapshots } from '../domain/legacy-backup/snapshot-coverage.js'
import { allWithSnapshotRule, snapshotFloorOf, withSnapshotRule } from '../domain/legacy-backup/restorability.js'
import { DEFAULT_CHECKPOINT_INTERVAL_MINUTES, DEFAULT_POINT_IN_TIME_WINDOW_HOURS, validateScheduleChange } from '../domain/checkpoint-schedule.js'
import { isObjectId, newObjectId } from '../domain/ids.js'
import { CLUSTER_TYPES, type Checkpoint, type Cluster, type ClusterType, type Organization, type Project } from '../domain/types.js'
import { ApiError, type ErrorName } from '../errors.js'
import type { CheckpointPage, DeleteSummary, PageRequest, Store } from '../storage/store.js'
import { bodyObject, fromPath, mergePatch, only, validateEntry, type JsonObject } from './admin-bodies.js'
import { checkpointView, clusterView, organizationView, projectView } from './admin-views.js'

/** A path parameter that must be an ObjectId: 404 with the given error otherwise. */
export function objectIdParam(value: string | undefined, error: ErrorName): string {
  if (!isObjectId(value)) throw new ApiError(error, [value ?? ''])
  return value
}

/**
 * Organizations, projects, clusters and checkpoints of the admin API. Bodies are checked as fixture
 * entries (see admin-bodies.ts); ids left out of a create are generated; deletes cascade (see Store).
 */
export class AdminRecords {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  // --- organizations ---

  listOrganizations(): Promise<Organization[]> {
    return this.store.listOrganizations()
  }

  async organization(orgId: string | undefined): Promise<Organization> {
    const id = objectIdParam(orgId, 'INVALID_ORG_ID')
    const org = await this.store.getOrganization(id)
    if (!org) throw new ApiError('ORG_NOT_FOUND', [id])
    return org
  }

  async createOrganization(body: unknown): Promise<Organization> {
    const entry = withId(bodyObject(body), 'id')
    const org = await validateEntry('organizations', entry, this.store, this.date())
    if (await this.store.getOrganization(org.id)) throw new ApiError('DUPLICATE_ID', ['Organization', org.id])
    await this.store.apply(only('organizations', org))
    return this.organization(org.id)
  }

  async updateOrganization(orgId: string | undefined, body: unknown): Promise<Organization> {
    const current = await this.organization(orgId)
    const entry = mergePatch(organizationView(current) as JsonObject, bodyObject(body), ['id'])
    await this.store.apply(only('organizations', await validateEntry('organizations', entry, this.store, this.date())))
    return this.organization(current.id)
  }

  async deleteOrganization(orgId: string | undefined): Promise<DeleteSummary> {
    const id = objectIdParam(orgId, 'INVALID_ORG_ID')
    const deleted = await this.store.deleteOrganization(id)
    if (deleted.organizations === 0) throw new ApiError('ORG_NOT_FOUND', [id])
    return deleted
  }

  // --- projects ---

  async listProjects(orgId: string | undefined): Promise<Project[]> {
    const all = await this.store.listProjects()
    return orgId === undefined ? all : all.filter((p) => p.orgId === orgId)
  }

  async project(groupId: string | undefined): Promise<Project> {
    const id = objectIdParam(groupId, 'INVALID_GROUP_ID')
    const project = await this.store.getProject(id)
    if (!project) throw new ApiError('GROUP_NOT_FOUND', [id])
    return project
  }

  async createProject(body: unknown): Promise<Project> {
    const project = await validateEntry('projects', withId(bodyObject(body), 'id'), this.store, this.date(), async (p) => {
      if (await this.store.getProject(p.id)) throw new ApiError('DUPLICATE_ID', ['Project', p.id])
    })
    await this.store.apply(only('projects', project))
    return this.project(project.id)
  }

  async updateProject(groupId: string | undefined, body: unknown): Promise<Project> {
    const current = await this.project(groupId)
    const entry = mergePatch(projectView(current) as JsonObject, bodyObject(body), ['id', 'orgId'])
    await this.store.apply(only('projects', await validateEntry('projects', entry, this.store, this.date())))
    return this.project(current.id)
  }

  async deleteProject(groupId: string | undefined): Promise<DeleteSummary> {
    const id = objectIdParam(groupId, 'INVALID_GROUP_ID')
    const deleted = await this.store.deleteProject(id)
    if (deleted.projects === 0) throw new ApiError('GROUP_NOT_FOUND', [id])
    return deleted
  }

  // --- clusters ---

  async listClusters(groupId: string | undefined): Promise<Cluster[]> {
    const project = await this.project(groupId)
    return (await this.store.listClusters()).filter((c) => c.groupId === project.id)
  }

  async cluster(groupId: string | undefined, clusterId: string | undefined): Promise<Cluster> {
    const project = await this.project(groupId)
    const id = objectIdParam(clusterId, 'INVALID_CLUSTER_ID')
    const cluster = await this.store.getClusterById(project.id, id)
    if (!cluster) throw new ApiError('CLUSTER_ID_NOT_FOUND', [id, project.id])
    return cluster
  }

  async createCluster(groupId: string | undefined, body: unknown): Promise<Cluster> {
    const project = await this.project(groupId)
    const entry = fromPath(withId(bodyObject(body), 'id'), { groupId: project.id })
    checkSchedule(defaultSchedule(entry), entry)
    const cluster = await validateEntry('clusters', entry, this.store, this.date(), async (c) => {
      if (await this.store.findCluster(c.id)) throw new ApiError('DUPLICATE_ID', ['Cluster', c.id])
    })
    await this.store.apply(only('clusters', cluster))
    await coverWithSnapshots(this.store, [cluster.id], this.now())
    return this.cluster(project.id, cluster.id)
  }

  async updateCluster(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<Cluster> {
    const current = await this.cluster(groupId, clusterId)
    const patch = bodyObject(body)
    const entry = mergePatch(clusterView(current) as JsonObject, patch, ['id', 'groupId'])
    checkSchedule({ ...current, type: typeOf(entry) ?? current.type }, patch)
    await this.store.apply(only('clusters', await validateEntry('clusters', entry, this.store, this.date())))
    return this.cluster(current.groupId, current.id)
  }

  async deleteCluster(groupId: string | undefined, clusterId: string | undefined): Promise<DeleteSummary> {
    const cluster = await this.cluster(groupId, clusterId)
    return this.store.deleteCluster(cluster.groupId, cluster.id)
  }

  // --- checkpoints ---

  /** `page` reads the query: it is called after the path parameters are checked, as the documented order has it. */
  async pageCheckpoints(groupId: string | undefined, clusterId: string | undefined, page: () => PageRequest): Promise<CheckpointPage> {
    const cluster = await this.cluster(groupId, clusterId)
    const result = await this.store.pageCheckpoints(cluster.id, page())
    return { ...result, items: allWithSnapshotRule(result.items, await snapshotFloorOf(this.store, cluster, this.nowIso())) }
  }

  /** The clock as an ISO instant with whole seconds. */
  nowIso(): string {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
  }

  /** The checkpoint as the views show it: not restorable without a base snapshot (P-N4). */
  async checkpoint(groupId: string | undefined, clusterId: string | undefined, checkpointId: string | undefined): Promise<Checkpoint> {
    const { cluster, checkpoint } = await this.#storedCheckpoint(groupId, clusterId, checkpointId)
    return withSnapshotRule(checkpoint, await snapshotFloorOf(this.store, cluster, this.nowIso()))
  }

  /** The checkpoint as stored (what an update merges into). */
  async #storedCheckpoint(groupId: string | undefined, clusterId: string | undefined, checkpointId: string | undefined): Promise<{ cluster: Cluster; checkpoint: Checkpoint }> {
    const cluster = await this.cluster(groupId, clusterId)
    const id = objectIdParam(checkpointId, 'INVALID_CHECKPOINT_ID')
    const checkpoint = await this.store.getCheckpoint(cluster.id, id)
    if (!checkpoint) throw new ApiError('CHECKPOINT_NOT_FOUND', [id, cluster.id])
    return { cluster, checkpoint }
  }

  async createCheckpoint(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<Checkpoint> {
    const cluster = await this.cluster(groupId, clusterId)
    const entry = fromPath(withId(bodyObject(body), 'id'), { clusterId: cluster.id, groupId: cluster.groupId })
    const checkpoint = await validateEntry('checkpoints', entry, this.store, this.date())
    if (await this.store.findCheckpoint(checkpoint.id)) throw new ApiError('DUPLICATE_ID', ['Checkpoint', checkpoint.id])
    await this.store.apply(only('checkpoints', checkpoint))
    await coverWithSnapshots(this.store, [cluster.id], this.now())
    return this.checkpoint(cluster.groupId, cluster.id, checkpoint.id)
  }

  async updateCheckpoint(
    groupId: string | undefined,
    clusterId: string | undefined,
    checkpointId: string | undefined,
    body: unknown,
  ): Promise<Checkpoint> {
    const { checkpoint: current } = await this.#storedCheckpoint(groupId, clusterId, checkpointId)
    const entry = mergePatch(checkpointView(current) as JsonObject, bodyObject(body), ['id', 'clusterId', 'groupId'])
    await this.store.apply(only('checkpoints', await validateEntry('checkpoints', entry, this.store, this.date())))
    await coverWithSnapshots(this.store, [current.clusterId], this.now())
    return this.checkpoint(current.groupId, current.clusterId, current.id)
  }

  async deleteCheckpoint(groupId: string | undefined, clusterId: string | undefined, checkpointId: string | undefined): Promise<DeleteSummary> {
    const current = await this.checkpoint(groupId, clusterId, checkpointId)
    if (!(await this.store.deleteCheckpoint(current.clusterId, current.id))) {
      throw new ApiError('CHECKPOINT_NOT_FOUND', [current.id, current.clusterId])
    }
    return { organizations: 0, projects: 0, clusters: 0, checkpoints: 1, apiKeys: 0, serviceAccounts: 0 }
  }

  private date(): Date {
    return new Date(this.now())
  }
}

/** The body with a generated ObjectId in `field` when it has none. */
function withId(body: JsonObject, field: string): JsonObject {
  return body[field] === undefined ? { ...body, [field]: newObjectId() } : body
}

function typeOf(entry: JsonObject): ClusterType | undefined {
  const type = entry['type']
  return (CLUSTER_TYPES as readonly unknown[]).includes(type) ? (type as ClusterType) : undefined
}

/** The schedule a new cluster starts from: off, the default window; the type the body gives. */
function defaultSchedule(entry: JsonObject): Cluster {
  return {
    id: '',
    groupId: '',
    name: '',
    type: typeOf(entry) ?? 'SHARDED',
    backup: 'LEGACY',
    featureCompatibilityVersion: '',
    shards: [],
    configServer: null,
    checkpointIntervalMinutes: DEFAULT_CHECKPOINT_INTERVAL_MINUTES,
    pointInTimeWindowHours: DEFAULT_POINT_IN_TIME_WINDOW_HOURS,
  }
}

/**
 * The schedule fields of a body, through the domain's one check (validateScheduleChange), so the admin
 * API answers the real service's errors: 400 CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET,
 * INVALID_CLUSTER_CHECKPOINT_INTERVAL, INVALID_ATTRIBUTE (pointInTimeWindowHours).
 */
function checkSchedule(cluster: Cluster, body: JsonObject): void {
  validateScheduleChange(cluster, {
    ...(body['checkpointIntervalMinutes'] !== undefined ? { checkpointIntervalMinutes: body['checkpointIntervalMinutes'] } : {}),
    ...(body['pointInTimeWindowHours'] !== undefined ? { pointInTimeWindowHours: body['pointInTimeWindowHours'] } : {}),
  })
}
