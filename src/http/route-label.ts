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
    // answer would be RESOURCE_NOT_FOUND): a checkpoint list has 5 segments after the prefix
    // (groups/G/clusters/C/collection), a checkpoint 6; every other route is a discovery one.
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
  if (isPath(target, '/healthz') || isPath(target, '/readyz')) return 'health'
  if (isPath(target, '/metrics')) return 'metrics'
  return 'unknown'
}

/** The target is exactly `path`, with or without a query. */
function isPath(target: string, path: string): boolean {
  return target.startsWith(path) && (target.length === path.length || target.charCodeAt(path.length) === 63 /* ? */)
}

/** The label of an API path after its prefix (`prefixLength` characters) by its segments (see routeLabel). */
function apiLabel(target: string, prefixLength: number, collection: string, list: RouteLabel, one: RouteLabel, discovery: RouteLabel): RouteLabel {
  const query = target.indexOf('?')
  const end = query === -1 ? target.length : query
  let slashes = 0
  let fifth = -1
  for (let i = prefixLength; i < end; i++) {
    if (target.charCodeAt(i) !== 47 /* / */) continue
    slashes++
    if (slashes === 5) fifth = i
  }
  if (slashes === 5 && pathEndsWith(target, collection)) return list
  if (slashes === 6 && target.startsWith(`${collection}/`, fifth)) return one
  return discovery
}

/** The path part of the target (before any `?`) ends with `suffix`. */
function pathEndsWith(target: string, suffix: string): boolean {
  const query = target.indexOf('?')
  return target.endsWith(suffix, query === -1 ? target.length : query)
}
