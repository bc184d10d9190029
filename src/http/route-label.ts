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
  'atlas_v2_snapshot_schedule',
  'atlas_v2_snapshots',
  'atlas_v2_snapshot',
  'atlas_v2_restore_jobs',
  'atlas_v2_restore_job',
  'atlas_v1_snapshot_schedule',
  'atlas_v1_snapshots',
  'atlas_v1_snapshot',
  'atlas_v1_restore_jobs',
  'atlas_v1_restore_job',
  'ops_manager_snapshot_schedule',
  'ops_manager_snapshots',
  'ops_manager_snapshot',
  'ops_manager_restore_jobs',
  'ops_manager_restore_job',
  'restore_download',
  'oauth_token',
  'oauth_revoke',
  'admin',
  'console',
  'health',
  'metrics',
  'unknown',
] as const
export type RouteLabel = (typeof ROUTE_LABELS)[number]

/** A dialect's labels. */
interface DialectLabels {
  readonly list: RouteLabel
  readonly one: RouteLabel
  readonly discovery: RouteLabel
  readonly schedule: RouteLabel
  readonly snapshots: RouteLabel
  readonly snapshot: RouteLabel
  readonly restoreJobs: RouteLabel
  readonly restoreJob: RouteLabel
}

const labelsOf = (p: 'atlas_v2' | 'atlas_v1' | 'ops_manager'): DialectLabels => ({
  list: `${p}_checkpoints`,
  one: `${p}_checkpoint`,
  discovery: `${p}_discovery`,
  schedule: `${p}_snapshot_schedule`,
  snapshots: `${p}_snapshots`,
  snapshot: `${p}_snapshot`,
  restoreJobs: `${p}_restore_jobs`,
  restoreJob: `${p}_restore_job`,
})
const ATLAS_V2 = labelsOf('atlas_v2')
const ATLAS_V1 = labelsOf('atlas_v1')
const OPS_MANAGER = labelsOf('ops_manager')

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
    if (target.startsWith('/api/atlas/v2/')) return apiLabel(target, 13, '/backupCheckpoints', ATLAS_V2)
    if (target.startsWith('/api/atlas/v1.0/')) return apiLabel(target, 15, '/backupCheckpoints', ATLAS_V1)
    if (target.startsWith('/api/public/v1.0/')) return apiLabel(target, 16, '/checkpoints', OPS_MANAGER)
    if (isPath(target, '/api/oauth/token')) return 'oauth_token'
    if (isPath(target, '/api/oauth/revoke')) return 'oauth_revoke'
    return 'unknown'
  }
  if (target.startsWith('/_admin/') || isPath(target, '/_admin')) return 'admin'
  if (target.startsWith('/console/') || isPath(target, '/console')) return 'console'
  if (isPath(target, '/healthz') || isPath(target, '/readyz')) return 'health'
  if (isPath(target, '/metrics')) return 'metrics'
  if (target.startsWith('/backup/restore/')) return 'restore_download'
  return 'unknown'
}

/** The target is exactly `path`, with or without a query. */
function isPath(target: string, path: string): boolean {
  return target.startsWith(path) && (target.length === path.length || target.charCodeAt(path.length) === 63 /* ? */)
}

/**
 * The label of an API path after its prefix (`prefixLength` characters): a checkpoint list when the
 * collection segment (`collection`, with its slash) ends the path after a `/clusters/`, one checkpoint when
 * a segment follows it; then the legacy backup routes by their last segments; any other route a discovery
 * one. Native searches only (a per-character loop cost twice as much); a path that names a project or
 * cluster like a collection may get the wrong one of the labels of its dialect, never another dialect's.
 */
function apiLabel(target: string, prefixLength: number, collection: string, labels: DialectLabels): RouteLabel {
  const clusters = target.indexOf('/clusters/', prefixLength)
  if (clusters !== -1) {
    const at = target.indexOf(collection, clusters + 10)
    if (at !== -1) {
      const end = at + collection.length
      if (end === target.length) return labels.list
      const next = target.charCodeAt(end)
      if (next === 63 /* ? */) return labels.list
      if (next === 47 /* / */) return labels.one
    }
  }
  return legacyLabel(target, prefixLength, labels) ?? labels.discovery
}

/**
 * A legacy backup route by the path's last two segments: `…/snapshotSchedule`, `…/snapshots`,
 * `…/restoreJobs` (not right after `clusters/` or `groups/`, where they would be a cluster's or project's
 * name), or one segment after `…/snapshots/` or `…/restoreJobs/`. Undefined for anything else.
 */
function legacyLabel(target: string, prefixLength: number, labels: DialectLabels): RouteLabel | undefined {
  const query = target.indexOf('?', prefixLength)
  const end = query === -1 ? target.length : query
  const last = target.lastIndexOf('/', end - 1)
  if (last <= prefixLength) return undefined
  const before = target.lastIndexOf('/', last - 1)
  const parent = target.slice(before + 1, last)
  const tail = target.slice(last + 1, end)
  if (parent === 'snapshots') return labels.snapshot
  if (parent === 'restoreJobs') return labels.restoreJob
  if (parent === 'clusters' || parent === 'groups') return undefined
  if (tail === 'snapshotSchedule') return labels.schedule
  if (tail === 'snapshots') return labels.snapshots
  if (tail === 'restoreJobs') return labels.restoreJobs
  return undefined
}
