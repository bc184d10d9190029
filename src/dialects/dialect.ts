/**
 * An API dialect: one of the public APIs that serve checkpoints. The three dialects share the domain
 * and the operations; a dialect says only where its routes live, how the cluster is named in the path,
 * which media types it speaks and which link relations its entities carry.
 */
export interface Dialect {
  /** e.g. "atlas-v2"; used in logs and route names. */
  readonly name: string
  /** e.g. "/api/atlas/v2". */
  readonly prefix: string
  /** The collection segment: "backupCheckpoints" (Atlas) or "checkpoints" (Ops Manager). */
  readonly collection: string
  /** Atlas addresses clusters by name, Ops Manager by 24-hex id. */
  readonly clusterKey: 'clusterName' | 'clusterId'
  /** The base of the non-self link relations, e.g. "https://cloud.mongodb.com" → ".../cluster". */
  readonly relationBase: string
  /**
   * The success Content-Type for a request's Accept header; throws ApiError 406 when the dialect
   * cannot serve it. Versioned dialects resolve the resource version here.
   */
  contentType(accept: string | undefined): string
}

/** The two operations every dialect serves. */
export type Operation = 'listCheckpoints' | 'getCheckpoint'

export interface ApiRoute {
  readonly dialect: Dialect
  readonly operation: Operation
}

/** The path templates of a dialect's two routes, e.g. `/api/atlas/v2/groups/{groupId}/…/{checkpointId}`. */
export function dialectTemplates(dialect: Dialect): { readonly template: string; readonly route: ApiRoute }[] {
  const list = `${dialect.prefix}/groups/{groupId}/clusters/{${dialect.clusterKey}}/${dialect.collection}`
  return [
    { template: list, route: { dialect, operation: 'listCheckpoints' } },
    { template: `${list}/{checkpointId}`, route: { dialect, operation: 'getCheckpoint' } },
  ]
}
