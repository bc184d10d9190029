import { toIsoSeconds } from './timestamps.js'

/**
 * The times a user writes for `waymark generate`, the admin API's history call and `serve --clock`: an
 * ISO 8601 date-time with a zone, or a time relative to a clock's now (`now`, `-7d`, `-90m`, `-1d12h`);
 * and the ISO 8601 durations the admin API's clock advances by (`PT2H`, `P1D`, `P2W`).
 */

/**
 * The range a server's clock may show: checkpoint ids are ObjectIds, whose first four bytes count the
 * seconds since 1970 up to 2106-02-07; the demo needs the week before its clock, and a day to spare at
 * the end keeps every checkpoint of a slot inside.
 */
export const EARLIEST_CLOCK = '1971-01-01T00:00:00Z'
export const LATEST_CLOCK = '2106-01-01T00:00:00Z'

/** Whether epoch milliseconds are a time the server's clock may show. */
export function isClockTime(ms: number): boolean {
  return ms >= Date.parse(EARLIEST_CLOCK) && ms <= Date.parse(LATEST_CLOCK)
}

export const TIME_EXPRESSION_HELP =
  'an ISO 8601 date-time with a zone (2026-11-01T00:00:00Z), "now", or a time before now such as -7d, -90m or -1d12h (units w, d, h, m, s)'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY
const UNIT_MS: Readonly<Record<string, number>> = { w: WEEK, d: DAY, h: HOUR, m: MINUTE, s: SECOND }
const RELATIVE = /^-((?:\d{1,9}[wdhms])+)$/
const RELATIVE_PART = /(\d{1,9})([wdhms])/g

/**
 * Epoch milliseconds of `text`, relative times counted back from `nowMs`; undefined when it is neither.
 * An absolute time keeps whole seconds (as every date Waymark stores); a relative one is exact.
 */
export function parseTimeExpression(text: string, nowMs: number): number | undefined {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === 'now') return nowMs
  const relative = RELATIVE.exec(trimmed)
  if (relative) {
    let back = 0
    for (const [, amount, unit] of (relative[1] ?? '').matchAll(RELATIVE_PART)) back += Number(amount) * (UNIT_MS[unit ?? ''] ?? NaN)
    return Number.isFinite(back) ? nowMs - back : undefined
  }
  const iso = toIsoSeconds(trimmed)
  return iso === undefined ? undefined : Date.parse(iso)
}

/** `P[nW]` or `P[nD][T[nH][nM][n[.n]S]]`: weeks, days, hours, minutes, seconds; at least one. */
const DURATION = /^P(?:(\d{1,9})W|(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:[.,]\d{1,3})?)S)?)?)$/

export const DURATION_HELP = 'an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as PT2H, PT90M, P1D or P1DT12H (years and months have no fixed length)'

/** Milliseconds of an ISO 8601 duration (see {@link DURATION}); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const upper = text.trim().toUpperCase()
  const m = DURATION.exec(upper)
  if (!m || upper === 'P' || upper.endsWith('T')) return undefined
  const [, weeks, days, hours, minutes, seconds] = m
  const number = (value: string | undefined): number => (value === undefined ? 0 : Number(value.replace(',', '.')))
  return Math.round(number(weeks) * WEEK + number(days) * DAY + number(hours) * HOUR + number(minutes) * MINUTE + number(seconds) * SECOND)
}
