import type { UnavailableKind } from '../store-errors.js'

/**
 * Which node-postgres failures mean "the database cannot serve this right now" (answered 503 and retried
 * by clients) rather than a fault in Waymark or its data (500), and why (store-errors.ts). Everything not
 * listed stays an ordinary error.
 */

/** SQLSTATEs of an unreachable or unavailable server. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down (pg_ctl stop -m fast / smart)
  '57P02', // crash_shutdown: another backend crashed, or an immediate shutdown
  '57P03', // cannot_connect_now: the server is starting up, shutting down or in recovery
  '57014', // query_canceled: here, the statement_timeout expired
  '53300', // too_many_connections: the server refuses new connections for now
])

/** Socket-level failures: refused, reset, unreachable, timed out, name lookup failed for now. */
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
])

/** node-postgres and pg-pool report these without a code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect$/, // waiting for a pooled connection took too long
  /^Query read timeout$/, // query_timeout: the server did not answer in time
  /^Client has encountered a connection error and is not queryable$/,
]

/**
 * SQLSTATEs of a server that cannot write: class 53, insufficient resources (53100 disk_full, 53200
 * out_of_memory, 53400 configuration_limit_exceeded; 53300 is above, a refused connection), and 58030
 * io_error. Writes fail until the resource is back.
 */
function isStorageFailure(code: string): boolean {
  return (code.startsWith('53') && code !== '53300') || code === '58030'
}

/** XX001 data_corrupted, XX002 index_corrupted: a damaged page met by this statement. */
const DAMAGED_SQLSTATES = new Set(['XX001', 'XX002'])

/** True when `error` (or an error it wraps) says the PostgreSQL server cannot serve it right now. */
export function isPostgresUnavailable(error: unknown): boolean {
  return postgresUnavailableKind(error) !== undefined
}

/** Why `error` (or an error it wraps) means the store cannot serve it right now; undefined for other errors. */
export function postgresUnavailableKind(error: unknown, depth = 0): UnavailableKind | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (code.startsWith('08')) return 'unreachable' // connection_exception and its subclasses
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SYSTEM_CODES.has(code)) return 'unreachable'
    if (isStorageFailure(code)) return 'storage'
    if (DAMAGED_SQLSTATES.has(code)) return 'damaged'
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return 'unreachable'
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const kind = postgresUnavailableKind(inner, depth + 1)
      if (kind !== undefined) return kind
    }
  }
  return postgresUnavailableKind(error.cause, depth + 1)
}
