import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

export const SPEC_PATH = new URL('../../../spec/atlas-checkpoints-openapi.json', import.meta.url)

type SchemaName = 'ApiAtlasCheckpointView' | 'PaginatedApiAtlasCheckpointView' | 'ApiError'

function compile(): Record<SchemaName, ValidateFunction> {
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
  // Two keywords are relaxed, both because the real service breaks them; everything else is validated
  // as published:
  // - ApiBSONTimestampView.increment `minimum: 1199145600` (an epoch-seconds value): every real
  //   increment is a small ordinal (1, 2, 6…).
  // - ApiError.parameters `items: {type: object}` (a Java List<Object> rendered as "object"): recorded
  //   real bodies carry strings and numbers, e.g. "parameters":["111111111111111111111111"].
  delete spec.components.schemas.ApiBSONTimestampView.properties.increment.minimum
  spec.components.schemas.ApiError.properties.parameters.items = { type: ['string', 'number'] }
  const ajv = new Ajv({ strict: false, allErrors: true })
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => void
  addFormats(ajv)
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 })
  ajv.addSchema({ $id: 'atlas', components: spec.components })
  const get = (name: SchemaName): ValidateFunction => {
    const validate = ajv.getSchema(`atlas#/components/schemas/${name}`)
    if (!validate) throw new Error(`schema ${name} not found`)
    return validate
  }
  return {
    ApiAtlasCheckpointView: get('ApiAtlasCheckpointView'),
    PaginatedApiAtlasCheckpointView: get('PaginatedApiAtlasCheckpointView'),
    ApiError: get('ApiError'),
  }
}

let validators: Record<SchemaName, ValidateFunction> | undefined

/** The problems of a parsed body against the upstream schema of that name; empty when it validates. */
export function schemaErrors(name: SchemaName, body: unknown): string[] {
  validators ??= compile()
  const validate = validators[name]
  return validate(body) ? [] : [`${name}: ${JSON.stringify(validate.errors)}`]
}

/** Asserts that a parsed body validates against the upstream schema of that name. */
export function assertSchema(name: SchemaName, body: unknown): void {
  validators ??= compile()
  const validate = validators[name]
  assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`)
}
