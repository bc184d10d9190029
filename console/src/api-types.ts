/** What the admin API answers (docs/admin-api.md), as the console reads it. */

export interface Organization {
  readonly id: string
  readonly name: string
}

export interface Project {
  readonly id: string
  readonly orgId: string
  readonly name: string
}

export type BackupKind = 'LEGACY' | 'CLOUD' | 'NONE'

export interface Cluster {
  readonly id: string
  readonly groupId: string
  readonly name: string
  readonly type: 'REPLICASET' | 'SHARDED'
  readonly backup: BackupKind
  readonly featureCompatibilityVersion: string
  readonly shards: ReadonlyArray<{ readonly shardName: string; readonly replicaSetName: string }>
  readonly configServer?:
    | { readonly typeName: 'CONFIG_SERVER_REPLICA_SET'; readonly replicaSetName: string }
    | { readonly typeName: 'CONFIG_SERVER'; readonly hostIds: readonly string[] }
    | null
  readonly checkpointIntervalMinutes: 15 | 30 | 60 | null
  readonly pointInTimeWindowHours: number
}

export interface Part {
  readonly typeName: string
  readonly replicaSetName?: string
  readonly shardName?: string
  readonly hostId?: string
  readonly tokenDiscovered: boolean
  readonly tokenTimestamp: { readonly date: string; readonly increment: number }
}

export interface Checkpoint {
  readonly id: string
  readonly clusterId: string
  readonly groupId: string
  readonly started: string
  readonly completed?: string
  readonly timestamp: string
  readonly restorable: boolean
  readonly parts: readonly Part[]
}

export type CheckpointState = 'restorable' | 'inProgress' | 'tokenNotDiscovered' | 'outsideWindow' | 'notRestorable'

export type StateCounts = { readonly total: number } & { readonly [S in CheckpointState]: number }

export interface Bucket extends StateCounts {
  readonly start: string
}

export interface Timeline {
  readonly clusterId: string
  readonly now: string
  readonly window: { readonly start: string; readonly end: string; readonly hours: number }
  readonly cluster: { readonly count: number; readonly oldest: string | null; readonly newest: string | null; readonly newestRestorable: string | null }
  readonly from: string
  readonly to: string
  readonly bucketSeconds: number
  readonly counts: StateCounts
  readonly buckets: readonly Bucket[]
  readonly checkpoints: ReadonlyArray<{ readonly id: string; readonly timestamp: string; readonly state: CheckpointState }> | null
}

export interface Clock {
  readonly now: string
  readonly frozen: boolean
}

export type Role = { readonly orgId: string; readonly roleName: string } | { readonly groupId: string; readonly roleName: string }

export interface ApiKey {
  readonly publicKey: string
  readonly orgId: string
  readonly description: string
  readonly roles: readonly Role[]
  readonly accessList: readonly string[]
  readonly createdAt: string
  /** Only in the answer to a create that generated it. */
  readonly privateKey?: string
}

export interface ServiceAccount {
  readonly clientId: string
  readonly orgId: string
  readonly name: string
  readonly description: string
  readonly roles: readonly Role[]
  readonly secrets: ReadonlyArray<{ readonly id: string; readonly createdAt: string; readonly expiresAt: string }>
  readonly createdAt: string
  readonly clientSecret?: string
}

export interface HistoryWritten {
  readonly written: number
  readonly restorable: number
  readonly alreadyThere: number
  readonly from: string
  readonly to: string
  readonly oldest: string | null
  readonly newest: string | null
}

export interface List<T> {
  readonly results: readonly T[]
  readonly totalCount: number
}
