import type { ResourceVersion, VersionedResource } from './atlas-v2/resource-versions.js'

/**
 * An API dialect: one of the public APIs Waymark speaks. The three dialects share the domain and the
 * operations; a dialect says only where its routes live, how the cluster is named in the path, which
 * media types it speaks and which link relations its entities carry.
 */
export interface Dialect {
  /** e.g. "atlas-v2"; used in logs and route names. */
  readonly name: string
  /** Atlas (v2 and v1.0: clusters by name, Atlas bodies) or Ops Manager (clusters by id, its own bodies). */
  readonly family: 'atlas' | 'ops-manager'
  /** e.g. "/api/atlas/v2". */
  readonly prefix: string
  /** The collection segment: "backupCheckpoints" (Atlas) or "checkpoints" (Ops Manager). */
  readonly collection: string
  /** Atlas addresses clusters by name, Ops Manager by 24-hex id. */
  readonly clusterKey: 'clusterName' | 'clusterId'
  /** The base of the non-self link relations, e.g. "https://cloud.mongodb.com" → ".../cluster". */
  readonly relationBase: string
  /** Whether the discovery endpoints take a rate-limit token (Atlas v2 only; docs/behaviour.md#discovery). */
  readonly limitsDiscovery: boolean
  /**
   * The success Content-Type of the checkpoint routes for a request's Accept header; throws ApiError 406
   * when the dialect cannot serve it. Versioned dialects resolve the resource version here.
   */
  contentType(accept: string | undefined): string
  /** The same for any resource: the version served, its Content-Type and its deprecation headers. */
  negotiate(accept: string | undefined, resource: VersionedResource): Negotiated
}

/** What the media type step decided. */
export interface Negotiated {
  readonly contentType: string
  /** The resource version whose body is served (Atlas v1.0 serves 2023-01-01; Ops Manager has no versions). */
  readonly version: ResourceVersion
  /** `Deprecation` and `Sunset` of a deprecated version, carried by every answer from this step on. */
  readonly headers: Readonly<Record<string, string>>
}

/** The operations of the checkpoint routes. */
export type CheckpointOperation = 'listCheckpoints' | 'getCheckpoint'

/** The read-only discovery operations (named after the upstream operationIds; the last two are Ops Manager's). */
export type DiscoveryOperation =
  | 'listGroups'
  | 'getGroup'
  | 'getGroupByName'
  | 'listGroupClusters'
  | 'getGroupCluster'
  | 'listOrgs'
  | 'getOrg'
  | 'getOrgGroups'
  | 'listClusterDetails'
  | 'listBackupConfigs'
  | 'getBackupConfig'

/**
 * The legacy backup resources around checkpoints (docs/behaviour.md#snapshot-schedule, #snapshots): one per
 * path; the method picks the operation (GET reads, PATCH updates, DELETE removes).
 */
export type LegacyBackupOperation = 'snapshotSchedule' | 'snapshots' | 'snapshot'

/** The restore-job operations (docs/behaviour.md#restore-jobs): one path, the method picks list or create. */
export type RestoreJobOperation = 'listRestoreJobs' | 'getRestoreJob' | 'createRestoreJob'

export type Operation = CheckpointOperation | DiscoveryOperation | LegacyBackupOperation | RestoreJobOperation

/** The methods each legacy backup path answers (others: 405 with these in `Allow`). */
export const LEGACY_BACKUP_METHODS: Readonly<Record<LegacyBackupOperation, readonly string[]>> = {
  snapshotSchedule: ['GET', 'HEAD', 'PATCH'],
  snapshots: ['GET', 'HEAD'],
  snapshot: ['GET', 'HEAD', 'PATCH', 'DELETE'],
}

export function isLegacyBackupOperation(operation: Operation): operation is LegacyBackupOperation {
  return operation === 'snapshotSchedule' || operation === 'snapshots' || operation === 'snapshot'
}

export interface ApiRoute {
  readonly dialect: Dialect
  readonly operation: Operation
}

export function isCheckpointOperation(operation: Operation): operation is CheckpointOperation {
  return operation === 'listCheckpoints' || operation === 'getCheckpoint'
}

/**
 * The path templates of a dialect's routes, e.g. `/api/atlas/v2/groups/{groupId}/…/{checkpointId}`.
 * `groups/byName/{groupName}` comes before `groups/{groupId}/…`: a literal segment wins over a parameter.
 */
export function dialectTemplates(dialect: Dialect): { readonly template: string; readonly route: ApiRoute; readonly methods?: readonly string[] }[] {
  const p = dialect.prefix
  const list = `${p}/groups/{groupId}/clusters/{${dialect.clusterKey}}/${dialect.collection}`
  const routes: [string, Operation][] = [
    [list, 'listCheckpoints'],
    [`${list}/{checkpointId}`, 'getCheckpoint'],
    [`${p}/groups`, 'listGroups'],
    [`${p}/groups/byName/{groupName}`, 'getGroupByName'],
    [`${p}/groups/{groupId}`, 'getGroup'],
    [`${p}/groups/{groupId}/clusters`, 'listGroupClusters'],
    [`${p}/groups/{groupId}/clusters/{${dialect.clusterKey}}`, 'getGroupCluster'],
    [`${p}/orgs`, 'listOrgs'],
    [`${p}/orgs/{orgId}`, 'getOrg'],
    [`${p}/orgs/{orgId}/groups`, 'getOrgGroups'],
    [`${p}/clusters`, 'listClusterDetails'],
  ]
  if (dialect.family === 'ops-manager') {
    routes.push([`${p}/groups/{groupId}/backupConfigs`, 'listBackupConfigs'], [`${p}/groups/{groupId}/backupConfigs/{clusterId}`, 'getBackupConfig'])
  }
  // Legacy backup: Ops Manager keeps the schedule under the cluster's backup configuration.
  const cluster = `${p}/groups/{groupId}/clusters/{${dialect.clusterKey}}`
  routes.push(
    [dialect.family === 'ops-manager' ? `${p}/groups/{groupId}/backupConfigs/{clusterId}/snapshotSchedule` : `${cluster}/snapshotSchedule`, 'snapshotSchedule'],
    [`${cluster}/snapshots`, 'snapshots'],
    [`${cluster}/snapshots/{snapshotId}`, 'snapshot'],
  )
  // Restore jobs: GET lists, POST creates; one job is only read (no legacy cancel exists, P-G1).
  const restoreJobs: [string, Operation, readonly string[]][] = [
    [`${cluster}/restoreJobs`, 'listRestoreJobs', ['GET', 'HEAD']],
    [`${cluster}/restoreJobs`, 'createRestoreJob', ['POST']],
    [`${cluster}/restoreJobs/{jobId}`, 'getRestoreJob', ['GET', 'HEAD']],
  ]
  return [
    ...routes.map(([template, operation]) => ({ template, route: { dialect, operation } })),
    ...restoreJobs.map(([template, operation, methods]) => ({ template, route: { dialect, operation }, methods })),
  ]
}

/** The methods a route answers: GET and HEAD, or a legacy backup path's own. */
export function routeMethods(operation: Operation): readonly string[] {
  return isLegacyBackupOperation(operation) ? LEGACY_BACKUP_METHODS[operation] : ['GET', 'HEAD']
}
