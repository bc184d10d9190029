import { BoundedMap, type Bounds } from '../memory/bounded-map.js'
import { ApiError } from '../errors.js'

const VERSIONED = /^application\/vnd\.atlas\.(\d{4})-(\d{2})-(\d{2})\+json$/
const FIRST_VERSION_DATE = '2023-01-01'

/**
 * Resolves the Atlas Admin API v2 resource version from an Accept header.
 * `application/vnd.atlas.YYYY-MM-DD+json` with a real calendar date on or after 2023-01-01 is served by
 * the newest of `versions` (ascending ISO dates) not later than that date; when the header lists several
 * versioned types, the latest date wins. Anything else (no header, `*∕*`, `application/json`, the
 * preview type, a malformed or earlier date) is 406 INVALID_VERSION_DATE.
 */
export function resolveAtlasVersion(accept: string | undefined, versions: readonly string[]): string {
  // Clients send the same few Accept headers over and over: remember the answer to each (bounded).
  let answers = resolved.get(versions)
  if (answers === undefined) resolved.set(versions, (answers = new BoundedMap(REMEMBERED)))
  const key = accept ?? ''
  let answer = answers.get(key)
  if (answer === undefined) {
    try {
      answer = resolveUncached(accept, versions)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      answer = null
    }
    answers.set(key, answer, 64)
  }
  if (answer === null) throw new ApiError('INVALID_VERSION_DATE')
  return answer
}

/** Resolved versions by version list and Accept header (the client's, up to 16 KiB); null for a 406. */
const resolved = new WeakMap<readonly string[], BoundedMap<string, string | null>>()
const REMEMBERED: Bounds = { maxEntries: 256, maxBytes: 256 * 1024 }

function resolveUncached(accept: string | undefined, versions: readonly string[]): string {
  let requested: string | undefined
  for (const range of (accept ?? '').split(',')) {
    const type = (range.split(';')[0] ?? '').trim().toLowerCase()
    const match = VERSIONED.exec(type)
    if (!match) continue
    const date = `${match[1]}-${match[2]}-${match[3]}`
    if (!isCalendarDate(date) || date < FIRST_VERSION_DATE) continue
    if (requested === undefined || date > requested) requested = date
  }
  if (requested !== undefined) {
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i] as string
      if (version <= requested) return version
    }
  }
  throw new ApiError('INVALID_VERSION_DATE')
}

/** The success Content-Type for a resolved version, as the real API writes it. */
export function atlasContentType(version: string): string {
  let type = contentTypes.get(version)
  if (type === undefined) contentTypes.set(version, (type = `application/vnd.atlas.${version}+json;charset=utf-8`))
  return type
}

const contentTypes = new Map<string, string>()

function isCalendarDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date)
}
