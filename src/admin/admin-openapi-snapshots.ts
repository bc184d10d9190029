import { answer, body, count, errors, json, listOf, object, objectId, param, PARAMS, ref } from './admin-openapi-helpers.js'

/** The admin API's snapshot schedule and snapshot operations in its OpenAPI document (docs/admin-api.md, "Snapshots and the snapshot schedule"). */

const snapshotId = param('snapshotId', objectId, 'Snapshot id (404 INVALID_SNAPSHOT_ID when malformed)')
const pageParams = [
  { name: 'pageNum', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'itemsPerPage', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
]

export const SNAPSHOT_PATHS = {
  '/groups/{groupId}/clusters/{clusterId}/snapshotSchedule': {
    parameters: [PARAMS.groupId, PARAMS.clusterId],
    get: {
      tags: ['snapshots'],
      summary: "Get a cluster's snapshot schedule as stored (the settings left out are the defaults)",
      responses: { 200: answer('The schedule', ref('SnapshotSchedule')), ...errors(401, 404) },
    },
    put: {
      tags: ['snapshots'],
      summary: "Replace a cluster's snapshot schedule",
      description:
        'The body is a snapshotSchedules fixture entry (clusterId and groupId come from the path); the settings it leaves out ' +
        'are the defaults. A cluster not tracked yet first gets the snapshots its checkpoints stand on; snapshots whose ' +
        'expires came from the retention rules get it again under the new ones.',
      requestBody: { required: true, content: json(ref('SnapshotScheduleInput')) },
      responses: { 200: answer('The schedule as stored now', ref('SnapshotSchedule')), ...errors(400, 401, 404, 413) },
    },
  },
  '/groups/{groupId}/clusters/{clusterId}/snapshots': {
    parameters: [PARAMS.groupId, PARAMS.clusterId],
    get: {
      tags: ['snapshots'],
      summary: "List a cluster's snapshots not expired at the clock, newest first",
      parameters: pageParams,
      responses: { 200: answer('One page of snapshots', ref('SnapshotList')), ...errors(400, 401, 404) },
    },
    post: {
      tags: ['snapshots'],
      summary: 'Create a snapshot',
      description:
        'The body is a snapshots fixture entry (id generated when left out; clusterId and groupId from the path). ' +
        'A cluster not tracked yet first gets the snapshots its checkpoints stand on.',
      requestBody: body('SnapshotInput', 'The snapshot'),
      responses: { 201: answer('The snapshot', ref('Snapshot')), ...errors(400, 401, 404, 409, 413) },
    },
  },
  '/groups/{groupId}/clusters/{clusterId}/snapshots/{snapshotId}': {
    parameters: [PARAMS.groupId, PARAMS.clusterId, snapshotId],
    get: {
      tags: ['snapshots'],
      summary: 'Get one snapshot not expired at the clock',
      responses: { 200: answer('The snapshot', ref('Snapshot')), ...errors(401, 404) },
    },
    delete: {
      tags: ['snapshots'],
      summary: 'Delete a snapshot, whatever its state (doNotDelete and in progress ones too)',
      description: 'The checkpoints it was the only base of turn non-restorable (P-N4).',
      responses: { 200: answer('What was deleted', ref('SnapshotDeleted')), ...errors(400, 401, 404, 413) },
    },
  },
} as const

export const SNAPSHOT_SCHEMAS = {
  SnapshotList: listOf('Snapshot'),
  SnapshotDeleted: object({ deleted: object({ snapshots: count }) }),
} as const
