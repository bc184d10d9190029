/**
 * Configuration: command-line flags over environment variables over defaults. This is the only module
 * that reads `process.env`; everything else receives a frozen `Config`.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  /** Address to listen on. */
  readonly host: string
  readonly port: number
  /** Store URL, e.g. `sqlite:./data/waymark.sqlite`. */
  readonly store: string
  /** Base of the links in bodies, e.g. `https://waymark.example.com`; else the request's scheme and Host. */
  readonly publicUrl: string | undefined
  readonly logLevel: LogLevel
  /** How long a Digest nonce is accepted before clients are told it is stale. */
  readonly nonceLifetimeSeconds: number
}

/** Flags as the CLI parsed them; each overrides its environment variable. */
export interface ConfigFlags {
  readonly host?: string | undefined
  readonly port?: string | number | undefined
  readonly store?: string | undefined
  readonly publicUrl?: string | undefined
  readonly logLevel?: string | undefined
}

/** Every environment variable Waymark reads, with its default (documented in the README). */
export const ENVIRONMENT = {
  WAYMARK_HOST: '127.0.0.1',
  WAYMARK_PORT: '8080',
  WAYMARK_STORE: 'sqlite:./data/waymark.sqlite',
  WAYMARK_PUBLIC_URL: '',
  WAYMARK_LOG_LEVEL: 'info',
  WAYMARK_NONCE_LIFETIME_SECONDS: '300',
} as const

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (flag: string | number | undefined, name: keyof typeof ENVIRONMENT): string =>
    flag !== undefined ? String(flag) : (env[name] ?? ENVIRONMENT[name])

  const port = Number(pick(flags.port, 'WAYMARK_PORT'))
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be an integer from 0 to 65535, got "${pick(flags.port, 'WAYMARK_PORT')}"`)
  }
  const logLevel = pick(flags.logLevel, 'WAYMARK_LOG_LEVEL')
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const publicUrl = pick(flags.publicUrl, 'WAYMARK_PUBLIC_URL').replace(/\/+$/, '')
  if (publicUrl !== '' && !/^https?:\/\/[^/?#\s]+$/.test(publicUrl)) {
    throw new ConfigError(`public URL must look like https://host[:port], got "${publicUrl}"`)
  }
  const lifetime = Number(pick(undefined, 'WAYMARK_NONCE_LIFETIME_SECONDS'))
  if (!Number.isInteger(lifetime) || lifetime < 1) {
    throw new ConfigError('WAYMARK_NONCE_LIFETIME_SECONDS must be a positive integer')
  }
  return Object.freeze({
    host: pick(flags.host, 'WAYMARK_HOST'),
    port,
    store: pick(flags.store, 'WAYMARK_STORE'),
    publicUrl: publicUrl === '' ? undefined : publicUrl,
    logLevel: logLevel as LogLevel,
    nonceLifetimeSeconds: lifetime,
  })
}
