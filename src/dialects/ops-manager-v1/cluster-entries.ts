import { deploymentOf, type ClusterPart } from '../../domain/deployment.js'
import type { Cluster } from '../../domain/types.js'
import { apiUrl, minuteOf, type DiscoveryContext } from '../discovery-context.js'

/**
 * Ops Manager's clusters: a replica set is one entry; a sharded cluster is its own entry
 * (`SHARDED_REPLICA_SET`), one per shard (`REPLICA_SET` with `shardName`) and, with a CSRS, one for the
 * config server replica set (`CONFIG_SERVER_REPLICA_SET`); SCCC mirrors are standalone servers, not listed.
 */
export interface ClusterEntry {
  readonly cluster: Cluster
  /** Absent for the cluster's own entry. */
  readonly part?: ClusterPart
}

/** The entries of clusters, in their order, each sharded cluster followed by its parts. */
export function clusterEntries(clusters: readonly Cluster[]): ClusterEntry[] {
  return clusters.flatMap((cluster) => [{ cluster }, ...deploymentOf(cluster).parts.map((part) => ({ cluster, part }))])
}

/** The entry's id: the cluster's, or its part's. */
export function entryId(entry: ClusterEntry): string {
  return entry.part?.id ?? entry.cluster.id
}

/** One entry, `self` link only; `lastHeartbeat` is the rendering time to the minute. */
export function clusterEntryView(ctx: DiscoveryContext, entry: ClusterEntry): object {
  const { cluster, part } = entry
  const id = entryId(entry)
  const replicaSetName = part?.replicaSetName ?? (cluster.type === 'REPLICASET' ? cluster.shards[0]?.replicaSetName : undefined)
  return {
    clusterName: cluster.name,
    groupId: cluster.groupId,
    id,
    lastHeartbeat: minuteOf(ctx),
    links: [{ href: apiUrl(ctx, `/groups/${cluster.groupId}/clusters/${id}`), rel: 'self' }],
    ...(replicaSetName !== undefined ? { replicaSetName } : {}),
    ...(part?.shardName !== undefined ? { shardName: part.shardName } : {}),
    typeName: part?.typeName ?? (cluster.type === 'SHARDED' ? 'SHARDED_REPLICA_SET' : 'REPLICA_SET'),
  }
}

/**
 * A backup configuration: of a cluster (the list has one per cluster) or of a part, whose status is its
 * cluster's. Standing alone it links the cluster entry, the project and the snapshot schedule.
 */
export function backupConfigView(ctx: DiscoveryContext, entry: ClusterEntry, standalone: boolean): object {
  const { cluster } = entry
  const id = entryId(entry)
  const self = apiUrl(ctx, `/groups/${cluster.groupId}/backupConfigs/${id}`)
  const base = ctx.dialect.relationBase
  const links = standalone
    ? [
        { href: self, rel: 'self' },
        { href: apiUrl(ctx, `/groups/${cluster.groupId}/clusters/${id}`), rel: `${base}/cluster` },
        { href: apiUrl(ctx, `/groups/${cluster.groupId}`), rel: `${base}/group` },
        { href: `${self}/snapshotSchedule`, rel: `${base}/snapshotSchedule` },
      ]
    : [{ href: self, rel: 'self' }]
  return {
    clusterId: id,
    encryptionEnabled: false,
    excludedNamespaces: [],
    groupId: cluster.groupId,
    includedNamespaces: [],
    links,
    sslEnabled: false,
    statusName: deploymentOf(cluster).backupStatus,
    storageEngineName: 'WIRED_TIGER',
  }
}
