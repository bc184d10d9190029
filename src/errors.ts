import { RESTORE_JOB_ERRORS } from './restore-job-errors.js'

/**
 * The error catalogue: every error the API answers, with its HTTP status, wire errorCode and detail
 * template. docs/errors.md documents each entry; test/errors-catalogue.test.ts keeps the two in step.
 *
 * Keys are our own names; `errorCode` is what goes on the wire. They differ only where the real API
 * uses one errorCode for two situations (CLUSTER_NOT_FOUND by name or by id, UNEXPECTED_ERROR for
 * both a failed login and a server fault).
 */
export const ERRORS = {
  RESOURCE_NOT_FOUND: { status: 404, errorCode: 'RESOURCE_NOT_FOUND', detail: 'Cannot find resource %s.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    errorCode: 'METHOD_NOT_ALLOWED',
    detail: 'Method %s is not allowed for resource %s.',
  },
  NOT_AUTHENTICATED: {
    status: 401,
    errorCode: 'UNEXPECTED_ERROR',
    detail: 'You are not authorized for this resource.',
  },
  INVALID_VERSION_DATE: {
    status: 406,
    errorCode: 'INVALID_VERSION_DATE',
    detail: 'Invalid accept header or version date.',
  },
  INVALID_GROUP_ID: { status: 404, errorCode: 'INVALID_GROUP_ID', detail: 'An invalid group ID %s was specified.' },
  INVALID_CLUSTER_ID: {
    status: 404,
    errorCode: 'INVALID_CLUSTER_ID',
    detail: 'An invalid cluster ID %s was specified.',
  },
  INVALID_CHECKPOINT_ID: {
    status: 404,
    errorCode: 'INVALID_CHECKPOINT_ID',
    detail: 'An invalid checkpoint ID %s was specified.',
  },
  INVALID_QUERY_PARAMETER: {
    status: 400,
    errorCode: 'INVALID_QUERY_PARAMETER',
    detail: 'Invalid query parameter %s specified.',
  },
  IP_ADDRESS_NOT_ON_ACCESS_LIST: {
    status: 403,
    errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
    detail: 'IP address %s is not allowed to access this resource.',
  },
  GROUP_NOT_FOUND: { status: 404, errorCode: 'GROUP_NOT_FOUND', detail: 'No group with ID %s exists.' },
  USER_UNAUTHORIZED: {
    status: 401,
    errorCode: 'USER_UNAUTHORIZED',
    detail: 'Current user is not authorized to perform this action.',
  },
  RATE_LIMITED_TOKEN_BUCKET: {
    status: 429,
    errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
    detail:
      'Rate limit exceeded for %s. Please retry after %s seconds. Request capacity: %s. Refill rate: %s per %s seconds.',
  },
  CLUSTER_NAME_NOT_FOUND: {
    status: 404,
    errorCode: 'CLUSTER_NOT_FOUND',
    detail: 'No cluster named %s exists in group %s.',
  },
  CLUSTER_ID_NOT_FOUND: {
    status: 404,
    errorCode: 'CLUSTER_NOT_FOUND',
    detail: 'No cluster with ID %s exists in group %s.',
  },
  // The discovery endpoints (docs/behaviour.md#discovery); they also answer INVALID_ORG_ID and ORG_NOT_FOUND below.
  GROUP_NAME_NOT_FOUND: { status: 404, errorCode: 'GROUP_NAME_NOT_FOUND', detail: 'No group with name "%s" exists.' },
  GROUP_NAME_NOT_FOUND_OPS_MANAGER: { status: 404, errorCode: 'GROUP_NAME_NOT_FOUND', detail: 'No group with name %s exists.' },
  MULTIPLE_GROUPS: { status: 409, errorCode: 'MULTIPLE_GROUPS', detail: 'Multiple groups exist with the specified name.' },
  VERSION_GONE: {
    status: 410,
    errorCode: 'VERSION_GONE',
    detail: 'This happens when a resource is marked for sunset and the sunset date is in the past.',
  },
  CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP: {
    status: 400,
    errorCode: 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP',
    detail: 'Checkpoints do not exist for Cloud Backups.',
  },
  CHECKPOINT_NOT_FOUND: {
    status: 404,
    errorCode: 'CHECKPOINT_NOT_FOUND',
    detail: 'No checkpoint with ID %s exists for cluster %s.',
  },
  INVALID_CLUSTER_CHECKPOINT_INTERVAL: {
    status: 400,
    errorCode: 'INVALID_CLUSTER_CHECKPOINT_INTERVAL',
    detail: 'Cluster checkpoint interval must be 15, 30, or 60 minutes.',
  },
  CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET: {
    status: 400,
    errorCode: 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET',
    detail: 'Cluster checkpoint interval can only be set for sharded clusters, not replica sets.',
  },
  INVALID_ATTRIBUTE: { status: 400, errorCode: 'INVALID_ATTRIBUTE', detail: 'Invalid attribute %s specified.' },
  // Legacy backup: request bodies (docs/behaviour.md#legacy-backup-requests).
  MALFORMED_JSON: { status: 400, errorCode: 'MALFORMED_JSON', detail: 'Received JSON is malformed.' },
  JSON_NOT_AS_EXPECTED: { status: 400, errorCode: 'INVALID_JSON', detail: 'Received JSON does not match expected format.' },
  INVALID_JSON_ATTRIBUTE: {
    status: 400,
    errorCode: 'INVALID_JSON_ATTRIBUTE',
    detail: 'Received JSON for the %s attribute does not match expected format.',
  },
  INVALID_ENUM_VALUE: { status: 400, errorCode: 'INVALID_ENUM_VALUE', detail: 'An invalid enumeration value %s was specified.' },
  INVALID_DATE_FORMAT: { status: 400, errorCode: 'INVALID_DATE_FORMAT', detail: 'An invalid date value %s was specified.' },
  INCORRECT_BACKUP_API_ENDPOINT: {
    status: 400,
    errorCode: 'INCORRECT_BACKUP_API_ENDPOINT',
    detail: 'Incorrect Public API endpoint for Cloud Backups. Please use the following end point: %s.',
  },
  // Legacy backup: the snapshot schedule (docs/behaviour.md#snapshot-schedule).
  INVALID_SNAPSHOT_INTERVAL: { status: 400, errorCode: 'INVALID_SNAPSHOT_INTERVAL', detail: 'Snapshot interval must be 6, 8, 12, or 24 hours.' },
  INVALID_SNAPSHOT_RETENTION_PERIOD: {
    status: 400,
    errorCode: 'INVALID_SNAPSHOT_RETENTION_PERIOD',
    detail: 'Snapshot retention period must be between 1 and 5 days.',
  },
  INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD: {
    status: 400,
    errorCode: 'INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD',
    detail: 'Daily snapshot retention period must be between 1 and 365 days.',
  },
  INVALID_WEEKLY_SNAPSHOT_RETENTION_PERIOD: {
    status: 400,
    errorCode: 'INVALID_WEEKLY_SNAPSHOT_RETENTION_PERIOD',
    detail: 'Weekly snapshot retention period must be between 1 and 52 weeks.',
  },
  INVALID_MONTHLY_SNAPSHOT_RETENTION_PERIOD: {
    status: 400,
    errorCode: 'INVALID_MONTHLY_SNAPSHOT_RETENTION_PERIOD',
    detail: 'Monthly snapshot retention period must be between 1 and 36 months.',
  },
  INVALID_REFERENCE_HOUR_OF_DAY: {
    status: 400,
    errorCode: 'INVALID_REFERENCE_HOUR_OF_DAY',
    detail: 'Snapshot schedule reference hour must be between 0 and 23, inclusive.',
  },
  INVALID_REFERENCE_MINUTE_OF_HOUR: {
    status: 400,
    errorCode: 'INVALID_REFERENCE_MINUTE_OF_HOUR',
    detail: 'Snapshot schedule reference minute must be between 0 and 59, inclusive.',
  },
  INVALID_REFERENCE_TIMEZONE_OFFSET: {
    status: 400,
    errorCode: 'INVALID_REFERENCE_TIMEZONE_OFFSET',
    detail: 'Snapshot schedule timezone offset must conform to ISO-8601 time offset format, such as "+0000".',
  },
  INVALID_REFERENCE_TIME_OF_DAY_MISSING_FIELDS: {
    status: 400,
    errorCode: 'INVALID_REFERENCE_TIME_OF_DAY_MISSING_FIELDS',
    detail: 'To specify snapshot schedule reference time of day, both the hour and minute must be specified.',
  },
  // Legacy backup: snapshots (docs/behaviour.md#snapshots).
  INVALID_SNAPSHOT_ID: { status: 404, errorCode: 'INVALID_SNAPSHOT_ID', detail: 'An invalid snapshot ID %s was specified.' },
  SNAPSHOT_NOT_FOUND: { status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', detail: 'No snapshot with ID %s exists for cluster %s.' },
  CANNOT_MODIFY_SNAPSHOT: { status: 403, errorCode: 'CANNOT_MODIFY_SNAPSHOT', detail: 'Cannot modify snapshot %s because of invalid fields.' },
  CANNOT_MODIFY_IN_PROGRESS_SNAPSHOT_RETENTION: {
    status: 400,
    errorCode: 'CANNOT_MODIFY_IN_PROGRESS_SNAPSHOT_RETENTION',
    detail: 'Snapshot retention can only be modified once it is completed.',
  },
  CANNOT_MODIFY_SHARD_BACKUP_CONFIG: {
    status: 409,
    errorCode: 'CANNOT_MODIFY_SHARD_BACKUP_CONFIG',
    detail: 'Cannot modify backup configuration for individual shard; use cluster ID %s for entire cluster.',
  },
  CANNOT_DELETE_IN_PROGRESS_SNAPSHOT: {
    status: 400,
    errorCode: 'CANNOT_DELETE_IN_PROGRESS_SNAPSHOT',
    detail: 'Cannot delete an in progress snapshot %s.',
  },
  MALFORMED_REQUEST: { status: 400, errorCode: 'MALFORMED_REQUEST', detail: 'The request could not be parsed.' },
  REQUEST_TIMEOUT: { status: 408, errorCode: 'REQUEST_TIMEOUT', detail: 'The request was not received in full in time.' },
  REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    errorCode: 'REQUEST_HEADERS_TOO_LARGE',
    detail: 'The request line and headers exceed %s bytes.',
  },
  UNEXPECTED_ERROR: { status: 500, errorCode: 'UNEXPECTED_ERROR', detail: 'Unexpected error.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    errorCode: 'SERVICE_UNAVAILABLE',
    detail: 'The service is temporarily unavailable. Please retry later.',
  },
  TOO_MANY_CONNECTIONS: {
    status: 503,
    errorCode: 'TOO_MANY_CONNECTIONS',
    detail: 'Too many connections are open (at most %s). Please retry later.',
  },
  // GET /metrics when a metrics token is configured (docs/operations.md).
  METRICS_UNAUTHORIZED: {
    status: 401,
    errorCode: 'METRICS_UNAUTHORIZED',
    detail: 'The metrics need the metrics token as a bearer token.',
  },

  // The admin API under /_admin/v1/ (docs/admin-api.md). It also answers RESOURCE_NOT_FOUND,
  // METHOD_NOT_ALLOWED, INVALID_GROUP_ID, INVALID_CLUSTER_ID, INVALID_CHECKPOINT_ID, GROUP_NOT_FOUND,
  // CLUSTER_ID_NOT_FOUND, CHECKPOINT_NOT_FOUND, INVALID_QUERY_PARAMETER, INVALID_ATTRIBUTE and the
  // checkpoint schedule errors above.
  ADMIN_UNAUTHORIZED: {
    status: 401,
    errorCode: 'ADMIN_UNAUTHORIZED',
    detail: 'The admin API needs the admin token as a bearer token.',
  },
  INVALID_JSON: { status: 400, errorCode: 'INVALID_JSON', detail: 'Received JSON is malformed.' },
  EXPECTED_JSON_OBJECT: {
    status: 400,
    errorCode: 'EXPECTED_JSON_OBJECT',
    detail: 'The request body must be a JSON object, not %s.',
  },
  REQUEST_BODY_TOO_LARGE: {
    status: 413,
    errorCode: 'REQUEST_BODY_TOO_LARGE',
    detail: 'The request body exceeds %s bytes.',
  },
  INVALID_ORG_ID: { status: 404, errorCode: 'INVALID_ORG_ID', detail: 'An invalid organization ID %s was specified.' },
  ORG_NOT_FOUND: { status: 404, errorCode: 'ORG_NOT_FOUND', detail: 'No organization with ID %s exists.' },
  API_KEY_NOT_FOUND: { status: 404, errorCode: 'API_KEY_NOT_FOUND', detail: 'No API key with public key %s exists.' },
  SERVICE_ACCOUNT_NOT_FOUND: {
    status: 404,
    errorCode: 'SERVICE_ACCOUNT_NOT_FOUND',
    detail: 'No service account with client ID %s exists.',
  },
  SERVICE_ACCOUNT_SECRET_NOT_FOUND: {
    status: 404,
    errorCode: 'SERVICE_ACCOUNT_SECRET_NOT_FOUND',
    detail: 'No secret with ID %s exists for service account %s.',
  },
  DUPLICATE_ID: { status: 409, errorCode: 'DUPLICATE_ID', detail: '%s %s already exists.' },
  FIXTURE_LOAD_IN_PROGRESS: {
    status: 409,
    errorCode: 'FIXTURE_LOAD_IN_PROGRESS',
    detail: 'Another fixture document is being loaded; retry once it is done.',
  },
  // The admin API's clock and history (docs/admin-api.md, "Time").
  CLOCK_CANNOT_GO_BACK: {
    status: 409,
    errorCode: 'CLOCK_CANNOT_GO_BACK',
    detail: 'The clock cannot go back: %s is before its time now, %s.',
  },
  CLUSTER_MAKES_NO_CHECKPOINTS: {
    status: 409,
    errorCode: 'CLUSTER_MAKES_NO_CHECKPOINTS',
    detail: 'Cluster %s (%s) makes no checkpoints: %s.',
  },
  HISTORY_OVERLAPS: {
    status: 409,
    errorCode: 'HISTORY_OVERLAPS',
    detail: 'Cluster %s already has checkpoints up to %s; a history is only appended after the newest (inserting into one renumbers it), so give a from after it.',
  },
  // Restore jobs and their downloads (docs/errors.md#restore-job-errors).
  ...RESTORE_JOB_ERRORS,
} as const satisfies Record<string, ErrorSpec>

export interface ErrorSpec {
  readonly status: number
  readonly errorCode: string
  readonly detail: string
}

export type ErrorName = keyof typeof ERRORS
export type ErrorParam = string | number

/** HTTP reason phrases as the real API writes them in `reason`. */
export const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** An error the API answers on purpose; anything else thrown becomes UNEXPECTED_ERROR. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly errorCode: string
  readonly detail: string
  readonly parameters: readonly ErrorParam[]

  constructor(readonly key: ErrorName, parameters: readonly ErrorParam[] = []) {
    const spec: ErrorSpec = ERRORS[key]
    const detail = fillTemplate(spec.detail, parameters)
    super(detail)
    this.status = spec.status
    this.errorCode = spec.errorCode
    this.detail = detail
    this.parameters = parameters
  }

  /** The body in the real API's key order: detail, error, errorCode, parameters, reason. */
  toBody(): ApiErrorBody {
    return {
      detail: this.detail,
      error: this.status,
      errorCode: this.errorCode,
      parameters: this.parameters,
      reason: REASONS[this.status] ?? 'Error',
    }
  }
}

export interface ApiErrorBody {
  readonly detail: string
  readonly error: number
  readonly errorCode: string
  readonly parameters: readonly ErrorParam[]
  readonly reason: string
}

/** Replaces each `%s` in order; a missing parameter leaves the `%s` as it is. */
export function fillTemplate(template: string, parameters: readonly ErrorParam[]): string {
  let index = 0
  return template.replace(/%s/g, (token) => {
    const value = parameters[index++]
    return value === undefined ? token : String(value)
  })
}
