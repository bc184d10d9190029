import type { TSchema } from 'typebox'
import type { Field, RecordKind } from '../fixtures/schemas/fields.js'
import { FIXTURE_KEYS } from '../fixtures/schemas/limits.js'
import { RECORD_KINDS } from '../fixtures/schemas/record-kinds.js'
import { count, object, ref } from './admin-openapi-helpers.js'

/**
 * The component schemas of the records in the admin OpenAPI document, generated from the record schemas
 * (src/fixtures/schemas), one set per kind: `<C>` (a record as answered), `<C>Input` (a create's body, the
 * fixture entry whose generated fields may be left out), `<C>Patch` (the fields a patch may change),
 * `<C>Created` (a create's answer, with a generated secret shown once) and the kind's named parts.
 */

const recordSchemaOf = (field: Field): TSchema | undefined => (field.record === null ? undefined : (field.record ?? field.entry))

/** A record as the admin API answers it: closed, every field it always shows required. */
function recordSchema(kind: RecordKind, extra: Record<string, TSchema> = {}) {
  const properties: Record<string, unknown> = {}
  const required: string[] = []
  for (const [name, field] of Object.entries(kind.fields)) {
    const schema = recordSchemaOf(field)
    if (schema === undefined) continue
    properties[name] = schema
    if (field.always !== false) required.push(name)
  }
  return object({ ...properties, ...extra }, required)
}

/** A body: the entry's fields, open (the server answers every unknown one as a violation). */
function inputSchema(kind: RecordKind, leave: readonly string[], required: boolean) {
  const properties: Record<string, unknown> = {}
  const names: string[] = []
  for (const [name, field] of Object.entries(kind.fields)) {
    if (field.entry === undefined || leave.includes(name)) continue
    properties[name] = field.entry
    if (required && field.required && !kind.generated.includes(name)) names.push(name)
  }
  return { type: 'object', required: names, properties }
}

function kindSchemas(kind: RecordKind): Record<string, unknown> {
  const c = kind.component
  const created = kind.shownOnCreate
    ? { [`${c}Created`]: recordSchema(kind, Object.fromEntries(kind.shownOnCreate.map((name) => [name, kind.fields[name]?.entry as TSchema]))) }
    : {}
  return {
    ...kind.parts,
    [c]: recordSchema(kind),
    ...created,
    [`${c}Input`]: inputSchema(kind, [], true),
    [`${c}Patch`]: inputSchema(kind, kind.fixed, false),
  }
}

/** The named parts of every kind, as JSON, by name: used in a record's schema, they become references. */
const PARTS = new Map(FIXTURE_KEYS.flatMap((key) => Object.entries(RECORD_KINDS[key].parts ?? {}).map(([name, schema]) => [JSON.stringify(schema), name] as const)))

/** `value` with every copy of a named part, below the top, replaced by a reference to its component. */
function withReferences(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => withReferences(v, false))
  if (typeof value !== 'object' || value === null) return value
  const part = top ? undefined : PARTS.get(JSON.stringify(value))
  if (part !== undefined) return ref(part)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withReferences(v, false)]))
}

/** Every record kind's component schemas, the fixture document's and the counts by kind. */
export const RECORD_SCHEMAS = Object.fromEntries(
  Object.entries(recordSchemas()).map(([name, schema]) => [name, withReferences(JSON.parse(JSON.stringify(schema)))]),
)

function recordSchemas(): Record<string, unknown> {
  return {
    Counts: object(Object.fromEntries(FIXTURE_KEYS.map((key) => [key, count]))),
    ...Object.assign({}, ...FIXTURE_KEYS.map((key) => kindSchemas(RECORD_KINDS[key]))),
    FixtureDocument: {
      type: 'object',
      description: 'A fixture document (docs/fixtures.md); every array is optional',
      additionalProperties: false,
      properties: Object.fromEntries(FIXTURE_KEYS.map((key) => [key, { type: 'array', items: ref(`${RECORD_KINDS[key].component}Input`) }])),
    },
  }
}
