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
    // answer would be RESOURCE_NOT_FOUND), so it is a list exactly when it ends with the collection.
    if (target.startsWith('/api/atlas/v2/')) return pathEndsWith(target, '/backupCheckpoints') ? 'atlas_v2_checkpoints' : 'atlas_v2_checkpoint'
    if (target.startsWith('/api/atlas/v1.0/')) return pathEndsWith(target, '/backupCheckpoints') ? 'atlas_v1_checkpoints' : 'atlas_v1_checkpoint'
    if (target.startsWith('/api/public/v1.0/')) return pathEndsWith(target, '/checkpoints') ? 'ops_manager_checkpoints' : 'ops_manager_checkpoint'
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

/** The path part of the target (before any `?`) ends with `suffix`. */
function pathEndsWith(target: string, suffix: string): boolean {
  const query = target.indexOf('?')
  return target.endsWith(suffix, query === -1 ? target.length : query)
}
