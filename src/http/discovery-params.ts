import type { Dialect, DiscoveryOperation } from '../dialects/dialect.js'
import { ApiError } from '../errors.js'
import type { PathParam } from './route-matcher.js'

const OBJECT_ID = /^[a-f0-9]{24}$/
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/
const CLUSTER_NAME_MAX = 64
/** The upstream `groupName` is 1 to 64 characters: a name outside that cannot exist. */
const GROUP_NAME_MAX = 64

/** The path parameters of a discovery route, checked. */
export interface DiscoveryPath {
  readonly groupId?: string
  readonly orgId?: string
  /** Percent-decoded once. */
  readonly groupName?: string
  /** The cluster as the path names it: its name (Atlas) or a cluster entry's id (Ops Manager). */
  readonly clusterRef?: string
}

/**
 * Checks the path parameters in path order (docs/behaviour.md#discovery): a groupId or orgId not 24 hex
 * characters is 404 INVALID_GROUP_ID / INVALID_ORG_ID; a project name empty or over 64 characters is 404
 * GROUP_NAME_NOT_FOUND (it names no project); an Atlas cluster name breaking its pattern is 404
 * CLUSTER_NOT_FOUND, an Ops Manager cluster id not 24 hex characters 404 INVALID_CLUSTER_ID. A segment
 * that cannot be decoded is echoed as sent.
 */
export function parseDiscoveryPath(dialect: Dialect, operation: DiscoveryOperation, params: Readonly<Record<string, PathParam>>): DiscoveryPath {
  const out: { groupId?: string; orgId?: string; groupName?: string; clusterRef?: string } = {}
  if (params['groupId'] !== undefined) {
    const groupId = shown(params['groupId'])
    if (!OBJECT_ID.test(groupId)) throw new ApiError('INVALID_GROUP_ID', [groupId])
    out.groupId = groupId
  }
  if (params['orgId'] !== undefined) {
    const orgId = shown(params['orgId'])
    if (!OBJECT_ID.test(orgId)) throw new ApiError('INVALID_ORG_ID', [orgId])
    out.orgId = orgId
  }
  if (params['groupName'] !== undefined) {
    const name = shown(params['groupName'])
    if (name.length === 0 || name.length > GROUP_NAME_MAX) {
      throw new ApiError(dialect.family === 'atlas' ? 'GROUP_NAME_NOT_FOUND' : 'GROUP_NAME_NOT_FOUND_OPS_MANAGER', [name])
    }
    out.groupName = name
  }
  const cluster = params[dialect.clusterKey]
  if (cluster !== undefined && (operation === 'getGroupCluster' || operation === 'getBackupConfig')) {
    const ref = shown(cluster)
    if (dialect.clusterKey === 'clusterName') {
      if (ref.length > CLUSTER_NAME_MAX || !CLUSTER_NAME.test(ref)) throw new ApiError('CLUSTER_NAME_NOT_FOUND', [ref, out.groupId ?? ''])
    } else if (!OBJECT_ID.test(ref)) {
      throw new ApiError('INVALID_CLUSTER_ID', [ref])
    }
    out.clusterRef = ref
  }
  return out
}

/** The decoded value, or the raw segment when it cannot be decoded (it then fails its pattern). */
function shown(param: PathParam | undefined): string {
  if (param === undefined) return ''
  return param.value ?? param.raw
}
