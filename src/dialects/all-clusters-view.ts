import { deploymentOf } from '../domain/deployment.js'
import type { Cluster, Organization, Project } from '../domain/types.js'
import type { DiscoveryContext } from './discovery-context.js'

/**
 * One project of the all-clusters view (v2 `listClusterDetails`, v1.0 and Ops Manager `GET /clusters`):
 * the project with a summary of each of its clusters. What Waymark does not model is the documented
 * constant (no alerts, authentication and TLS on, available, no data size); `nodeCount` counts three
 * members per replica set and the SCCC hosts. v2 writes the schema's type names and counts any backup;
 * v1.0 and Ops Manager write `replica set` / `sharded cluster`, v1.0 counting only legacy backup (its
 * `backupEnabled`), Ops Manager any.
 */
export function allClustersResult(ctx: DiscoveryContext, project: Project, org: Organization | undefined, clusters: readonly Cluster[]): object {
  const v2 = ctx.dialect.name === 'atlas-v2'
  const atlas = ctx.dialect.family === 'atlas'
  return {
    clusters: clusters.map((cluster) => ({
      alertCount: 0,
      authEnabled: true,
      availability: 'available',
      backupEnabled: v2 || !atlas ? cluster.backup !== 'NONE' : cluster.backup === 'LEGACY',
      clusterId: cluster.id,
      dataSizeBytes: 0,
      name: cluster.name,
      nodeCount: nodeCount(cluster),
      sslEnabled: true,
      type: v2 ? (cluster.type === 'SHARDED' ? 'SHARDED_CLUSTER' : 'REPLICA_SET') : cluster.type === 'SHARDED' ? 'sharded cluster' : 'replica set',
      versions: [deploymentOf(cluster).mongoDBVersion],
    })),
    groupId: project.id,
    groupName: project.name,
    orgId: project.orgId,
    ...(org ? { orgName: org.name } : {}),
    planType: atlas ? 'Atlas' : 'Ops Manager',
    tags: [],
  }
}

function nodeCount(cluster: Cluster): number {
  if (cluster.type !== 'SHARDED') return 3
  const config = cluster.configServer
  return 3 * cluster.shards.length + (config?.typeName === 'CONFIG_SERVER_REPLICA_SET' ? 3 : (config?.hostIds.length ?? 0))
}
