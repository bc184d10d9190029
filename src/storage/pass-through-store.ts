import type { ApiKey, Checkpoint, Cluster, IsoSeconds, ObjectIdHex, Organization, Project, ServiceAccount } from '../domain/types.js'
import type { Snapshot, SnapshotSettings } from '../domain/legacy-backup/snapshot-types.js'
import type { RestoreJob } from '../domain/legacy-backup/restore-types.js'
import type { RestoreJobPage } from './restore-job-store.js'
import type { CompletedFilter, SnapshotPage } from './snapshot-store.js'
import type { CheckpointBounds, CheckpointKey, CheckpointTally, NamedSecret, PageRequest, RevokedToken, Store } from './store.js'

/**
 * The calls a store wrapper hands on unchanged: nonce leases and secrets (never cached), whole-store
 * reads (`waymark copy`), reads after a key, lookups by id alone, availability and the timeline's reads
 * (the admin API only, which reads fresh anyway). {@link CachedStore} extends it and caches the rest.
 */
export abstract class PassThroughStore {
  constructor(protected readonly inner: Store) {}

  claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    return this.inner.claimNonceLease(nonce, owner, expiresAtSeconds)
  }

  getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.inner.getOrCreateSecret(name, create)
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }

  checkWritable(): Promise<boolean> {
    return this.inner.checkWritable()
  }

  listOrganizations(): Promise<Organization[]> {
    return this.inner.listOrganizations()
  }

  listProjects(): Promise<Project[]> {
    return this.inner.listProjects()
  }

  listClusters(): Promise<Cluster[]> {
    return this.inner.listClusters()
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.inner.listApiKeys()
  }

  listServiceAccounts(): Promise<ServiceAccount[]> {
    return this.inner.listServiceAccounts()
  }

  listSecrets(): Promise<NamedSecret[]> {
    return this.inner.listSecrets()
  }

  listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    return this.inner.listRevokedTokens(nowSeconds)
  }

  checkpointsAfter(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Promise<Checkpoint[]> {
    return this.inner.checkpointsAfter(clusterId, after, limit)
  }

  countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    return this.inner.countCheckpointsUpTo(clusterId, key)
  }

  findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.inner.findCheckpoint(checkpointId)
  }

  findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.inner.findCluster(clusterId)
  }

  listScheduledClusters(): Promise<Cluster[]> {
    return this.inner.listScheduledClusters()
  }

  // The timeline's reads (the admin API only, which reads fresh anyway): index lookups, never cached.

  tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
    return this.inner.tallyCheckpoints(clusterId, boundaries)
  }

  checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds> {
    return this.inner.checkpointBounds(clusterId)
  }

  checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]> {
    return this.inner.checkpointsBetween(clusterId, from, to, limit)
  }

  // Legacy backup reads: their answers follow the clock, so they are never cached.

  pageRestoreJobs(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, page: PageRequest): Promise<RestoreJobPage> {
    return this.inner.pageRestoreJobs(clusterId, batchId, page)
  }

  getRestoreJob(jobId: ObjectIdHex): Promise<RestoreJob | undefined> {
    return this.inner.getRestoreJob(jobId)
  }

  restoreJobsIntoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]> {
    return this.inner.restoreJobsIntoTarget(targetClusterId)
  }

  pageSnapshots(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, page: PageRequest): Promise<SnapshotPage> {
    return this.inner.pageSnapshots(clusterId, filter, now, page)
  }

  getSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.inner.getSnapshot(clusterId, snapshotId, now)
  }

  listSnapshotsOfCluster(clusterId: ObjectIdHex): Promise<Snapshot[]> {
    return this.inner.listSnapshotsOfCluster(clusterId)
  }

  baseSnapshot(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.inner.baseSnapshot(clusterId, at, now)
  }

  snapshotFloor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.inner.snapshotFloor(clusterId, now)
  }

  nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.inner.nextSnapshotExpiry(now)
  }

  getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    return this.inner.getSnapshotSettings(clusterId)
  }
}
