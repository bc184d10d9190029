import { isObjectId } from '../domain/ids.js'
import { ApiError } from '../errors.js'
import type { PageRequest } from '../storage/store.js'

/**
 * Query parameters of the admin API, with the API's rules: unknown ones are ignored; a known one given
 * twice, empty or with a bad value is 400 INVALID_QUERY_PARAMETER.
 */
export class AdminQuery {
  private readonly params: URLSearchParams

  /** `target` is the request target, path and query. */
  constructor(target: string) {
    const start = target.indexOf('?')
    this.params = new URLSearchParams(start === -1 ? '' : target.slice(start + 1))
  }

  private one(name: string): string | undefined {
    const all = this.params.getAll(name)
    if (all.length > 1 || all[0] === '') throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    return all[0]
  }

  /** `pageNum` (from 1, default 1) and `itemsPerPage` (1 to 500, default 100) as an offset and a limit. */
  page(): PageRequest {
    const pageNum = this.integer('pageNum', 1, 2_147_483_647)
    const itemsPerPage = this.integer('itemsPerPage', 100, 500)
    return { offset: (pageNum - 1) * itemsPerPage, limit: itemsPerPage }
  }

  /** An `orgId` filter (an ObjectId), or undefined. */
  orgId(): string | undefined {
    const value = this.one('orgId')
    if (value !== undefined && !isObjectId(value)) throw new ApiError('INVALID_QUERY_PARAMETER', ['orgId'])
    return value
  }

  /** A `true`/`false` flag (any case), false when absent. */
  flag(name: string): boolean {
    const value = this.one(name)?.toLowerCase()
    if (value === undefined || value === 'false') return false
    if (value === 'true') return true
    throw new ApiError('INVALID_QUERY_PARAMETER', [name])
  }

  /** A whole number from `min` (1 unless given) to `max`, `fallback` when absent. */
  integer(name: string, fallback: number, max: number, min = 1): number {
    const value = this.one(name)
    if (value === undefined) return fallback
    const parsed = /^\d{1,10}$/.test(value) ? Number(value) : NaN
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    return parsed
  }

  /** A time (`parse` answers epoch milliseconds, or undefined when the text is none), undefined when absent. */
  time(name: string, parse: (text: string) => number | undefined): number | undefined {
    const value = this.one(name)
    if (value === undefined) return undefined
    const parsed = parse(value)
    if (parsed === undefined) throw new ApiError('INVALID_QUERY_PARAMETER', [name])
    return parsed
  }
}
