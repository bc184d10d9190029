import type { Dialect } from '../dialects/dialect.js'
import type { ClusterRef } from '../domain/checkpoint-service.js'
import { ApiError } from '../errors.js'
import type { PathParam } from './route-matcher.js'

const OBJECT_ID = /^[a-f0-9]{24}$/
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/
const CLUSTER_NAME_MAX = 64

export interface CheckpointPathParams {
  readonly groupId: string
  readonly cluster: ClusterRef
  /** The cluster as the path named it: its name (Atlas) or id (Ops Manager). */
  readonly clusterLabel: string
  readonly checkpointId?: string
}

/**
 * Checks the path parameters in path order: groupId (404 INVALID_GROUP_ID), then the cluster (by name:
 * 404 CLUSTER_NOT_FOUND; by id: 404 INVALID_CLUSTER_ID), then checkpointId (404 INVALID_CHECKPOINT_ID).
 * Values are decoded once; one that cannot be decoded is echoed as sent.
 */
export function parseCheckpointPath(
  dialect: Dialect,
  params: Readonly<Record<string, PathParam>>,
): CheckpointPathParams {
  const groupId = shown(params['groupId'])
  if (!OBJECT_ID.test(groupId)) throw new ApiError('INVALID_GROUP_ID', [groupId])

  const clusterLabel = shown(params[dialect.clusterKey])
  let cluster: ClusterRef
  if (dialect.clusterKey === 'clusterName') {
    if (clusterLabel.length > CLUSTER_NAME_MAX || !CLUSTER_NAME.test(clusterLabel)) {
      throw new ApiError('CLUSTER_NAME_NOT_FOUND', [clusterLabel, groupId])
    }
    cluster = { by: 'name', name: clusterLabel }
  } else {
    if (!OBJECT_ID.test(clusterLabel)) throw new ApiError('INVALID_CLUSTER_ID', [clusterLabel])
    cluster = { by: 'id', id: clusterLabel }
  }

  const checkpoint = params['checkpointId']
  if (checkpoint === undefined) return { groupId, cluster, clusterLabel }
  const checkpointId = shown(checkpoint)
  if (!OBJECT_ID.test(checkpointId)) throw new ApiError('INVALID_CHECKPOINT_ID', [checkpointId])
  return { groupId, cluster, clusterLabel, checkpointId }
}

/** The decoded value, or the raw segment when it cannot be decoded (it then fails its pattern). */
function shown(param: PathParam | undefined): string {
  if (param === undefined) return ''
  return param.value ?? param.raw
}
