import { ApiError } from '../errors.js'

/** How a body is written: `pretty` and `envelope` apply to every JSON answer of the API. */
export interface OutputFormat {
  readonly pretty: boolean
  readonly envelope: boolean
}

/** Paging of a list operation. */
export interface Paging {
  readonly pageNum: number
  readonly itemsPerPage: number
  readonly includeCount: boolean
}

export interface ParsedQuery {
  readonly format: OutputFormat
  readonly paging: Paging
  /**
   * The known parameters other than pageNum and itemsPerPage that the request carried, with their
   * normalised values, in alphabetical order: list links repeat them.
   */
  readonly carried: readonly (readonly [string, string])[]
  /** The values of the operation's own parameters ({@link OperationParams}) the request gave. */
  readonly given: ReadonlyMap<string, string | boolean>
}

/** Query parameters of one operation besides paging and format (the discovery endpoints'). */
export interface OperationParams {
  /** `true`/`false` flags, e.g. `includeDeletedWithRetainedBackups`. */
  readonly flags?: readonly string[]
  /** Free text, any value including empty, e.g. the `name` filter of the organization lists. */
  readonly texts?: readonly string[]
}

export const DEFAULT_FORMAT: OutputFormat = { pretty: false, envelope: false }
const DEFAULT_PAGING: Paging = { pageNum: 1, itemsPerPage: 100, includeCount: true }
const MAX_ITEMS_PER_PAGE = 500
const MAX_INT32 = 2_147_483_647

const FORMAT_PARAMS = ['envelope', 'pretty'] as const
const LIST_PARAMS = ['envelope', 'includeCount', 'itemsPerPage', 'pageNum', 'pretty'] as const

/**
 * Reads the query string of an API call. Unknown parameters are ignored; a known one with a bad
 * value, an empty value or given twice is 400 INVALID_QUERY_PARAMETER. Paging parameters are known
 * only to list operations.
 */
export function parseQuery(search: string, list: boolean, own: OperationParams = {}): ParsedQuery {
  const params = new URLSearchParams(search)
  const flags = own.flags ?? []
  const texts = own.texts ?? []
  const names = [...(list ? LIST_PARAMS : FORMAT_PARAMS), ...flags, ...texts]
  const values = new Map<string, string>()
  for (const name of names) {
    const all = params.getAll(name)
    if (all.length > 1) throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    if (all[0] !== undefined) values.set(name, all[0])
  }
  const carried: [string, string][] = []
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = values.get(name)
    if (raw === undefined) return fallback
    const parsed = parseBoolean(raw)
    if (parsed === undefined) throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    carried.push([name, String(parsed)])
    return parsed
  }
  const integer = (name: string, fallback: number, max: number): number => {
    const raw = values.get(name)
    if (raw === undefined) return fallback
    const parsed = parseInteger(raw)
    if (parsed === undefined || parsed < 1 || parsed > max) throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    return parsed
  }
  const envelope = flag('envelope', false)
  const includeCount = list ? flag('includeCount', DEFAULT_PAGING.includeCount) : DEFAULT_PAGING.includeCount
  const itemsPerPage = list ? integer('itemsPerPage', DEFAULT_PAGING.itemsPerPage, MAX_ITEMS_PER_PAGE) : 100
  const pageNum = list ? integer('pageNum', DEFAULT_PAGING.pageNum, MAX_INT32) : 1
  const pretty = flag('pretty', false)
  const given = new Map<string, string | boolean>()
  for (const name of flags) if (values.has(name)) given.set(name, flag(name, false))
  for (const name of texts) {
    const text = values.get(name)
    if (text === undefined) continue
    given.set(name, text)
    carried.push([name, encodeURIComponent(text)])
  }
  if (given.size > 0) carried.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { format: { pretty, envelope }, paging: { pageNum, itemsPerPage, includeCount }, carried, given }
}

/**
 * The output format for answers given before the query is validated (unknown route, 405, 406, bad
 * path parameters): a flag counts only when it is given once with a valid value.
 */
export function lenientFormat(search: string): OutputFormat {
  if (search === '') return DEFAULT_FORMAT
  const params = new URLSearchParams(search)
  const read = (name: string): boolean => {
    const all = params.getAll(name)
    return all.length === 1 && parseBoolean(all[0] as string) === true
  }
  return { pretty: read('pretty'), envelope: read('envelope') }
}

/** `true` or `false`, case-insensitive. */
export function parseBoolean(raw: string): boolean | undefined {
  const lower = raw.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  return undefined
}

/** A decimal integer as Java's Integer.parseInt reads it: optional sign, digits, within int32. */
export function parseInteger(raw: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(raw)) return undefined
  const value = Number(raw)
  return Math.abs(value) <= MAX_INT32 ? value : undefined
}
