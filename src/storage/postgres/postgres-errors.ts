/**
 * Which node-postgres failures mean "the database cannot be reached right now" (answered 503 and retried
 * by clients) rather than a fault in Waymark or its data (500). Everything not listed stays an ordinary
 * error.
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

/** True when `error` (or an error it wraps) says the PostgreSQL server cannot be reached right now. */
export function isPostgresUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (code.startsWith('08')) return true // connection_exception and its subclasses
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SYSTEM_CODES.has(code)) return true
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  if (error instanceof AggregateError && error.errors.some((inner) => isPostgresUnavailable(inner, depth + 1))) return true
  return isPostgresUnavailable(error.cause, depth + 1)
}
