/**
 * The one domain model behind every API dialect. Plain, readonly data: no behaviour, no wire concerns.
 * Dialects (src/dialects/*) map these records to their JSON views; engines (src/storage/*) persist them.
 */

/** 24 lower-case hexadecimal characters, generated like a MongoDB ObjectId (see ids.ts). */
export type ObjectIdHex = string

/** An ISO 8601 UTC instant with whole seconds, exactly `YYYY-MM-DDTHH:MM:SSZ` (see timestamps.ts). */
export type IsoSeconds = string

export interface Organization {
  readonly id: ObjectIdHex
  readonly name: string
}

/** A project; the APIs call it a group. Its name is unique within its organization. */
export interface Project {
  readonly id: ObjectIdHex
  readonly orgId: ObjectIdHex
  readonly name: string
  /** When the project was created; absent: the time in the first 4 bytes of its id (see deployment.ts). */
  readonly createdAt?: IsoSeconds
  /** Atlas resource tags (v2 and v1.0 `tags`); absent: none. */
  readonly tags?: readonly ResourceTag[]
}

/** An Atlas resource tag: key and value of 1 to 255 characters each. */
export interface ResourceTag {
  readonly key: string
  readonly value: string
}

export const CLUSTER_TYPES = ['REPLICASET', 'SHARDED'] as const
export type ClusterType = (typeof CLUSTER_TYPES)[number]

/** LEGACY is continuous (legacy) backup, the only kind that records checkpoints. */
export const BACKUP_KINDS = ['LEGACY', 'CLOUD', 'NONE'] as const
export type BackupKind = (typeof BACKUP_KINDS)[number]

export interface Shard {
  readonly shardName: string
  readonly replicaSetName: string
}

/** A config server replica set (CSRS), or the mirrored config servers (SCCC) of older clusters. */
export type ConfigServer =
  | { readonly typeName: 'CONFIG_SERVER_REPLICA_SET'; readonly replicaSetName: string }
  | { readonly typeName: 'CONFIG_SERVER'; readonly hostIds: readonly string[] }

export interface Cluster {
  readonly id: ObjectIdHex
  readonly groupId: ObjectIdHex
  /** Unique within its project; `^[a-zA-Z0-9][a-zA-Z0-9-]*$`, at most 64 characters. */
  readonly name: string
  readonly type: ClusterType
  readonly backup: BackupKind
  /** e.g. "4.0"; checkpoints exist only up to FCV 4.0. */
  readonly featureCompatibilityVersion: string
  /** A replica set has one entry (its own replica set), a sharded cluster one per shard. */
  readonly shards: readonly Shard[]
  /** Present for sharded clusters only. */
  readonly configServer: ConfigServer | null
  /**
   * Minutes between cluster checkpoints (the snapshot schedule's `clusterCheckpointIntervalMin`): 15, 30
   * or 60, sharded clusters only; null when checkpoints are off, the default (see checkpoint-schedule.ts).
   */
  readonly checkpointIntervalMinutes: CheckpointIntervalMinutes | null
  /**
   * How many hours back from now the retained snapshots cover (the snapshot schedule's
   * `pointInTimeWindowHours`); a checkpoint older than that is not restorable. Default 24.
   */
  readonly pointInTimeWindowHours: number
  // How the cluster is deployed, as the discovery endpoints describe it (docs/behaviour.md#discovery). Each
  // is optional and has a default (domain/deployment.ts), so records written before these fields keep working.
  /** When the cluster was created; absent: the time in the first 4 bytes of its id. */
  readonly createdAt?: IsoSeconds
  /** `x.y.z`, its major.minor at least the FCV; absent: the last patch release of the FCV's series. */
  readonly mongoDBVersion?: string
  /** Absent: IDLE. */
  readonly stateName?: ClusterState
  /** Absent: AWS. */
  readonly provider?: CloudProvider
  /** One of the provider's regions (cloud-providers.ts); absent: the provider's default region. */
  readonly region?: string
  /** One of the provider's instance sizes; absent: M30. */
  readonly instanceSize?: string
  /** 10 to 4096; absent: 40. */
  readonly diskSizeGB?: number
  /** AWS and Azure; absent: 3000. */
  readonly diskIOPS?: number
  /** The Ops Manager backup configuration's `statusName`; absent: derived from `backup`. */
  readonly backupStatus?: BackupStatus
}

/** The `stateName` values of an Atlas cluster. */
export const CLUSTER_STATES = ['IDLE', 'CREATING', 'UPDATING', 'DELETING', 'REPAIRING'] as const
export type ClusterState = (typeof CLUSTER_STATES)[number]

/** The cloud providers of dedicated clusters. */
export const CLOUD_PROVIDERS = ['AWS', 'GCP', 'AZURE'] as const
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number]

/** The `statusName` values of an Ops Manager backup configuration. */
export const BACKUP_STATUSES = ['INACTIVE', 'PROVISIONING', 'STARTED', 'STOPPED', 'TERMINATING'] as const
export type BackupStatus = (typeof BACKUP_STATUSES)[number]

/** The cluster checkpoint intervals the real service offers, in minutes. */
export const CHECKPOINT_INTERVALS_MINUTES = [15, 30, 60] as const
export type CheckpointIntervalMinutes = (typeof CHECKPOINT_INTERVALS_MINUTES)[number]

export const PART_TYPE_NAMES = ['REPLICA_SET', 'CONFIG_SERVER', 'CONFIG_SERVER_REPLICA_SET'] as const
export type PartTypeName = (typeof PART_TYPE_NAMES)[number]

/** A BSON timestamp as the APIs show it: the instant and the ordinal within that second. */
export interface TokenTimestamp {
  readonly date: IsoSeconds
  readonly increment: number
}

/**
 * One part of a checkpoint: one per shard plus one for the config server.
 * A shard part has replicaSetName and shardName; a CSRS part has replicaSetName only;
 * an SCCC config part has hostId instead of both names.
 */
export interface CheckpointPart {
  readonly typeName: PartTypeName
  readonly replicaSetName?: string
  readonly shardName?: string
  readonly hostId?: string
  readonly tokenDiscovered: boolean
  readonly tokenTimestamp: TokenTimestamp
}

export interface Checkpoint {
  readonly id: ObjectIdHex
  readonly clusterId: ObjectIdHex
  readonly groupId: ObjectIdHex
  /** When the balancer was stopped and the checkpoint began. */
  readonly started: IsoSeconds
  /** When the checkpoint completed and the balancer restarted; absent while in progress. */
  readonly completed?: IsoSeconds
  /** The point in time the checkpoint restores to. Lists are ordered by it, newest first. */
  readonly timestamp: IsoSeconds
  readonly restorable: boolean
  readonly parts: readonly CheckpointPart[]
}

export const ORG_ROLES = ['ORG_OWNER', 'ORG_READ_ONLY', 'ORG_MEMBER', 'ORG_BILLING_ADMIN'] as const
export type OrgRole = (typeof ORG_ROLES)[number]

export const GROUP_ROLES = ['GROUP_OWNER', 'GROUP_BACKUP_MANAGER', 'GROUP_READ_ONLY'] as const
export type GroupRole = (typeof GROUP_ROLES)[number]

export type RoleAssignment =
  | { readonly orgId: ObjectIdHex; readonly roleName: OrgRole }
  | { readonly groupId: ObjectIdHex; readonly roleName: GroupRole }

/**
 * A programmatic API key. The private key is never stored: only its Digest hash
 * HA1 = MD5(publicKey ":" realm ":" privateKey), which is all HTTP Digest needs to verify a response.
 */
export interface ApiKey {
  /** 8 lower-case characters; the Digest username. */
  readonly publicKey: string
  readonly orgId: ObjectIdHex
  readonly description: string
  /** Hex MD5 of `publicKey:MMS Public API:privateKey`. */
  readonly digestHa1: string
  readonly roles: readonly RoleAssignment[]
  /** IP addresses and CIDR blocks the key may call from; empty: anywhere. */
  readonly accessList: readonly string[]
  readonly createdAt: IsoSeconds
}

/** One secret of a service account; an account may hold several, each with its own expiry. */
export interface ServiceAccountSecret {
  /** 24-hex id of the secret. */
  readonly id: ObjectIdHex
  /** `scrypt$N$r$p$salt$hash` of the secret (see auth/client-secrets.ts); the secret itself is never stored. */
  readonly hash: string
  readonly createdAt: IsoSeconds
  readonly expiresAt: IsoSeconds
}

/** An OAuth 2.0 client (client credentials grant) holding roles exactly like an API key. */
export interface ServiceAccount {
  /** `mdb_sa_id_` and 24 hex characters. */
  readonly clientId: string
  /**
   * The account's own identity, never shown: 32 random hex characters made when the account is created
   * and kept while it exists (every replace by client id keeps the stored one). Access tokens carry it,
   * so a token dies with its account, even if an account with the same client id is created later.
   */
  readonly uid: string
  readonly orgId: ObjectIdHex
  readonly name: string
  readonly description: string
  readonly roles: readonly RoleAssignment[]
  readonly secrets: readonly ServiceAccountSecret[]
  /** IP addresses and CIDR blocks the account may call from; empty: anywhere. */
  readonly accessList: readonly string[]
  readonly createdAt: IsoSeconds
}

/** Who is calling, once authenticated. */
export interface Principal {
  readonly kind: 'apiKey' | 'serviceAccount'
  /** The API key's public key or the service account's client id. */
  readonly id: string
  readonly orgId: ObjectIdHex
  readonly roles: readonly RoleAssignment[]
  readonly accessList: readonly string[]
}
