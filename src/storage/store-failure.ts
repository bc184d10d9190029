import { isOpenFailure, StoreNotFoundError, StoreUnavailableError } from './store-errors.js'

/** Why a store could not be opened or used, in words for a person, and what to check. */
export interface StoreFailure {
  /** What went wrong: "connection refused (ECONNREFUSED 127.0.0.1:5432)". */
  readonly reason: string
  /** What to look at: "that PostgreSQL is running and listens at 127.0.0.1:5432"; '' when the reason says what to do. */
  readonly check: string
  /** Whether it says nothing exists there (the store must first be made). */
  readonly missing: boolean
}

interface CodedError extends Error {
  readonly code?: unknown
  readonly address?: unknown
  readonly port?: unknown
  readonly hostname?: unknown
  readonly syscall?: unknown
}

/**
 * Explains a failure of the store's engine (the drivers' errors, read by their codes, and the store's own
 * errors) for the CLI, or undefined when `error` is not about the store. Knows no command-line flags: the
 * CLI adds how to pick another store.
 */
export function explainStoreFailure(error: unknown): StoreFailure | undefined {
  if (error instanceof StoreNotFoundError) {
    return { reason: error.message, check: 'that the URL names the store your server uses (`waymark migrate` or `waymark load` make a new one)', missing: true }
  }
  const cause = rootCause(error)
  if (!(cause instanceof Error)) return undefined
  // A damaged SQLite file (sqlite/sqlite-integrity.ts): its message already names it and says what to do.
  if (cause.name === 'DamagedStoreError') return { reason: cause.message, check: '', missing: false }
  const { code } = cause as CodedError
  const message = cause.message || cause.name
  if (typeof code === 'string') {
    const postgres = postgresFailure(cause as CodedError, code, message)
    if (postgres) return postgres
    const system = systemFailure(cause as CodedError, code, message)
    if (system) return system
    if (code.startsWith('SQLITE_')) return sqliteFailure(code, message)
  }
  if (/^Connection terminated|^timeout exceeded when trying to connect|^Query read timeout/.test(message)) {
    return { reason: `${message}: the server did not answer in time`, check: 'that the host and port are right and that nothing (a firewall, a busy server) holds the connection', missing: false }
  }
  if (/not a valid PostgreSQL URL|Unsupported store URL|names no file|Invalid PostgreSQL schema name/.test(message)) {
    return { reason: message, check: 'how the store URL is written', missing: false }
  }
  // The schema's own refusals (storage/schema-version.ts) already say what to do.
  if (/newer Waymark|schema version/.test(message)) return { reason: message, check: '', missing: false }
  if (error instanceof StoreUnavailableError) {
    return { reason: message, check: 'that the database is up and reachable', missing: false }
  }
  if (isOpenFailure(error)) return { reason: message, check: 'the store URL', missing: false }
  return undefined
}

/** The driver's error under our wrappers (StoreUnavailableError's cause; the first of an AggregateError). */
function rootCause(error: unknown): unknown {
  let current = error
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0]
    else if (current instanceof StoreUnavailableError && current.cause !== undefined) current = current.cause
    else break
  }
  return current
}

/** PostgreSQL SQLSTATEs (five characters) the server answers at connect or on a statement. */
function postgresFailure(error: CodedError, code: string, message: string): StoreFailure | undefined {
  if (!/^[0-9A-Z]{5}$/.test(code) || 'syscall' in error) return undefined
  const reason = `${message} (SQLSTATE ${code})`
  switch (code) {
    case '28P01':
    case '28000':
      return { reason, check: 'the user and password in the URL, and pg_hba.conf on the server', missing: false }
    case '3D000':
      return { reason, check: 'the database name in the URL (create it first: createdb NAME)', missing: true }
    case '42501':
      return { reason, check: "the role's privileges (docs/deployment.md lists the grants each role needs)", missing: false }
    case '53300':
      return { reason, check: 'max_connections on the server, or how many clients hold connections', missing: false }
    case '57P03':
      return { reason, check: 'the server is starting up, shutting down or in recovery: try again shortly', missing: false }
  }
  if (code.startsWith('08') || code.startsWith('57')) return { reason, check: 'that PostgreSQL is up and accepts connections', missing: false }
  return { reason, check: 'the message above, from PostgreSQL', missing: false }
}

/** Socket-level failures of a connect (refused, unreachable, unknown host). */
function systemFailure(error: CodedError, code: string, message: string): StoreFailure | undefined {
  const at = typeof error.address === 'string' ? `${error.address}${typeof error.port === 'number' ? `:${error.port}` : ''}` : undefined
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused (${message})`, check: `that PostgreSQL is running and listens${at ? ` at ${at}` : ''} (its listen_addresses and port), and the host and port in the URL`, missing: false }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `the host name does not resolve (${message})`, check: 'the host in the URL, and DNS', missing: false }
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return { reason: `the server cannot be reached (${message})`, check: 'the host and port in the URL, the network and any firewall between', missing: false }
    case 'ECONNRESET':
      return { reason: `the connection was reset (${message})`, check: 'that the port is PostgreSQL\'s, and the server\'s log', missing: false }
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { reason: message, check: 'that this user may create and write the file and its directory', missing: false }
    case 'ENOENT':
    case 'ENOTDIR':
      return typeof error.syscall === 'string' && /^(mkdir|open|stat)$/.test(error.syscall)
        ? { reason: message, check: 'the path in the URL', missing: false }
        : undefined
  }
  return undefined
}

function sqliteFailure(code: string, message: string): StoreFailure {
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return { reason: `${message} (${code})`, check: 'that the directory exists and this user may read and write the file and its directory', missing: false }
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return { reason: `${message} (${code})`, check: 'which other process holds the file locked', missing: false }
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return { reason: `${message} (${code})`, check: 'that the URL names a Waymark SQLite file, and the disk it is on', missing: false }
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY')) {
    return { reason: `${message} (${code})`, check: 'that this user may write the file and its directory', missing: false }
  }
  return { reason: `${message} (${code})`, check: 'the file and its disk', missing: false }
}
