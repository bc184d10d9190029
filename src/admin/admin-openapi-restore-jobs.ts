import { answer, count, error, errors, isoSeconds, json, objectId, param, PARAMS, ref } from './admin-openapi-helpers.js'

/** The admin API's restore-job operations in its OpenAPI document (docs/admin-api.md, "Restore jobs"). */

const jobId = param('jobId', objectId, 'Restore job id (404 INVALID_JOB_ID when malformed)')

export const RESTORE_JOB_PATHS = {
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs': {
    parameters: [PARAMS.groupId, PARAMS.clusterId],
    get: {
      tags: ['restoreJobs'],
      summary: 'List a cluster\'s restore jobs, newest first (at most 500)',
      responses: { 200: answer('The jobs', ref('RestoreJobList')), ...errors(401, 404) },
    },
    post: {
      tags: ['restoreJobs'],
      summary: 'Create restore jobs as the API\'s POST …/restoreJobs does, without roles',
      description:
        'The body is the API\'s (delivery, and one of snapshotId, checkpointId, pointInTimeUTCMillis, oplogTs with ' +
        'oplogInc), checked in the same order with the same errors; without a source the cluster\'s newest complete ' +
        'snapshot is restored. A sharded cluster gets one job per shard and one for its config server, in one batch.',
      requestBody: { required: true, content: json({ type: 'object' }) },
      responses: {
        201: answer('The jobs made', ref('RestoreJobList')),
        ...errors(400, 401, 404, 413),
        409: error('A restore error of the API (NO_CHECKPOINT_FOR_PIT_RESTORE, CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT, ATLAS_CLUSTER_RESTORE_IN_PROGRESS)'),
      },
    },
  },
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}': {
    parameters: [PARAMS.groupId, PARAMS.clusterId, jobId],
    get: {
      tags: ['restoreJobs'],
      summary: 'Get one restore job, with its state at the clock',
      responses: { 200: answer('The job', ref('RestoreJob')), ...errors(401, 404) },
    },
  },
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}/end': {
    parameters: [PARAMS.groupId, PARAMS.clusterId, jobId],
    post: {
      tags: ['restoreJobs'],
      summary: 'End a job still IN_PROGRESS as BROKEN (delivery FAILED) or KILLED (delivery INTERRUPTED)',
      requestBody: { required: true, content: json(ref('RestoreJobEnd')) },
      responses: {
        200: answer('The job, ended', ref('RestoreJob')),
        ...errors(400, 401, 404, 413),
        409: error('RESTORE_JOB_NOT_IN_PROGRESS: the job is FINISHED or was ended already'),
      },
    },
  },
} as const

const timestamp = { type: 'object', required: ['date', 'increment'], properties: { date: isoSeconds, increment: { type: 'integer' } } } as const

export const RESTORE_JOB_SCHEMAS = {
  RestoreJob: {
    type: 'object',
    required: ['id', 'groupId', 'clusterId', 'clusterName', 'partClusterId', 'replicaSetName', 'created', 'source', 'snapshotId', 'timestamp', 'method', 'statusName', 'deliveryStatusName', 'downloads', 'fileName'],
    properties: {
      id: objectId,
      groupId: objectId,
      clusterId: objectId,
      clusterName: { type: 'string' },
      partClusterId: objectId,
      replicaSetName: { type: 'string' },
      configServer: { type: 'boolean' },
      batchId: objectId,
      created: isoSeconds,
      startsAt: isoSeconds,
      finishesAt: isoSeconds,
      source: { type: 'object', required: ['kind'], properties: { kind: { enum: ['snapshot', 'checkpoint', 'pointInTime', 'oplog'] } } },
      snapshotId: objectId,
      timestamp,
      method: { enum: ['HTTP', 'AUTOMATED_RESTORE'] },
      expirationHours: { type: 'integer', minimum: 1 },
      expiresRequested: isoSeconds,
      maxDownloads: { type: 'integer', minimum: 1 },
      target: { type: 'object', required: ['groupId', 'clusterId'], properties: { groupId: objectId, clusterId: objectId, clusterName: { type: 'string' } } },
      downloads: count,
      hash: { type: 'string', pattern: '^[0-9a-f]{40}$' },
      ended: { type: 'object', required: ['status', 'at'], properties: { status: { enum: ['BROKEN', 'KILLED'] }, at: isoSeconds } },
      fileName: { type: 'string' },
      statusName: { enum: ['IN_PROGRESS', 'FINISHED', 'BROKEN', 'KILLED'] },
      deliveryStatusName: { enum: ['NOT_STARTED', 'IN_PROGRESS', 'READY', 'FAILED', 'INTERRUPTED', 'EXPIRED', 'MAX_DOWNLOADS_EXCEEDED'] },
      expires: isoSeconds,
    },
  },
  RestoreJobList: { type: 'object', required: ['results', 'totalCount'], properties: { results: { type: 'array', items: ref('RestoreJob') }, totalCount: count } },
  RestoreJobEnd: { type: 'object', required: ['statusName'], properties: { statusName: { enum: ['BROKEN', 'KILLED'] } } },
} as const
