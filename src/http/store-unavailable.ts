import { ApiError } from '../errors.js'
import { StoreUnavailableError } from '../storage/store-errors.js'
import type { OutputFormat } from './query-params.js'
import { renderError, type ApiResponse } from './render.js'

/**
 * Seconds a client is asked to wait (`Retry-After`) when the store cannot be reached. A database restart
 * or failover takes a few seconds, and the engine reconnects on the next request after it, so a short
 * wait is enough; clients that retry sooner only get another 503.
 */
export const STORE_RETRY_AFTER_SECONDS = 5

/** What the log says, at warn level: an outage of the database is not an unexpected error of ours. */
export const STORE_UNAVAILABLE_MESSAGE = 'store unavailable'

/**
 * The log details of an outage: why, in one line (e.g. "The store cannot be reached: connect ECONNREFUSED
 * 127.0.0.1:5432"). No stack: it would only show the driver's internals, once per refused request.
 */
export function storeUnavailableDetails(error: Error): { readonly reason: string } {
  return { reason: error.message }
}

/** What the log says, once, at error level, when a damaged page of the store is first met. */
export const STORE_DAMAGED_MESSAGE = 'store damaged'

let damageReported = false

/**
 * Logs a store failure that is answered 503: one warning line per request, without a stack, when the
 * database cannot be reached or its disk is full or failing; a damaged page is logged once per process,
 * at error level (it will not heal by itself: the operator restores the file), and then no more.
 */
export function logStoreUnavailable(log: { warn(details: object, message: string): void; error(details: object, message: string): void }, error: StoreUnavailableError): void {
  if (error.kind === 'damaged') {
    if (damageReported) return
    damageReported = true
    log.error(storeUnavailableDetails(error), STORE_DAMAGED_MESSAGE)
    return
  }
  log.warn(storeUnavailableDetails(error), STORE_UNAVAILABLE_MESSAGE)
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError
}

/** 503 SERVICE_UNAVAILABLE with Retry-After, in the requested format, keeping the headers already due. */
export function renderStoreUnavailable(format: OutputFormat, headers: Readonly<Record<string, string>> = {}): ApiResponse {
  return renderError(new ApiError('SERVICE_UNAVAILABLE'), format, {
    ...headers,
    'retry-after': String(STORE_RETRY_AFTER_SECONDS),
  })
}
