import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

/** The upstream OpenAPI subset of the nine v2 Legacy Backup operations (spec/README.md). */
export const LEGACY_SPEC_PATH = new URL('../../../spec/legacy-backup-openapi.json', import.meta.url)

export type LegacySchemaName = 'BackupRestoreJob' | 'PaginatedRestoreJobView' | 'ApiError'

let ajv: Ajv | undefined

function compiled(): Ajv {
  if (ajv !== undefined) return ajv
  const spec = JSON.parse(readFileSync(LEGACY_SPEC_PATH, 'utf8'))
  // Relaxed as for the checkpoint subset (test/helpers/openapi.ts), because real bodies break them:
  // - ApiBSONTimestampView.increment `minimum: 1199145600`: every real increment is a small ordinal.
  // - ApiError.parameters items `type: object`: real bodies carry strings and numbers.
  // Nothing else is relaxed: readOnly/writeOnly are not enforced by Ajv, so a response must simply not
  // carry a writeOnly field (checked by the tests themselves).
  delete spec.components.schemas.ApiBSONTimestampView.properties.increment.minimum
  spec.components.schemas.ApiError.properties.parameters.items = { type: ['string', 'number'] }
  const instance = new Ajv({ strict: false, allErrors: true })
  ;(addFormatsModule as unknown as (a: Ajv) => void)(instance)
  instance.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 })
  instance.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) })
  instance.addSchema({ $id: 'legacy', components: spec.components })
  ajv = instance
  return instance
}

function validator(name: LegacySchemaName): ValidateFunction {
  const validate = compiled().getSchema(`legacy#/components/schemas/${name}`)
  if (!validate) throw new Error(`schema ${name} not found`)
  return validate
}

const WRITE_ONLY = ['checkpointId', 'oplogInc', 'oplogTs', 'pointInTimeUTCMillis']

/** Asserts a parsed v2 body validates against the upstream schema, and a job carries no writeOnly field. */
export function assertLegacySchema(name: LegacySchemaName, body: unknown): void {
  const validate = validator(name)
  assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`)
  const jobs = name === 'BackupRestoreJob' ? [body] : name === 'PaginatedRestoreJobView' ? ((body as { results: unknown[] }).results ?? []) : []
  for (const job of jobs) for (const field of WRITE_ONLY) assert.ok(!(field in (job as object)), `writeOnly ${field} in a response`)
}
