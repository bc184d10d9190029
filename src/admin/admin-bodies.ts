import { checkReferenceProblems } from '../fixtures/check-references.js'
import type { FixtureProblem } from '../fixtures/error-list.js'
import type { FixtureKey } from '../fixtures/fixture-schema.js'
import { hashSecrets } from '../fixtures/hash-secrets.js'
import { validateFixture } from '../fixtures/validate-fixture.js'
import { EMPTY_DATA_SET, type DataSet, type RecordOf } from '../domain/data-set.js'
import { ApiError } from '../errors.js'
import type { Store } from '../storage/store.js'
import { FieldViolationsError, type FieldViolation } from './field-violations.js'

export type JsonObject = Record<string, unknown>

/** The record type of each fixture array. */
export type EntryOf<K extends FixtureKey> = RecordOf<K>


/** A data set holding one record. */
export function only<K extends FixtureKey>(kind: K, record: EntryOf<K>): DataSet {
  return { ...EMPTY_DATA_SET, [kind]: [record] }
}

/** What the admin routes' body parser gives for a body that is not JSON; {@link bodyObject} reports it. */
export const MALFORMED_JSON: unique symbol = Symbol('malformed JSON body')

/**
 * The request body as a JSON object: no body is `{}`; a body that is not JSON is 400 INVALID_JSON; any
 * other JSON is 400 EXPECTED_JSON_OBJECT.
 */
export function bodyObject(body: unknown): JsonObject {
  if (body === MALFORMED_JSON) throw new ApiError('INVALID_JSON')
  if (body === undefined) return {}
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as JsonObject
  throw new ApiError('EXPECTED_JSON_OBJECT', [body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body])
}

/**
 * One record of `kind`, checked exactly as the same entry of a fixture file (`waymark load`) is: its fields
 * by the fixture validator, then its references against the store. Throws 400 INVALID_ATTRIBUTE listing
 * every bad field with the fixture's message, less its entry label (`name must be a non-empty string`).
 */
export async function validateEntry<K extends FixtureKey>(
  kind: K,
  entry: JsonObject,
  store: Store,
  now: Date,
  /** Runs between the field checks and the reference checks: a create's 409 DUPLICATE_ID comes first. */
  beforeReferences?: (record: EntryOf<K>) => Promise<void>,
  /** Hash a service account's client secret (async scrypt); an update that keeps the stored one does not. */
  hashSecret = true,
): Promise<EntryOf<K>> {
  const result = validateFixture({ [kind]: [entry] }, { now })
  if (!result.ok) throw new FieldViolationsError(result.problems.map((p) => entryViolation(kind, p)))
  const record = result.data[kind]?.[0] as EntryOf<K> | undefined
  if (record === undefined) throw new Error(`validateEntry: no ${kind} entry came out of a valid fixture`)
  await beforeReferences?.(record)
  const problems = await checkReferenceProblems(result.data, store)
  if (problems.length > 0) throw new FieldViolationsError(problems.map((p) => entryViolation(kind, p)))
  if (kind !== 'serviceAccounts' || !hashSecret) return record
  return (await hashSecrets(result.data, result.clientSecrets)).serviceAccounts[0] as EntryOf<K>
}

/** A problem of a whole fixture document: the field's path in it, and the message `waymark load` prints. */
export function documentViolation(p: FixtureProblem): FieldViolation {
  return { field: p.field, description: p.message }
}

/** A problem of the one entry: its field within the entry, and its description. */
function entryViolation(kind: FixtureKey, p: FixtureProblem): FieldViolation {
  const prefix = `${kind}[0]`
  const field = p.field === prefix ? '' : p.field.startsWith(`${prefix}.`) ? p.field.slice(prefix.length + 1) : p.field
  return { field, description: p.description }
}

/**
 * A partial update: the record's current fields with the body's on top. Fields in `fixed` (the id and
 * the parent references) may be repeated with their current value, but not changed.
 */
export function mergePatch(current: JsonObject, patch: JsonObject, fixed: readonly string[]): JsonObject {
  const violations: FieldViolation[] = []
  for (const field of fixed) {
    const value = patch[field]
    if (value !== undefined && value !== current[field]) {
      violations.push({ field, description: `${field} cannot be changed (it is ${JSON.stringify(current[field])}); delete and create instead` })
    }
  }
  if (violations.length > 0) throw new FieldViolationsError(violations)
  return { ...current, ...patch }
}

/**
 * Fills a parent reference from the path when the body leaves it out; a body naming another one is a
 * violation (400 INVALID_ATTRIBUTE).
 */
export function fromPath(body: JsonObject, fields: Readonly<Record<string, string>>): JsonObject {
  const violations: FieldViolation[] = []
  const filled: JsonObject = { ...body }
  for (const [field, value] of Object.entries(fields)) {
    if (body[field] === undefined) filled[field] = value
    else if (body[field] !== value) {
      violations.push({ field, description: `${field} must be the one in the path, ${value}, or absent` })
    }
  }
  if (violations.length > 0) throw new FieldViolationsError(violations)
  return filled
}
