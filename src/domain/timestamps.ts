import type { IsoSeconds } from './types.js'

/**
 * An ISO 8601 / RFC 3339 date-time with a zone: `Z` (or `z`) or a `±HH:MM`, `±HHMM` or `±HH` offset, with
 * optional fractional seconds. A local time without a zone is refused: it names no instant.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

function fromMillis(ms: number): IsoSeconds | undefined {
  if (!Number.isFinite(ms)) return undefined
  const date = new Date(Math.floor(ms / 1000) * 1000)
  const year = date.getUTCFullYear()
  if (Number.isNaN(year) || year < 0 || year > 9999) return undefined
  return `${date.toISOString().slice(0, 19)}Z`
}

function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  date.setUTCHours(hour, minute, second, 0)
  let offsetMinutes = 0
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9])
    const offsetMins = m[10] === undefined ? 0 : Number(m[10])
    if (offsetHours > 23 || offsetMins > 59) return undefined
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  return date.getTime() - offsetMinutes * 60_000
}

/**
 * Normalizes an instant to `YYYY-MM-DDTHH:MM:SSZ` (UTC, fractions of a second truncated).
 * Takes an ISO 8601 date-time string with a zone, a Date, or epoch milliseconds; undefined when the input
 * is not a valid instant or falls outside years 0000..9999.
 */
export function toIsoSeconds(input: string | Date | number): IsoSeconds | undefined {
  if (typeof input === 'number') return fromMillis(input)
  if (input instanceof Date) return fromMillis(input.getTime())
  if (typeof input !== 'string') return undefined
  const ms = parseDateTime(input)
  return ms === undefined ? undefined : fromMillis(ms)
}

/** Whether `s` is already exactly `YYYY-MM-DDTHH:MM:SSZ` and a real instant. */
export function isIsoSeconds(s: unknown): s is IsoSeconds {
  return typeof s === 'string' && ISO_SECONDS.test(s) && toIsoSeconds(s) === s
}
