import { deploymentOf } from '../../domain/deployment.js'
import type { Cluster } from '../../domain/types.js'

/**
 * A cluster's connection strings, derived from its name, id and shards and the server's connection domain
 * (docs/behaviour.md#discovery): the host names of the real service's pattern, `<name>-shard-NN-0K.<label>.<domain>`.
 */
export interface ConnectionStrings {
  /** `mongodb://` and the hosts, without options (v1.0 `mongoURI`). */
  readonly hosts: string
  readonly standard: string
  readonly standardSrv: string
}

export function connectionStrings(cluster: Cluster, domain: string): ConnectionStrings {
  const { hostLabel } = deploymentOf(cluster)
  const lower = cluster.name.toLowerCase()
  const host = (shard: number, member: number, port: number) =>
    `${lower}-shard-${String(shard).padStart(2, '0')}-${String(member).padStart(2, '0')}.${hostLabel}.${domain}:${port}`
  const members = (shard: number, port: number) => [0, 1, 2].map((m) => host(shard, m, port))
  let hosts: string[]
  let options: string
  if (cluster.type === 'SHARDED') {
    // The mongos of each shard's hosts, as recorded sharded clusters list them; dedicated config servers are not listed.
    hosts = cluster.shards.flatMap((_, i) => members(i, 27016))
    options = '?ssl=true&authSource=admin'
  } else {
    hosts = members(0, 27017)
    options = `?ssl=true&authSource=admin&replicaSet=${cluster.shards[0]?.replicaSetName ?? cluster.name}`
  }
  const list = `mongodb://${hosts.join(',')}`
  return { hosts: list, standard: `${list}/${options}`, standardSrv: `mongodb+srv://${lower}.${hostLabel}.${domain}` }
}

/**
 * The `connectionStrings` object in the real key order: sharded clusters start with the empty private
 * link fields; while CREATING, no standard strings yet.
 */
export function connectionStringsView(cluster: Cluster, domain: string): object {
  const creating = deploymentOf(cluster).stateName === 'CREATING'
  const strings = creating ? undefined : connectionStrings(cluster, domain)
  return {
    ...(cluster.type === 'SHARDED' ? { awsPrivateLinkSrv: {}, privateEndpoint: [] } : {}),
    ...(strings ? { standard: strings.standard, standardSrv: strings.standardSrv } : {}),
  }
}
