/**
 * Rows of the SQL engines (SQLite and PostgreSQL share table and column names) to domain objects and
 * back. JSON columns are text: parts are stored positionally to halve the row size.
 */
import type {
  ApiKey,
  Checkpoint,
  CheckpointPart,
  Cluster,
  ConfigServer,
  PartTypeName,
  Project,
  ResourceTag,
  RoleAssignment,
  ServiceAccount,
  ServiceAccountSecret,
  Shard,
} from '../domain/types.js'
import { DEPLOYMENT_FIELDS } from '../domain/deployment.js'

/** A `checkpoints` row as both engines return it (the SQL engines share column names). */
export interface CheckpointRow {
  readonly id: string
  readonly cluster_id: string
  readonly group_id: string
  readonly timestamp: string
  readonly started: string
  readonly completed: string | null
  /** 0/1 in SQLite, a BOOLEAN in PostgreSQL. */
  readonly restorable: number | boolean
  readonly parts: string
}

/** A `clusters` row. */
export interface ClusterRow {
  readonly id: string
  readonly group_id: string
  readonly name: string
  readonly type: Cluster['type']
  readonly backup: Cluster['backup']
  readonly fcv: string
  readonly shards: string
  readonly config_server: string | null
  /** 15, 30 or 60; NULL when checkpoints are off. */
  readonly checkpoint_interval_min: number | null
  readonly pit_window_hours: number
  /** JSON of the deployment fields that are set ({@link DEPLOYMENT_FIELDS}); NULL when none is. */
  readonly deployment: string | null
}

/** A `projects` row. */
export interface ProjectRow {
  readonly id: string
  readonly org_id: string
  readonly name: string
  readonly created_at: string | null
  /** JSON `[{key, value}]`; NULL when the project has no tags field. */
  readonly tags: string | null
}

/** The JSON kept in `clusters.deployment` (the fields of {@link DEPLOYMENT_FIELDS}): the set fields only, or null when none is. */
export function deploymentToJson(cluster: Cluster): string | null {
  const set: Record<string, unknown> = {}
  for (const field of DEPLOYMENT_FIELDS) if (cluster[field] !== undefined) set[field] = cluster[field]
  return Object.keys(set).length === 0 ? null : JSON.stringify(set)
}

/** The fields a `clusters.deployment` value sets, in {@link DEPLOYMENT_FIELDS} order. */
function deploymentFromJson(json: string | null): Partial<Pick<Cluster, (typeof DEPLOYMENT_FIELDS)[number]>> {
  if (json === null) return {}
  const stored = JSON.parse(json) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of DEPLOYMENT_FIELDS) if (stored[field] !== undefined) out[field] = stored[field]
  return out
}

/** The JSON kept in `projects.tags`, or null when the project has no tags field. */
export function tagsToJson(tags: readonly ResourceTag[] | undefined): string | null {
  return tags === undefined ? null : JSON.stringify(tags.map((t) => ({ key: t.key, value: t.value })))
}

/** A project from its row; `createdAt` and `tags` only when stored. */
export function projectFromRow(row: ProjectRow): Project {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    ...(row.created_at !== null ? { createdAt: row.created_at } : {}),
    ...(row.tags !== null ? { tags: JSON.parse(row.tags) as ResourceTag[] } : {}),
  }
}

/** An `api_keys` row. */
export interface ApiKeyRow {
  readonly public_key: string
  readonly org_id: string
  readonly description: string
  readonly digest_ha1: string
  readonly roles: string
  readonly access_list: string
  readonly created_at: string
}

export interface ServiceAccountRow {
  readonly client_id: string
  readonly uid: string
  readonly org_id: string
  readonly name: string
  readonly description: string
  readonly roles: string
  readonly secrets: string
  readonly access_list: string
  readonly created_at: string
}

function canonicalRole(r: RoleAssignment): RoleAssignment {
  return 'groupId' in r
    ? { groupId: r.groupId, roleName: r.roleName }
    : { orgId: r.orgId, roleName: r.roleName }
}

function canonicalConfigServer(c: ConfigServer): ConfigServer {
  return c.typeName === 'CONFIG_SERVER'
    ? { typeName: 'CONFIG_SERVER', hostIds: [...c.hostIds] }
    : { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: c.replicaSetName }
}

/**
 * A stored part: `[typeName, replicaSetName, shardName, hostId, tokenDiscovered, date, increment]`, with
 * null for an absent name. Positional rather than keyed because parts are most of a checkpoint row: this
 * halves their size, and with it the time a million-checkpoint load spends writing (measured: see
 * bench/sqlite-paging.mjs).
 */
type StoredPart = [PartTypeName, string | null, string | null, string | null, boolean, string, number]

/*
 * UNDISCOVERED_TOKEN: how SQL tells, without parsing, that a stored `parts` value has a part whose token
 * was not discovered (the partial index `checkpoints_undiscovered` of both engines, and the timeline's
 * queries): the text `,false,"` followed by a digit. In a positional part the only boolean is
 * `tokenDiscovered`, followed by the token's date (`…,false,"2026-…`). Nowhere else can that text occur:
 * inside a JSON string a `"` is escaped (`\"`), so the `"` is a real quote; a closing quote is followed by
 * `,` or `]`, never a digit, so it opens the date, and the `false` before it is the boolean itself. Parts
 * stored as objects (before the positional form) have `"tokenDiscovered":false`, an exact key. Changing
 * the stored form means a migration that rebuilds that index.
 */

/** The JSON kept in `checkpoints.parts` (see {@link StoredPart}). */
export function partsToJson(parts: readonly CheckpointPart[]): string {
  return JSON.stringify(
    parts.map((p): StoredPart => [
      p.typeName,
      p.replicaSetName ?? null,
      p.shardName ?? null,
      p.hostId ?? null,
      p.tokenDiscovered,
      p.tokenTimestamp.date,
      p.tokenTimestamp.increment,
    ]),
  )
}

/** A part with only the fields it has, in the domain's key order. */
function canonicalPart(p: CheckpointPart): CheckpointPart {
  return {
    typeName: p.typeName,
    ...(p.replicaSetName !== undefined ? { replicaSetName: p.replicaSetName } : {}),
    ...(p.shardName !== undefined ? { shardName: p.shardName } : {}),
    ...(p.hostId !== undefined ? { hostId: p.hostId } : {}),
    tokenDiscovered: p.tokenDiscovered,
    tokenTimestamp: { date: p.tokenTimestamp.date, increment: p.tokenTimestamp.increment },
  }
}

/**
 * The parts of a `checkpoints.parts` value, each with only the fields it has, in the domain's key order.
 * Parts stored as objects (databases written before the positional form) are read too.
 */
export function partsFromJson(json: string): CheckpointPart[] {
  return (JSON.parse(json) as Array<StoredPart | CheckpointPart>).map((stored) => {
    if (!Array.isArray(stored)) return canonicalPart(stored)
    const [typeName, replicaSetName, shardName, hostId, tokenDiscovered, date, increment] = stored
    return {
      typeName,
      ...(replicaSetName !== null ? { replicaSetName } : {}),
      ...(shardName !== null ? { shardName } : {}),
      ...(hostId !== null ? { hostId } : {}),
      tokenDiscovered,
      tokenTimestamp: { date, increment },
    }
  })
}

/** The JSON kept in `clusters.shards`. */
export function shardsToJson(shards: readonly Shard[]): string {
  return JSON.stringify(shards.map((s) => ({ shardName: s.shardName, replicaSetName: s.replicaSetName })))
}

/** The JSON kept in `clusters.config_server`, or null. */
export function configServerToJson(c: ConfigServer | null): string | null {
  return c === null ? null : JSON.stringify(canonicalConfigServer(c))
}

/** The JSON kept in `api_keys.roles`. */
export function rolesToJson(roles: readonly RoleAssignment[]): string {
  return JSON.stringify(roles.map(canonicalRole))
}

/** A `roles` value without the roles on project `groupId`; undefined when it has none to drop. */
export function rolesJsonWithoutGroup(json: string, groupId: string): string | undefined {
  const roles = JSON.parse(json) as RoleAssignment[]
  const kept = roles.filter((r) => !('groupId' in r && r.groupId === groupId))
  return kept.length === roles.length ? undefined : rolesToJson(kept)
}

/** A LIKE pattern matching the `roles` values that may hold a role on project `groupId` (ids are hex). */
export function rolesOnGroupPattern(groupId: string): string {
  return `%"groupId":"${groupId}"%`
}

/** A checkpoint from its row; `completed` is left out when NULL. */
export function checkpointFromRow(row: CheckpointRow): Checkpoint {
  const parts = partsFromJson(row.parts)
  return {
    id: row.id,
    clusterId: row.cluster_id,
    groupId: row.group_id,
    started: row.started,
    ...(row.completed !== null ? { completed: row.completed } : {}),
    timestamp: row.timestamp,
    restorable: row.restorable === true || row.restorable === 1,
    parts,
  }
}

/** A cluster from its row; `configServer` is null when absent. */
export function clusterFromRow(row: ClusterRow): Cluster {
  const shards = (JSON.parse(row.shards) as Shard[]).map((s) => ({
    shardName: s.shardName,
    replicaSetName: s.replicaSetName,
  }))
  return {
    id: row.id,
    groupId: row.group_id,
    name: row.name,
    type: row.type,
    backup: row.backup,
    featureCompatibilityVersion: row.fcv,
    shards,
    configServer:
      row.config_server === null ? null : canonicalConfigServer(JSON.parse(row.config_server) as ConfigServer),
    checkpointIntervalMinutes: row.checkpoint_interval_min as Cluster['checkpointIntervalMinutes'],
    pointInTimeWindowHours: row.pit_window_hours,
    ...deploymentFromJson(row.deployment),
  }
}

/** An API key from its row. */
export function apiKeyFromRow(row: ApiKeyRow): ApiKey {
  return {
    publicKey: row.public_key,
    orgId: row.org_id,
    description: row.description,
    digestHa1: row.digest_ha1,
    roles: (JSON.parse(row.roles) as RoleAssignment[]).map(canonicalRole),
    accessList: JSON.parse(row.access_list) as string[],
    createdAt: row.created_at,
  }
}

export function serviceAccountFromRow(row: ServiceAccountRow): ServiceAccount {
  return {
    clientId: row.client_id,
    uid: row.uid,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    roles: (JSON.parse(row.roles) as RoleAssignment[]).map(canonicalRole),
    secrets: JSON.parse(row.secrets) as ServiceAccountSecret[],
    accessList: JSON.parse(row.access_list) as string[],
    createdAt: row.created_at,
  }
}
