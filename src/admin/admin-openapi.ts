import { RECORD_SCHEMAS } from './admin-openapi-records.js'
import { answer, body, count, errors, ERRORS, item, json, listOf, object, orgFilter, PARAMS, ref } from './admin-openapi-helpers.js'
import { TIME_PATHS, TIME_SCHEMAS } from './admin-openapi-time.js'
import { RESTORE_JOB_PATHS, RESTORE_JOB_SCHEMAS } from './admin-openapi-restore-jobs.js'
import { SNAPSHOT_PATHS, SNAPSHOT_SCHEMAS } from './admin-openapi-snapshots.js'
import { TIMELINE_PATHS, TIMELINE_SCHEMAS } from './admin-openapi-timeline.js'

/**
 * The OpenAPI 3.1 document of the admin API, served at
 * `GET /_admin/v1/openapi.json`. Response schemas are exact (test/http/admin*.test.ts validates every
 * answer of the admin tests against them). The records' schemas are generated from the record schemas
 * (src/fixtures/schemas, admin-openapi-records.ts); the operations are written here.
 */

export const ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Waymark admin API',
    version: '1',
    description:
      'Arrange the data a Waymark server serves: organizations, projects, clusters (with their checkpoint ' +
      'schedule, FCV and backup kind), checkpoints, API keys and service accounts, snapshot schedules, snapshots and ' +
      'restore jobs; load fixture documents; reset; ' +
      'read and move the server\'s clock; write a cluster\'s checkpoint history as the producer would have made it. ' +
      'Off unless the server has an admin token (WAYMARK_ADMIN_TOKEN or serve --admin-token); every call, this ' +
      'document too, needs `Authorization: Bearer <admin token>`. Bodies are JSON, checked as fixture entries ' +
      '(docs/fixtures.md); ids left out of a create are generated. Deletes cascade. See docs/admin-api.md.',
  },
  servers: [{ url: '/_admin/v1' }],
  security: [{ adminToken: [] }],
  tags: [
    { name: 'organizations' },
    { name: 'projects' },
    { name: 'clusters' },
    { name: 'checkpoints' },
    { name: 'apiKeys' },
    { name: 'serviceAccounts' },
    { name: 'data' },
    { name: 'time' },
    { name: 'restoreJobs' },
    { name: 'snapshots' },
  ],
  paths: {
    '/openapi.json': {
      get: {
        tags: ['data'],
        summary: 'This document',
        responses: { 200: { description: 'The OpenAPI document', content: json({ type: 'object' }) }, '401': ERRORS[401] },
      },
    },
    '/orgs': {
      get: { tags: ['organizations'], summary: 'Every organization, by id', responses: { 200: answer('The organizations', listOf('Organization')), ...errors(401) } },
      post: {
        tags: ['organizations'],
        summary: 'Create an organization',
        requestBody: body('OrganizationInput', 'The organization; `id` is generated when left out'),
        responses: { 201: answer('The organization', ref('Organization')), ...errors(400, 401, 409, 413) },
      },
    },
    '/orgs/{orgId}': item('organizations', 'organization', 'Organization', [PARAMS.orgId], '`id` cannot change. DELETE also deletes its projects (with their clusters and checkpoints), API keys and service accounts.'),
    '/groups': {
      get: {
        tags: ['projects'],
        summary: 'Every project, by id',
        parameters: [orgFilter],
        responses: { 200: answer('The projects', listOf('Project')), ...errors(400, 401) },
      },
      post: {
        tags: ['projects'],
        summary: 'Create a project',
        requestBody: body('ProjectInput', 'The project; `id` is generated when left out'),
        responses: { 201: answer('The project', ref('Project')), ...errors(400, 401, 409, 413) },
      },
    },
    '/groups/{groupId}': item('projects', 'project', 'Project', [PARAMS.groupId], '`id` and `orgId` cannot change. DELETE also deletes its clusters and their checkpoints; API keys and service accounts lose their roles on it.'),
    '/groups/{groupId}/clusters': {
      parameters: [PARAMS.groupId],
      get: { tags: ['clusters'], summary: 'The clusters of a project, by id', responses: { 200: answer('The clusters', listOf('Cluster')), ...errors(401, 404) } },
      post: {
        tags: ['clusters'],
        summary: 'Create a cluster',
        description:
          '`id` is generated when left out, `groupId` is the path’s. The schedule answers the real API’s errors: ' +
          '400 CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET, INVALID_CLUSTER_CHECKPOINT_INTERVAL, INVALID_ATTRIBUTE.',
        requestBody: body('ClusterInput', 'The cluster'),
        responses: { 201: answer('The cluster', ref('Cluster')), ...errors(400, 401, 404, 409, 413) },
      },
    },
    '/groups/{groupId}/clusters/{clusterId}': item(
      'clusters',
      'cluster',
      'Cluster',
      [PARAMS.groupId, PARAMS.clusterId],
      '`id` and `groupId` cannot change. Schedule changes answer the real API’s errors (see create). DELETE also deletes its checkpoints.',
    ),
    '/groups/{groupId}/clusters/{clusterId}/checkpoints': {
      parameters: [PARAMS.groupId, PARAMS.clusterId],
      get: {
        tags: ['checkpoints'],
        summary: 'One page of a cluster’s checkpoints, newest first',
        parameters: [
          { name: 'pageNum', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 1 } },
          { name: 'itemsPerPage', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { 200: answer('The page and the cluster’s total count', listOf('Checkpoint')), ...errors(400, 401, 404) },
      },
      post: {
        tags: ['checkpoints'],
        summary: 'Create a checkpoint',
        description: '`id` is generated when left out; `clusterId` and `groupId` are the path’s. Whole histories load faster as a fixture.',
        requestBody: body('CheckpointInput', 'The checkpoint'),
        responses: { 201: answer('The checkpoint', ref('Checkpoint')), ...errors(400, 401, 404, 409, 413) },
      },
    },
    '/groups/{groupId}/clusters/{clusterId}/checkpoints/{checkpointId}': item(
      'checkpoints',
      'checkpoint',
      'Checkpoint',
      [PARAMS.groupId, PARAMS.clusterId, PARAMS.checkpointId],
      '`id`, `clusterId` and `groupId` cannot change; `completed: null` makes it in progress again.',
    ),
    '/apiKeys': {
      get: {
        tags: ['apiKeys'],
        summary: 'Every API key, by public key',
        parameters: [orgFilter],
        responses: { 200: answer('The API keys', listOf('ApiKey')), ...errors(400, 401) },
      },
      post: {
        tags: ['apiKeys'],
        summary: 'Create an API key',
        description: '`publicKey` and `privateKey` are generated when left out; a generated private key is answered this once.',
        requestBody: body('ApiKeyInput', 'The API key'),
        responses: { 201: answer('The API key', ref('ApiKeyCreated')), ...errors(400, 401, 409, 413) },
      },
    },
    '/apiKeys/{publicKey}': item('apiKeys', 'API key', 'ApiKey', [PARAMS.publicKey], '`publicKey` and `orgId` cannot change; a `privateKey` replaces the stored one.'),
    '/serviceAccounts': {
      get: {
        tags: ['serviceAccounts'],
        summary: 'Every service account, by client id',
        parameters: [orgFilter],
        responses: { 200: answer('The service accounts', listOf('ServiceAccount')), ...errors(400, 401) },
      },
      post: {
        tags: ['serviceAccounts'],
        summary: 'Create a service account',
        description: '`clientId` and `clientSecret` are generated when left out; a generated secret is answered this once.',
        requestBody: body('ServiceAccountInput', 'The service account'),
        responses: { 201: answer('The service account', ref('ServiceAccountCreated')), ...errors(400, 401, 409, 413) },
      },
    },
    '/serviceAccounts/{clientId}': item(
      'serviceAccounts',
      'service account',
      'ServiceAccount',
      [PARAMS.clientId],
      '`clientId` and `orgId` cannot change; a `clientSecret` replaces every secret (expiring at `secretExpiresAt`, or in a year); `secretExpiresAt` alone moves the expiry of every secret.',
    ),
    '/serviceAccounts/{clientId}/secrets': {
      parameters: [PARAMS.clientId],
      post: {
        tags: ['serviceAccounts'],
        summary: 'Add a secret to a service account (rotation)',
        description: '`id` and `clientSecret` are generated when left out (a generated secret is answered this once); `secretExpiresAt` defaults to a year from now. The other secrets stay.',
        requestBody: body('ServiceAccountSecretInput', 'The new secret'),
        responses: { 201: answer('The secret', ref('ServiceAccountSecretCreated')), ...errors(400, 401, 404, 409, 413) },
      },
    },
    '/serviceAccounts/{clientId}/secrets/{secretId}': {
      parameters: [PARAMS.clientId, PARAMS.secretId],
      delete: {
        tags: ['serviceAccounts'],
        summary: 'Remove one secret of a service account',
        description: 'The secret gets no more tokens; the account keeps its other secrets. 404 SERVICE_ACCOUNT_SECRET_NOT_FOUND for an unknown secret id.',
        responses: { 200: answer('The service account as stored now', ref('ServiceAccount')), ...errors(400, 401, 404, 413) },
      },
    },
    '/fixtures': {
      post: {
        tags: ['data'],
        summary: 'Load a fixture document',
        description: 'The format and the checks of `waymark load` (docs/fixtures.md): idempotent by id, all or nothing. Up to 256 MiB.',
        requestBody: { required: false, content: json(ref('FixtureDocument')) },
        responses: { 200: answer('What was written, by kind', object({ loaded: ref('Counts') })), ...errors(400, 401, 413) },
      },
    },
    '/reset': {
      post: {
        tags: ['data'],
        summary: 'Delete every record; optionally load the demo',
        description: 'Server secrets, revoked tokens and Digest replay records stay.',
        parameters: [{ name: 'demo', in: 'query', required: false, schema: { type: 'boolean', default: false } }],
        responses: {
          200: answer('What was deleted, and what the demo wrote', object({ deleted: ref('DeletedCounts'), loaded: { oneOf: [{ type: 'null' }, ref('Counts')] } })),
          ...errors(400, 401),
        },
      },
    },
    ...TIME_PATHS,
    ...RESTORE_JOB_PATHS,
    ...SNAPSHOT_PATHS,
    ...TIMELINE_PATHS,
  },
  components: {
    securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token the server was started with' } },
    schemas: {
      ApiError: object(
        {
          badRequestDetail: object({ fields: { type: 'array', items: object({ description: { type: 'string' }, field: { type: 'string' } }) } }),
          detail: { type: 'string' },
          error: { type: 'integer' },
          errorCode: { type: 'string', pattern: '^[A-Z_]+$' },
          parameters: { type: 'array', items: { type: ['string', 'number'] } },
          reason: { type: 'string' },
        },
        ['detail', 'error', 'errorCode', 'parameters', 'reason'],
      ),
      ...RECORD_SCHEMAS,
      DeletedCounts: object(Object.fromEntries(['organizations', 'projects', 'clusters', 'checkpoints', 'apiKeys', 'serviceAccounts'].map((key) => [key, count]))),
      Deleted: object({ deleted: ref('DeletedCounts') }),
      ...TIME_SCHEMAS,
      ...RESTORE_JOB_SCHEMAS,
      ...SNAPSHOT_SCHEMAS,
      ...TIMELINE_SCHEMAS,
    },
  },
} as const
