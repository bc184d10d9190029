import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

/**
 * Validates Atlas v2 discovery bodies against the upstream schemas of spec/atlas-discovery-openapi.json,
 * picked by the operation's path and the response's media type as the spec lists them (so every resource
 * version is checked against its own schema). The file is never edited; these readings (P-D16 of the
 * research digest, docs/behaviour.md#discovery) are applied to a copy here, each because the published
 * schema cannot be compiled as it stands or because recorded real bodies break it:
 * - T1: `oneOf` + `discriminator` parents (CloudRegionConfig, CloudRegionConfig20240805,
 *   ClusterProviderSettings), whose branches `allOf`-reference the parent (a loop for a validator without
 *   discriminator semantics): the parent becomes its properties (a base the branches reference) plus a
 *   dispatch on `providerName` to the mapped branch.
 * - T2: a `oneOf` without discriminator (the hardware specs) is read as `anyOf`: an AWS spec also matches
 *   the GCP branch, as every real spec does.
 * - T3: `regionName` drops `type: object` (every real value is a string; the region enums are strings).
 * - T4: `adaptiveCapacity` may be null (every recorded 2024-08-05 body writes null).
 * - T5: `BiConnector.readPreference` may be lower case (every recorded body writes "secondary").
 * - T6: project and organization names drop their pattern (recorded real names have spaces), and so do
 *   the same names in the all-clusters view (`OrgGroup.groupName`, `orgName`).
 */
export const DISCOVERY_SPEC_PATH = new URL('../../../spec/atlas-discovery-openapi.json', import.meta.url)

type Json = Record<string, any>

function relax(spec: Json): Json {
  const schemas: Json = spec.components.schemas
  // T1
  for (const name of ['CloudRegionConfig', 'CloudRegionConfig20240805', 'ClusterProviderSettings']) {
    const parent = schemas[name]
    const { oneOf: _oneOf, discriminator, ...base } = parent
    schemas[`${name}Base`] = base
    for (const schema of Object.values(schemas) as Json[]) {
      for (const part of schema.allOf ?? []) if (part.$ref === `#/components/schemas/${name}`) part.$ref = `#/components/schemas/${name}Base`
    }
    const mapping = Object.entries(discriminator.mapping as Record<string, string>)
    schemas[name] = {
      allOf: [
        { $ref: `#/components/schemas/${name}Base` },
        { required: [discriminator.propertyName], properties: { [discriminator.propertyName]: { enum: mapping.map(([value]) => value) } } },
        ...mapping.map(([value, ref]) => ({ if: { properties: { [discriminator.propertyName]: { const: value } } }, then: { $ref: ref } })),
      ],
    }
  }
  // T2: every remaining oneOf has no discriminator.
  const anyOf = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    const object = node as Json
    if (Array.isArray(object.oneOf) && object.discriminator === undefined) {
      object.anyOf = object.oneOf
      delete object.oneOf
    }
    for (const value of Object.values(object)) anyOf(value)
  }
  anyOf(schemas)
  // T3
  for (const name of ['CloudRegionConfigBase', 'CloudRegionConfig20240805Base']) delete schemas[name].properties.regionName.type
  // T4
  const adaptive = schemas.ClusterDescription20240805.properties.adaptiveCapacity
  adaptive.type = ['string', 'null']
  adaptive.enum = [...adaptive.enum, null]
  // T5
  const readPreference = schemas.BiConnector.properties.readPreference
  readPreference.enum = [...readPreference.enum, ...readPreference.enum.map((v: string) => v.toLowerCase())]
  // T6
  delete schemas.Group.properties.name.pattern
  delete schemas.AtlasOrganization.properties.name.pattern
  delete schemas.OrgGroup.properties.groupName.pattern
  delete schemas.OrgGroup.properties.orgName.pattern
  // The error body, as test/helpers/openapi.ts reads it: parameters are strings and numbers.
  schemas.ApiError.properties.parameters.items = { type: ['string', 'number'] }
  return spec
}

let compiled: { spec: Json; ajv: Ajv } | undefined

function load(): { spec: Json; ajv: Ajv } {
  if (compiled) return compiled
  const spec = relax(JSON.parse(readFileSync(DISCOVERY_SPEC_PATH, 'utf8')))
  const ajv = new Ajv({ strict: false, allErrors: true })
  ;(addFormatsModule as unknown as (instance: Ajv) => void)(ajv)
  const integer = (bits: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** (bits - 1) })
  ajv.addFormat('int32', integer(32))
  ajv.addFormat('int64', integer(64))
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) })
  ajv.addSchema({ $id: 'discovery', components: spec.components })
  compiled = { spec, ajv }
  return compiled
}

const validators = new Map<string, ValidateFunction>()

/** The schema the spec gives for the 200 answer of `GET template` in `mediaType`, e.g. `…2024-08-05+json`. */
export function responseSchemaName(template: string, mediaType: string): string {
  const { spec } = load()
  const operation = spec.paths[template]?.get
  assert.ok(operation, `no GET ${template} in the discovery spec`)
  const schema = operation.responses['200']?.content?.[mediaType]?.schema
  assert.ok(schema?.$ref, `GET ${template} has no 200 answer in ${mediaType}`)
  return String(schema.$ref).split('/').pop() as string
}

/** The problems of a parsed body against a component schema; empty when it validates. */
export function discoverySchemaErrors(schemaName: string, body: unknown): string[] {
  const { ajv } = load()
  let validate = validators.get(schemaName)
  if (validate === undefined) {
    validate = ajv.getSchema(`discovery#/components/schemas/${schemaName}`)
    assert.ok(validate, `schema ${schemaName} not found`)
    validators.set(schemaName, validate)
  }
  return validate(body) ? [] : [`${schemaName}: ${JSON.stringify(validate.errors)}`]
}

/**
 * Asserts that a 200 body of `GET template` (a path template of the spec, e.g.
 * `/api/atlas/v2/groups/{groupId}/clusters`) validates against the schema of its Content-Type's version.
 */
export function assertDiscoveryBody(template: string, contentType: string, body: unknown): void {
  const mediaType = contentType.replace(/;charset=utf-8$/, '')
  const name = responseSchemaName(template, mediaType)
  const problems = discoverySchemaErrors(name, body)
  assert.deepEqual(problems, [], `${template} (${mediaType}) → ${name}\n${JSON.stringify(body).slice(0, 2000)}`)
}
