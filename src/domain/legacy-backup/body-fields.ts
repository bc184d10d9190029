/**
 * Reading the fields of a legacy backup request body (P-G4): integers as a JSON integer or a string of
 * decimal digits, anything else 400 INVALID_JSON_ATTRIBUTE naming the field; null as absent.
 */
import { ApiError } from '../../errors.js'

export type JsonBody = Readonly<Record<string, unknown>>

/** The integer a field holds; undefined when absent or null. */
export function integerField(body: JsonBody, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value)
  throw new ApiError('INVALID_JSON_ATTRIBUTE', [field])
}

/** The boolean a field holds; undefined when absent or null. */
export function booleanField(body: JsonBody, field: string): boolean | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'boolean') return value
  throw new ApiError('INVALID_JSON_ATTRIBUTE', [field])
}

/** The string a field holds; undefined when absent or null. */
export function stringField(body: JsonBody, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  throw new ApiError('INVALID_JSON_ATTRIBUTE', [field])
}

/**
 * P-G2 step 4: the body as a JSON object. Not JSON (or no body) → 400 MALFORMED_JSON; JSON but not an
 * object → 400 INVALID_JSON. The Content-Type is not looked at (P-G3).
 */
export function parseJsonBody(body: Buffer | undefined): JsonBody {
  const text = body === undefined ? '' : body.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ApiError('MALFORMED_JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('JSON_NOT_AS_EXPECTED')
  return value as JsonBody
}
