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
  'health',
  'metrics',
  'unknown',
] as const
export type RouteLabel = (typeof ROUTE_LABELS)[number]

/** The three checkpoint dialects: a list is `<prefix>/groups/G/clusters/C/<collection>` (8 slashes), one checkpoint has 9. */
const DIALECT_PREFIXES: readonly (readonly [string, RouteLabel, RouteLabel])[] = [
  ['/api/atlas/v2/', 'atlas_v2_checkpoints', 'atlas_v2_checkpoint'],
  ['/api/atlas/v1.0/', 'atlas_v1_checkpoints', 'atlas_v1_checkpoint'],
  ['/api/public/v1.0/', 'ops_manager_checkpoints', 'ops_manager_checkpoint'],
]

/**
 * The route of an answered request, from its target (path and query, as sent) and the `X-Error-Code` it
 * got: a path the API did not know (404 `RESOURCE_NOT_FOUND`) is `unknown` whatever it starts with. A
 * known path asked with another method (405) keeps its route. Constant strings only: nothing is built.
 */
export function routeLabel(target: string, errorCode: unknown): RouteLabel {
  if (errorCode === 'RESOURCE_NOT_FOUND') return 'unknown'
  if (target.startsWith('/api/')) {
    for (const [prefix, list, single] of DIALECT_PREFIXES) {
      if (target.startsWith(prefix)) return slashesInPath(target) === 8 ? list : single
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

function slashesInPath(target: string): number {
  let count = 0
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c === 63 /* ? */) break
    if (c === 47 /* / */) count++
  }
  return count
}
