import { createHash } from 'node:crypto'
import { CLOUD_PROVIDER_CATALOGUE } from './cloud-providers.js'
import { toIsoSeconds } from './timestamps.js'
import type { BackupStatus, CloudProvider, Cluster, ClusterState, IsoSeconds, Project } from './types.js'

/**
 * What the discovery endpoints say about a cluster beyond its checkpoint model: each value from the record
 * when it is set, else a documented default or a value derived deterministically from the record
 * (docs/behaviour.md#discovery). Pure: every dialect, page and restart shows the same values.
 */
export interface Deployment {
  readonly createdAt: IsoSeconds
  /** `x.y.z`. */
  readonly mongoDBVersion: string
  /** `x.y` of mongoDBVersion. */
  readonly mongoDBMajorVersion: string
  readonly stateName: ClusterState
  readonly provider: CloudProvider
  readonly region: string
  readonly instanceSize: string
  readonly diskSizeGB: number
  /** AWS only; undefined for the other providers, whose hardware specs have no IOPS here. */
  readonly diskIOPS: number | undefined
  /** The Ops Manager backup configuration's `statusName`. */
  readonly backupStatus: BackupStatus
  /** The cluster's parts as Ops Manager lists them: its shards, then a config server replica set. */
  readonly parts: readonly ClusterPart[]
  /** The random-looking label of its host names (6 characters of `0-9a-z`), from its id. */
  readonly hostLabel: string
  /** Ids of the Atlas replication specs (docs/behaviour.md#discovery). */
  readonly specIds: ReplicationSpecIds
}

/** The Atlas replication spec ids of a cluster, one zone ("Zone 1") holding every shard. */
export interface ReplicationSpecIds {
  /** `zoneId` (2023-02-01, 2024-08-05): {@link derivedId}(cluster id, "zone:Zone 1"). */
  readonly zone: string
  /** The zone's spec (2023-01-01, 2023-02-01): derivedId(cluster id, "replicationSpecs:Zone 1"). */
  readonly zoneSpec: string
  /** One per shard, in shard order (2024-08-05): derivedId(cluster id, "replicationSpec:" + shard name). */
  readonly shards: readonly string[]
}

/** The name of the one zone of every Waymark cluster. */
export const ZONE_NAME = 'Zone 1'

/** A replica set of a cluster that Ops Manager lists as a cluster entry of its own. */
export interface ClusterPart {
  /** {@link derivedId}(cluster id, replica set name). */
  readonly id: string
  readonly typeName: 'REPLICA_SET' | 'CONFIG_SERVER_REPLICA_SET'
  readonly replicaSetName: string
  /** Shards only. */
  readonly shardName?: string
}

/** A cluster's optional deployment fields, in the order records and fixtures list them. */
export const DEPLOYMENT_FIELDS = [
  'createdAt',
  'mongoDBVersion',
  'stateName',
  'provider',
  'region',
  'instanceSize',
  'diskSizeGB',
  'diskIOPS',
  'backupStatus',
] as const satisfies readonly (keyof Cluster)[]

export const DEFAULT_STATE: ClusterState = 'IDLE'
export const DEFAULT_PROVIDER: CloudProvider = 'AWS'
/** go-client-mongodb-atlas `DefaultDiskSizeGB["AWS"]["M30"]` is 40. */
export const DEFAULT_INSTANCE_SIZE = 'M30'
export const DEFAULT_DISK_SIZE_GB = 40
/** What every recorded AWS hardware spec shows. */
export const DEFAULT_DISK_IOPS = 3000

/**
 * The last patch release of each release series (7.0 and 8.0 as recorded real clusters show; the others
 * the last patch releases as far as known); any other FCV `x.y` gives `x.y.0`.
 */
const LAST_PATCH: Readonly<Record<string, string>> = {
  '3.4': '3.4.24',
  '3.6': '3.6.23',
  '4.0': '4.0.28',
  '4.2': '4.2.25',
  '4.4': '4.4.29',
  '5.0': '5.0.31',
  '6.0': '6.0.26',
  '7.0': '7.0.40',
  '8.0': '8.0.29',
}

/** The MongoDB version a cluster of this FCV runs when none is set. */
export function defaultMongoDBVersion(featureCompatibilityVersion: string): string {
  return LAST_PATCH[featureCompatibilityVersion] ?? `${featureCompatibilityVersion}.0`
}

/** `x.y` of `x.y.z`. */
export function majorVersion(version: string): string {
  return version.split('.').slice(0, 2).join('.')
}

/** Whether release series `a` (`x.y`) is older than `b`. */
export function seriesBefore(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number)
  const [bm = 0, bn = 0] = b.split('.').map(Number)
  return am < bm || (am === bm && an < bn)
}

/** The Ops Manager backup status a backup kind means: legacy backup runs, nothing else is Ops Manager's. */
export function defaultBackupStatus(backup: Cluster['backup']): BackupStatus {
  return backup === 'LEGACY' ? 'STARTED' : 'INACTIVE'
}

/** The instant in the first 4 bytes of an ObjectId, as real records' creation dates are. */
export function idTime(id: string): IsoSeconds {
  return toIsoSeconds(parseInt(id.slice(0, 8), 16) * 1000) ?? '1970-01-01T00:00:00Z'
}

/** When a project was created: as set, or its id's time. */
export function projectCreatedAt(project: Project): IsoSeconds {
  return project.createdAt ?? idTime(project.id)
}

/**
 * An id derived from another: the parent's first 4 bytes (its time, as real sub-entity ids share it), then
 * 16 hex characters of SHA-256(`parent:label`). Collides with another id only if 64 hash bits do.
 */
export function derivedId(parent: string, label: string): string {
  return parent.slice(0, 8) + createHash('sha256').update(`${parent}:${label}`, 'utf8').digest('hex').slice(0, 16)
}

const HOST_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** 6 characters of `0-9a-z` from SHA-256(cluster id) read as one big-endian number, least significant first. */
function hostLabelOf(clusterId: string): string {
  let n = BigInt(`0x${createHash('sha256').update(clusterId, 'utf8').digest('hex')}`)
  let label = ''
  for (let i = 0; i < 6; i++) {
    label += HOST_ALPHABET[Number(n % 36n)]
    n /= 36n
  }
  return label
}

function partsOf(cluster: Cluster): ClusterPart[] {
  if (cluster.type !== 'SHARDED') return []
  const parts: ClusterPart[] = cluster.shards.map((s) => ({
    id: derivedId(cluster.id, s.replicaSetName),
    typeName: 'REPLICA_SET',
    replicaSetName: s.replicaSetName,
    shardName: s.shardName,
  }))
  const config = cluster.configServer
  if (config?.typeName === 'CONFIG_SERVER_REPLICA_SET') {
    parts.push({ id: derivedId(cluster.id, config.replicaSetName), typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: config.replicaSetName })
  }
  return parts
}

/**
 * Derived values are remembered with the cluster record they come from (records are shared, immutable
 * objects: a changed cluster is a new object), so the hashing is done once per record, and the memory goes
 * with the record.
 */
const derived = new WeakMap<Cluster, Deployment>()

/** The cluster's deployment: what is set, the defaults for the rest. */
export function deploymentOf(cluster: Cluster): Deployment {
  let deployment = derived.get(cluster)
  if (deployment !== undefined) return deployment
  const provider = cluster.provider ?? DEFAULT_PROVIDER
  const mongoDBVersion = cluster.mongoDBVersion ?? defaultMongoDBVersion(cluster.featureCompatibilityVersion)
  deployment = {
    createdAt: cluster.createdAt ?? idTime(cluster.id),
    mongoDBVersion,
    mongoDBMajorVersion: majorVersion(mongoDBVersion),
    stateName: cluster.stateName ?? DEFAULT_STATE,
    provider,
    region: cluster.region ?? CLOUD_PROVIDER_CATALOGUE[provider].defaultRegion,
    instanceSize: cluster.instanceSize ?? DEFAULT_INSTANCE_SIZE,
    diskSizeGB: cluster.diskSizeGB ?? DEFAULT_DISK_SIZE_GB,
    diskIOPS: provider === 'AWS' ? (cluster.diskIOPS ?? DEFAULT_DISK_IOPS) : undefined,
    backupStatus: cluster.backupStatus ?? defaultBackupStatus(cluster.backup),
    parts: partsOf(cluster),
    hostLabel: hostLabelOf(cluster.id),
    specIds: {
      zone: derivedId(cluster.id, `zone:${ZONE_NAME}`),
      zoneSpec: derivedId(cluster.id, `replicationSpecs:${ZONE_NAME}`),
      shards: cluster.shards.map((s) => derivedId(cluster.id, `replicationSpec:${s.shardName}`)),
    },
  }
  derived.set(cluster, deployment)
  return deployment
}

/** The part of the cluster with that id, if any. */
export function partById(cluster: Cluster, id: string): ClusterPart | undefined {
  return deploymentOf(cluster).parts.find((p) => p.id === id)
}
