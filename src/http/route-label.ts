/**
 * The `route` label of a request in the metrics and the access log: which API operation it reached, never
 * its raw path, so that the label has a small, fixed set of values whatever clients send.
 */
export const ROUTE_LABELS = [
  'atlas_v2_checkpoints',
  'atlas_v2_checkpoint',
  'atlas_v1_checkpoints',
  'atlas_v1_checkpoint',
  'ops_manager_checkpoints',
  'ops_manager_checkpoint',
  'atlas_v2_discovery',
  'atlas_v1_discovery',
  'ops_manager_discovery',
  'oauth_token',
  'oauth_revoke',
  'admin',
  'console',
  'health',
  'metrics',
  'unknown',
] as const
export type RouteLabel = (typeof ROUTE_LABELS)[number]


/**
 * The route of an answered request, from its target (path and query, as sent) and the `X-Error-Code` it
 * got: a path the API did not know (404 `RESOURCE_NOT_FOUND`) is `unknown` whatever it starts with. A
 * known path asked with another method (405) keeps its route. Constant strings only: nothing is built.
 */
export function routeLabel(target: string, errorCode: unknown): RouteLabel {
  if (errorCode === 'RESOURCE_NOT_FOUND') return 'unknown'
  if (target.startsWith('/api/')) {
    // Plain native string tests: this runs on every request. The path matched a route template (or the
    // answer would be RESOURCE_NOT_FOUND).
    if (target.startsWith('/api/atlas/v2/')) {
      return apiLabel(target, 13, '/backupCheckpoints', 'atlas_v2_checkpoints', 'atlas_v2_checkpoint', 'atlas_v2_discovery')
    }
    if (target.startsWith('/api/atlas/v1.0/')) {
      return apiLabel(target, 15, '/backupCheckpoints', 'atlas_v1_checkpoints', 'atlas_v1_checkpoint', 'atlas_v1_discovery')
    }
    if (target.startsWith('/api/public/v1.0/')) {
      return apiLabel(target, 16, '/checkpoints', 'ops_manager_checkpoints', 'ops_manager_checkpoint', 'ops_manager_discovery')
    }
    if (isPath(target, '/api/oauth/token')) return 'oauth_token'
    if (isPath(target, '/api/oauth/revoke')) return 'oauth_revoke'
    return 'unknown'
  }
  if (target.startsWith('/_admin/') || isPath(target, '/_admin')) return 'admin'
  if (target.startsWith('/console/') || isPath(target, '/console')) return 'console'
  if (isPath(target, '/healthz') || isPath(target, '/readyz')) return 'health'
  if (isPath(target, '/metrics')) return 'metrics'
  return 'unknown'
}

/** The target is exactly `path`, with or without a query. */
function isPath(target: string, path: string): boolean {
  return target.startsWith(path) && (target.length === path.length || target.charCodeAt(path.length) === 63 /* ? */)
}

/**
 * The label of an API path after its prefix (`prefixLength` characters): a checkpoint list when the
 * collection segment (`collection`, with its slash) ends the path after a `/clusters/`, one checkpoint when
 * a segment follows it, any other route a discovery one. Native searches only (a per-character loop cost
 * twice as much); a path that names a project or cluster like the collection may get the wrong one of the
 * three labels of its dialect, never another dialect's.
 */
function apiLabel(target: string, prefixLength: number, collection: string, list: RouteLabel, one: RouteLabel, discovery: RouteLabel): RouteLabel {
  const clusters = target.indexOf('/clusters/', prefixLength)
  if (clusters === -1) return discovery
  const at = target.indexOf(collection, clusters + 10)
  if (at === -1) return discovery
  const end = at + collection.length
  if (end === target.length) return list
  const next = target.charCodeAt(end)
  if (next === 63 /* ? */) return list
  return next === 47 /* / */ ? one : discovery
}
