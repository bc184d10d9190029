import { canReadCheckpoints } from './roles.js'
import { partById } from './deployment.js'
import { ApiError } from '../errors.js'
import type { CheckpointPage, PageRequest, Store } from '../storage/store.js'
import type { Checkpoint, Cluster, Principal, Project } from './types.js'
import { allWithSnapshotRule, snapshotRuleOf, withSnapshotRule } from './legacy-backup/restorability.js'

/**
 * Proof that a caller may read one project's checkpoints. Only `CheckpointService.authorize` makes one,
 * and every read takes one, so no route can reach checkpoints without the authorization step.
 */
export interface GroupAccess {
  readonly project: Project
  readonly principal: Principal
  readonly [grant]: true
}
declare const grant: unique symbol

/** A value as of the clock, and the clock milliseconds until which it holds while nothing is written. */
export interface Holding<T> {
  readonly value: T
  readonly until: number
}

/** How the request names the cluster: by name (Atlas) or by id (Ops Manager). */
export type ClusterRef = { readonly by: 'name'; readonly name: string } | { readonly by: 'id'; readonly id: string }

/** The read side of checkpoints, independent of any API dialect. */
export class CheckpointService {
  /** `now`: the server's clock (epoch ms), which decides which snapshots are kept (legacy-backup/restorability.ts). */
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The clock as an ISO instant with whole seconds. */
  nowIso(): string {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
  }

  /** 404 GROUP_NOT_FOUND for an unknown project, then 401 USER_UNAUTHORIZED without a reading role. */
  async authorize(principal: Principal, groupId: string): Promise<GroupAccess> {
    const project = await this.store.getProject(groupId)
    if (!project) throw new ApiError('GROUP_NOT_FOUND', [groupId])
    if (!canReadCheckpoints(principal, project)) throw new ApiError('USER_UNAUTHORIZED')
    return { project, principal } as GroupAccess
  }

  /**
   * The cluster the path names, if it keeps checkpoints: 404 CLUSTER_NOT_FOUND when unknown, 400
   * CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP when it is backed up by Cloud Backup. By id (Ops Manager), the id
   * of a shard or config server replica set of a cluster (its own cluster entry, deployment.ts) names that
   * replica set, which keeps no checkpoints of its own: its list is empty (as the cluster's backup allows).
   */
  async cluster(access: GroupAccess, ref: ClusterRef): Promise<Cluster> {
    const cluster = await this.anyCluster(access, ref)
    if (cluster.backup === 'CLOUD') throw new ApiError('CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP')
    return cluster
  }

  /** The cluster the path names, whatever its backup (the legacy backup routes answer Cloud Backup clusters their own way). */
  async anyCluster(access: GroupAccess, ref: ClusterRef): Promise<Cluster> {
    const groupId = access.project.id
    const cluster =
      ref.by === 'name'
        ? await this.store.getClusterByName(groupId, ref.name)
        : ((await this.store.getClusterById(groupId, ref.id)) ?? (await this.#partAsCluster(groupId, ref.id)))
    if (!cluster) {
      throw ref.by === 'name'
        ? new ApiError('CLUSTER_NAME_NOT_FOUND', [ref.name, groupId])
        : new ApiError('CLUSTER_ID_NOT_FOUND', [ref.id, groupId])
    }
    return cluster
  }

  /** A part of one of the project's clusters, as a replica set of its own (no checkpoints are ever stored under its id). */
  async #partAsCluster(groupId: string, id: string): Promise<Cluster | undefined> {
    for (const owner of await this.store.listClustersOfProject(groupId)) {
      const part = partById(owner, id)
      if (part === undefined) continue
      return {
        ...owner,
        id: part.id,
        type: 'REPLICASET',
        shards: [{ shardName: part.shardName ?? part.replicaSetName, replicaSetName: part.replicaSetName }],
        configServer: null,
        checkpointIntervalMinutes: null,
      }
    }
    return undefined
  }

  /**
   * One page of the cluster's checkpoints, newest first, and until when (clock milliseconds) it holds if
   * nothing is written: restorability moves with the clock when a base snapshot expires (P-N4).
   */
  async list(_access: GroupAccess, cluster: Cluster, page: PageRequest): Promise<Holding<CheckpointPage>> {
    const [result, rule] = await Promise.all([this.store.pageCheckpoints(cluster.id, page), snapshotRuleOf(this.store, cluster, this.nowIso())])
    const items = allWithSnapshotRule(result.items, rule.floor)
    return { value: items.every((c, i) => c === result.items[i]) ? result : { ...result, items }, until: rule.until }
  }

  /** 404 CHECKPOINT_NOT_FOUND when unknown or of another cluster; `clusterLabel` is how the path named it. */
  async get(_access: GroupAccess, cluster: Cluster, checkpointId: string, clusterLabel: string): Promise<Holding<Checkpoint>> {
    const checkpoint = await this.store.getCheckpoint(cluster.id, checkpointId)
    if (!checkpoint) throw new ApiError('CHECKPOINT_NOT_FOUND', [checkpointId, clusterLabel])
    const rule = await snapshotRuleOf(this.store, cluster, this.nowIso())
    return { value: withSnapshotRule(checkpoint, rule.floor), until: rule.until }
  }
}
