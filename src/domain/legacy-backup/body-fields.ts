/**
 * Reading the fields of a legacy backup request body (P-G4): integers as a JSON integer or a string of
 * decimal digits, within the field's Java type (`int` unless said), anything else 400
 * INVALID_JSON_ATTRIBUTE naming the field; null as absent. Instants on the real calendar.
 */
import { ApiError } from '../../errors.js'

export type JsonBody = Readonly<Record<string, unknown>>

export const INT32_MIN = -2_147_483_648
export const INT32_MAX = 2_147_483_647

/**
 * P-G4: a JSON integer, or a string of decimal digits (no sign, no spaces, no exponent), within
 * [min, max]; undefined for anything else. A string is never negative: "-15" is not a string of digits.
 */
export function coerceInteger(value: unknown, min = INT32_MIN, max = INT32_MAX): number | undefined {
  let n: number | undefined
  if (typeof value === 'number') n = Number.isSafeInteger(value) ? value : undefined
  else if (typeof value === 'string' && /^\d{1,16}$/.test(value)) n = Number(value)
  return n !== undefined && n >= min && n <= max ? n : undefined
}

/** The int32 a field holds; undefined when absent or null. */
export function integerField(body: JsonBody, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  const n = coerceInteger(value)
  if (n === undefined) throw new ApiError('INVALID_JSON_ATTRIBUTE', [field])
  return n
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2})))?$/

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/**
 * An ISO-8601 instant (`YYYY-MM-DDThh:mm[:ss[.fraction]]` then `Z` or `±hh[:]mm` up to ±18:00) or a bare
 * date (`YYYY-MM-DD`, midnight UTC) as epoch milliseconds; undefined for anything else, and for a date or
 * time that does not exist (2030-02-31, 2030-02-29, 24:00, 23:60): `Date.parse` rolls those over, the
 * real API's Java parser refuses them.
 */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = INSTANT.exec(value)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, fraction, zone, sign, oh, om] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  const at = new Date(0)
  at.setUTCFullYear(year, month - 1, day)
  if (h === undefined) return at.getTime()
  if (zone === undefined) return undefined
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s ?? '0')
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offsetMinutes = 0
  if (sign !== undefined) {
    const hours = Number(oh)
    const minutes = Number(om)
    if (minutes > 59 || hours * 60 + minutes > 18 * 60) return undefined
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  at.setUTCHours(hour, minute, second, Math.floor(Number(`0.${fraction ?? '0'}`) * 1000))
  const ms = at.getTime() - offsetMinutes * 60_000
  // An offset may carry it past the four-digit years ISO-8601 writes without a sign.
  return ms >= FIRST_INSTANT && ms <= LAST_INSTANT ? ms : undefined
}

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z. */
const FIRST_INSTANT = -62_167_219_200_000
const LAST_INSTANT = 253_402_300_799_999

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
