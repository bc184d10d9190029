import { OBJECT_ID_PATTERN } from '../fixtures/fixture-schema.js'

/** The building blocks of the admin API's OpenAPI document (admin-openapi.ts and its admin-openapi-*.ts parts). */

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as const
export const objectId = { type: 'string', pattern: OBJECT_ID_PATTERN.source } as const
export const isoSeconds = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' } as const
export const count = { type: 'integer', minimum: 0 } as const

/** A closed object: every property listed, the required ones named. */
export function object(properties: Record<string, unknown>, required: readonly string[] = Object.keys(properties), extra: object = {}) {
  return { type: 'object', additionalProperties: false, required: [...required], properties, ...extra }
}

export function listOf(item: string) {
  return object({ results: { type: 'array', items: ref(item) }, totalCount: count })
}

export const json = (schema: unknown) => ({ 'application/json': { schema } })
export const answer = (description: string, schema: unknown) => ({ description, content: json(schema) })
export const error = (description: string) => answer(description, ref('ApiError'))

export const ERRORS = {
  400: error('INVALID_ATTRIBUTE (with badRequestDetail.fields), INVALID_JSON, EXPECTED_JSON_OBJECT, INVALID_QUERY_PARAMETER, a checkpoint schedule error, or MALFORMED_REQUEST (a Content-Type that is no media type)'),
  401: error('ADMIN_UNAUTHORIZED: no admin token, or a wrong one'),
  404: error('The record, or one named in the path, does not exist (or an id in the path is malformed)'),
  409: error('DUPLICATE_ID: a record with that id already exists'),
  413: error('REQUEST_BODY_TOO_LARGE'),
  503: error('SERVICE_UNAVAILABLE: the store cannot be reached; retry after the Retry-After header\'s seconds'),
} as const

export type Status = keyof typeof ERRORS

/** The given error statuses, and 503: every operation reads or writes the store. */
export function errors(...statuses: Status[]) {
  return Object.fromEntries([...statuses, 503 as const].map((s) => [String(s), ERRORS[s]]))
}

export const param = (name: string, schema: unknown, description: string) => ({ name, in: 'path', required: true, description, schema })
export const PARAMS = {
  orgId: param('orgId', objectId, 'Organization id (404 INVALID_ORG_ID when malformed)'),
  groupId: param('groupId', objectId, 'Project id (404 INVALID_GROUP_ID when malformed)'),
  clusterId: param('clusterId', objectId, 'Cluster id (404 INVALID_CLUSTER_ID when malformed)'),
  checkpointId: param('checkpointId', objectId, 'Checkpoint id (404 INVALID_CHECKPOINT_ID when malformed)'),
  publicKey: param('publicKey', { type: 'string' }, 'The API key’s public key'),
  clientId: param('clientId', { type: 'string' }, 'The service account’s client id'),
  secretId: param('secretId', { type: 'string' }, 'The id of one of the account’s secrets'),
} as const
export const orgFilter = { name: 'orgId', in: 'query', required: false, description: 'Only the records of this organization', schema: objectId }

export const body = (schema: string, description: string) => ({ required: false, description, content: json(ref(schema)) })

/** GET one, PATCH and DELETE of a record at `path`. */
export function item(tag: string, noun: string, schema: string, params: readonly unknown[], patchNote: string) {
  return {
    parameters: params,
    get: { tags: [tag], summary: `Get one ${noun}`, responses: { 200: answer(`The ${noun}`, ref(schema)), ...errors(401, 404) } },
    patch: {
      tags: [tag],
      summary: `Change some fields of one ${noun}`,
      description: patchNote,
      requestBody: body(`${schema}Patch`, 'Only the fields to change; the others keep their values'),
      responses: { 200: answer(`The ${noun} as stored now`, ref(schema)), ...errors(400, 401, 404, 413) },
    },
    delete: {
      tags: [tag],
      summary: `Delete one ${noun}`,
      // A DELETE takes no body, but one sent is still read: a bad Content-Type or an oversized body is refused.
      responses: { 200: answer('What was deleted, by kind', ref('Deleted')), ...errors(400, 401, 404, 413) },
    },
  }
}
