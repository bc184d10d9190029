import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

export const LEGACY_SPEC_PATH = new URL('../../../spec/legacy-backup-openapi.json', import.meta.url)

export type LegacySchema =
  | 'ApiAtlasSnapshotScheduleView'
  | 'BackupSnapshot'
  | 'PaginatedSnapshotView'
  | 'BackupRestoreJob'
  | 'PaginatedRestoreJobView'
  | 'ApiError'

let ajv: Ajv | undefined
const compiled = new Map<LegacySchema, ValidateFunction>()

function validator(name: LegacySchema): ValidateFunction {
  if (ajv === undefined) {
    const spec = JSON.parse(readFileSync(LEGACY_SPEC_PATH, 'utf8'))
    // Relaxed as for the checkpoints (test/helpers/openapi.ts): the timestamp increment's minimum and the
    // error parameters' item type. And one more, which docs/behaviour.md#snapshot-schedule records:
    // `clusterCheckpointIntervalMin` is `required`, with the enum 15/30/60, yet every recorded schedule of
    // a replica set or of a cluster with checkpoints off (the Atlas v1.0 and Ops Manager examples) omits
    // it (P-S4), so it is not required here.
    delete spec.components.schemas.ApiBSONTimestampView.properties.increment.minimum
    spec.components.schemas.ApiError.properties.parameters.items = { type: ['string', 'number'] }
    const schedule = spec.components.schemas.ApiAtlasSnapshotScheduleView
    schedule.required = schedule.required.filter((field: string) => field !== 'clusterCheckpointIntervalMin')
    ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false })
    ;(addFormatsModule as unknown as (instance: Ajv) => void)(ajv)
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 })
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) })
    ajv.addSchema({ $id: 'legacy', components: spec.components })
  }
  let validate = compiled.get(name)
  if (validate === undefined) {
    validate = ajv.getSchema(`legacy#/components/schemas/${name}`)
    if (!validate) throw new Error(`schema ${name} not found`)
    compiled.set(name, validate)
  }
  return validate
}

/** The problems of a parsed body against the upstream legacy backup schema of that name; empty when it validates. */
export function legacySchemaErrors(name: LegacySchema, body: unknown): string[] {
  const validate = validator(name)
  return validate(body) ? [] : [`${name}: ${JSON.stringify(validate.errors)}`]
}

/** Asserts that a parsed body validates against the upstream legacy backup schema of that name. */
export function assertLegacySchema(name: LegacySchema, body: unknown): void {
  const validate = validator(name)
  assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`)
}
