/**
 * Numbers the real API writes as Java doubles (`diskSizeGB`: `40.0`, not `40`). JSON.stringify cannot write
 * `40.0`, so a view holds a marker string in their place and {@link writeDoubles} turns each marker of the
 * serialized body into the number Jackson writes. The marker starts with NUL, which no stored string can
 * hold (fixtures and the admin API refuse it), so nothing else is ever taken for one.
 */
const MARK = '\u0000double:'
/** The marker as JSON writes it (the NUL escaped). */
const WRITTEN = /"\\u0000double:([^"]*)"/g

/** A marker for `value`, written as a Java double once the body passes through {@link writeDoubles}. */
export function double(value: number): string {
  return `${MARK}${value}`
}

/** The serialized body with every marker replaced by its number in Java's `Double.toString` form. */
export function writeDoubles(text: string): string {
  if (!text.includes('\\u0000double:')) return text
  return text.replace(WRITTEN, (_, digits: string) => javaDouble(Number(digits)))
}

/** Java's `Double.toString` for the values used here (|v| from 10^-3 to 10^7): integral values get `.0`. */
function javaDouble(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value)
}
