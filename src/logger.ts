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

/** Where a careless log call would put a request's or a record's fields. */
const CONTAINERS = ['headers', 'req.headers', 'body', 'req.body', 'query', 'form', 'config', 'account', 'apiKey', 'serviceAccount', 'credentials']

/**
 * pino redact paths: each field at the top level and inside each container. Explicit paths only: they
 * compile to plain property checks that cost nothing measurable, while a `*.field` wildcard made every
 * log line about 25 µs slower (docs/operations.md).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...CONTAINERS.flatMap((container) => SECRET_FIELDS.map((field) => `${container}.${field}`)),
]

/** The server's logger: JSON lines on stdout (or `destination`) at the configured level, secrets censored. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): pino.Logger {
  const options = { level, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}

/**
 * Where `--log-format pretty` writes: pino-pretty (the pino project's own formatter) as a stream in this
 * thread, writing synchronously to stdout. Not as a worker transport: the bundle (scripts/bundle.mjs) has
 * no worker file to start, and a person reading a terminal needs no worker's throughput. Records pass the
 * same redaction first. Imported only when asked for.
 */
export async function prettyDestination(): Promise<pino.DestinationStream> {
  const { default: pretty } = await import('pino-pretty')
  return pretty({ destination: 1, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
}
