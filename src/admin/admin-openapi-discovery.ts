import { CLOUD_PROVIDER_CATALOGUE } from '../domain/cloud-providers.js'
import { DEPLOYMENT_FIELDS } from '../domain/deployment.js'
import { BACKUP_STATUSES, CLOUD_PROVIDERS, CLUSTER_STATES } from '../domain/types.js'
import {
  DISK_SIZE_GB_MAX,
  DISK_SIZE_GB_MIN,
  MAX_DISK_IOPS,
  MONGODB_VERSION_PATTERN,
  OBJECT_ID_PATTERN,
  TAG_TEXT_MAX_LENGTH,
} from '../fixtures/fixture-schema.js'

/**
 * The admin OpenAPI document's schemas of the project and cluster fields the discovery endpoints show
 * (docs/behaviour.md#discovery), beside admin-openapi.ts: absent from a record when not set (the default
 * applies), set back to the default by null in a body.
 */

const objectId = { type: 'string', pattern: OBJECT_ID_PATTERN.source } as const
const dateTime = { type: 'string', format: 'date-time' } as const
const isoSeconds = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' } as const
const createdAt = { ...isoSeconds, description: 'Default: the time in the first 4 bytes of id' }

/** The cluster's deployment fields as records show them. */
export const DEPLOYMENT_FIELD_SCHEMAS = {
  createdAt,
  mongoDBVersion: {
    type: 'string',
    pattern: MONGODB_VERSION_PATTERN.source,
    description: 'Not of an older release series than featureCompatibilityVersion; default: the last patch release of the FCV',
  },
  stateName: { enum: [...CLUSTER_STATES], description: 'Default IDLE' },
  provider: { enum: [...CLOUD_PROVIDERS], description: 'Default AWS' },
  region: {
    enum: [...new Set(CLOUD_PROVIDERS.flatMap((p) => CLOUD_PROVIDER_CATALOGUE[p].regions))],
    description: "One of the provider's regions; default US_EAST_1 (AWS), US_EAST_2 (AZURE), CENTRAL_US (GCP)",
  },
  instanceSize: {
    enum: [...new Set(CLOUD_PROVIDERS.flatMap((p) => CLOUD_PROVIDER_CATALOGUE[p].instanceSizes))],
    description: "One of the provider's instance sizes; default M30",
  },
  diskSizeGB: { type: 'number', minimum: DISK_SIZE_GB_MIN, maximum: DISK_SIZE_GB_MAX, description: 'Default 40' },
  diskIOPS: { type: 'integer', minimum: 1, maximum: MAX_DISK_IOPS, description: 'AWS only; default 3000' },
  backupStatus: { enum: [...BACKUP_STATUSES], description: 'Ops Manager backupConfigs statusName; default STARTED for LEGACY backup, else INACTIVE' },
}

/** Cluster fields as a body gives them: a deployment field may be null (back to its default). */
export function nullableDeploymentFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, schema]) => [
      name,
      (DEPLOYMENT_FIELDS as readonly string[]).includes(name) ? { oneOf: [{ type: 'null' }, name === 'createdAt' ? dateTime : schema] } : schema,
    ]),
  )
}

const tag = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'value'],
  properties: { key: { type: 'string', minLength: 1, maxLength: TAG_TEXT_MAX_LENGTH }, value: { type: 'string', minLength: 1, maxLength: TAG_TEXT_MAX_LENGTH } },
}
const resourceTags = { type: 'array', items: tag, description: 'Atlas resource tags; default none' }

/** A project as records show it. */
export const projectFields = {
  id: objectId,
  orgId: objectId,
  name: { type: 'string', minLength: 1, description: 'Unique within the organization' },
  createdAt,
  tags: resourceTags,
}

/** A project as a body gives it. */
export const projectInputFields = {
  ...projectFields,
  name: { type: 'string' },
  createdAt: { oneOf: [{ type: 'null' }, dateTime] },
  tags: { oneOf: [{ type: 'null' }, resourceTags] },
}
