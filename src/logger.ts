import pino from 'pino'
import type { LogLevel } from './config.js'

/**
 * Fields that would carry a secret if anything ever logged them. Nothing logs them today: Waymark never
 * passes headers, bodies, credentials or its config to the logger (docs/operations.md). The list is the
 * second line of defence, so a future `log.debug({ headers })` or `log.info({ account })` cannot leak.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'privateKey',
  'private_key',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'adminToken',
  'metricsToken',
  'digestHa1',
]

/** pino redact paths: each field at the top level, one level down, and in request headers. */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
]

/** The server's logger: JSON lines on stdout at the configured level, secrets censored. */
export function createLogger(level: LogLevel): pino.Logger {
  return pino({ level, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } })
}
