import type { Cluster, Organization, Project } from '../../domain/types.js'
import { apiUrl, minuteOf, type DiscoveryContext } from '../discovery-context.js'

/**
 * An Ops Manager project, `self` link only (alone and in lists). Waymark models no hosts or agents, so the
 * counts assume three members per replica set (docs/behaviour.md#discovery): `primary` one per data-bearing
 * replica set (each shard, each replica set cluster), `secondary` two per, `config` 3 per CSRS and one per
 * SCCC host, `mongos` one per sharded cluster; one active agent, seen this minute, when there are clusters.
 */
export function opsManagerGroupView(ctx: DiscoveryContext, project: Project, clusters: readonly Cluster[]): object {
  let dataReplicaSets = 0
  let config = 0
  let csrs = 0
  let sharded = 0
  let shards = 0
  for (const cluster of clusters) {
    if (cluster.type === 'SHARDED') {
      sharded++
      shards += cluster.shards.length
      dataReplicaSets += cluster.shards.length
      if (cluster.configServer?.typeName === 'CONFIG_SERVER_REPLICA_SET') {
        csrs++
        config += 3
      } else if (cluster.configServer?.typeName === 'CONFIG_SERVER') {
        config += cluster.configServer.hostIds.length
      }
    } else {
      dataReplicaSets++
    }
  }
  const active = clusters.length > 0
  return {
    activeAgentCount: active ? 1 : 0,
    hostCounts: { arbiter: 0, config, master: 0, mongos: sharded, primary: dataReplicaSets, secondary: 2 * dataReplicaSets, slave: 0 },
    id: project.id,
    ...(active ? { lastActiveAgent: minuteOf(ctx) } : {}),
    links: [{ href: apiUrl(ctx, `/groups/${project.id}`), rel: 'self' }],
    name: project.name,
    orgId: project.orgId,
    publicApiEnabled: true,
    replicaSetCount: dataReplicaSets + csrs,
    shardCount: shards,
    tags: [],
  }
}

/** An Ops Manager organization, `self` link only. */
export function opsManagerOrganizationView(ctx: DiscoveryContext, org: Organization): object {
  return { id: org.id, isDeleted: false, links: [{ href: apiUrl(ctx, `/orgs/${org.id}`), rel: 'self' }], name: org.name }
}
