import { parseAccessListEntry } from './auth/access-list.js'
import { EARLIEST_CLOCK, isClockTime, LATEST_CLOCK, parseTimeExpression, TIME_EXPRESSION_HELP } from './domain/time-expressions.js'

/**
 * Configuration: command-line flags over environment variables over defaults. This is the only module
 * that reads `process.env`; everything else receives a frozen `Config`.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** `json`: one JSON object per line (for log shippers); `pretty`: coloured lines for a person (pino-pretty). */
export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export interface Config {
  /** Address to listen on. */
  readonly host: string
  readonly port: number
  /** Store URL, e.g. `sqlite:./data/waymark.sqlite`. */
  readonly store: string
  /** Where the store URL came from, for messages: `--store`, `WAYMARK_STORE` or the default. */
  readonly storeSource: 'flag' | 'environment' | 'default'
  /** Base of the links in bodies, e.g. `https://waymark.example.com`; else the request's scheme and Host. */
  readonly publicUrl: string | undefined
  readonly logLevel: LogLevel
  /** How log records are written on stdout; by default pretty on a terminal, JSON otherwise. */
  readonly logFormat: LogFormat
  /** How long a Digest nonce is accepted before clients are told it is stale. */
  readonly nonceLifetimeSeconds: number
  /** The per-project token bucket of the checkpoint routes; undefined when limits are off. */
  readonly rateLimit: BucketSettings | undefined
  /** The token buckets of the Atlas v2 discovery endpoints, by endpoint set; undefined when limits are off. */
  readonly discoveryRateLimits: Readonly<Record<DiscoveryRateSet, BucketSettings>> | undefined
  /** Answer 410 VERSION_GONE for a resource version past its sunset date (off: served with its Sunset header). */
  readonly enforceSunset: boolean
  /** The domain of the clusters' host names in the discovery bodies' connection strings. */
  readonly connectionDomain: string
  /** Proxies whose X-Forwarded-For is believed (IPs or CIDRs); empty: the header is ignored. */
  readonly trustedProxies: readonly string[]
  /** PEM files to serve HTTPS with; both or neither. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined
  /** The bearer token of the admin API under /_admin/v1/; undefined: the admin API is off. Never logged. */
  readonly adminToken: string | undefined
  /** The checkpoint producer of `waymark serve` (docs/producer.md); the seed is `waymark generate`'s too. */
  readonly producer: ProducerConfig
  /** `GET /metrics` (docs/operations.md). */
  readonly metrics: MetricsConfig
  /** How long `serve` lets requests in flight finish after SIGTERM/SIGINT before closing their connections. */
  readonly shutdownTimeoutMs: number
  /** False (`--no-migrate`): open the store without DDL, refusing a schema that is not at this build's version. */
  readonly migrate: boolean
  /** How long `serve` keeps trying to open a store it cannot reach (0: one attempt). */
  readonly waitForStoreMs: number
  /** On SIGTERM, how long `serve` keeps serving with /readyz at 503 before it stops (docs/operations.md). */
  readonly drainMs: number
  /** The server's clock (docs/producer.md, "The clock"). */
  readonly clock: ClockConfig
  /** How long a declared request body may take to arrive, from the end of its headers; 408 after (docs/security.md). */
  readonly bodyTimeoutMs: number
  /** Connections open at once; the next ones are refused with 503 TOO_MANY_CONNECTIONS (docs/security.md). */
  readonly maxConnections: number
  /** How restore jobs move on the clock (docs/behaviour.md#restore-jobs). */
  readonly restoreJobs: RestoreJobTiming
}

export interface RestoreJobTiming {
  /** Seconds after creation when the delivery goes from NOT_STARTED to IN_PROGRESS. */
  readonly startSeconds: number
  /** Seconds after creation when the job is FINISHED (at least startSeconds). */
  readonly finishSeconds: number
}

export interface ClockConfig {
  /** Where the clock starts, epoch ms; undefined: the wall clock's time. */
  readonly start: number | undefined
  /** Starts frozen. */
  readonly frozen: boolean
}

export interface BucketSettings {
  readonly capacity: number
  readonly refillAmount: number
  readonly refillPeriodSeconds: number
}

/**
 * The Atlas v2 discovery endpoint sets with a token bucket of their own (docs/behaviour.md#discovery):
 * projects (one per project, and one per caller for the lists and by-name), clusters of a project (per
 * project), all clusters (per caller), organizations (per organization) and the organization list (per caller).
 */
export const DISCOVERY_RATE_SETS = ['projects', 'clusters', 'allClusters', 'organizations', 'organizationList', 'cloudBackups'] as const
export type DiscoveryRateSet = (typeof DISCOVERY_RATE_SETS)[number]

/** Each discovery endpoint set's variable. */
const DISCOVERY_RATE_VARIABLES = {
  projects: 'WAYMARK_RATE_LIMIT_PROJECTS',
  clusters: 'WAYMARK_RATE_LIMIT_CLUSTERS',
  allClusters: 'WAYMARK_RATE_LIMIT_ALL_CLUSTERS',
  organizations: 'WAYMARK_RATE_LIMIT_ORGANIZATIONS',
  organizationList: 'WAYMARK_RATE_LIMIT_ORGANIZATION_LIST',
  cloudBackups: 'WAYMARK_RATE_LIMIT_CLOUD_BACKUPS',
} as const satisfies Record<DiscoveryRateSet, keyof typeof ENVIRONMENT>

export interface MetricsConfig {
  /** Off: `/metrics` is an unknown path like any other. */
  readonly enabled: boolean
  /** When set, `/metrics` asks for `Authorization: Bearer <token>`. Never logged. */
  readonly token: string | undefined
}

export interface ProducerConfig {
  readonly enabled: boolean
  /** The server's clock runs this many times faster than real time (the schedules with it). */
  readonly timeScale: number
  /** Decides every checkpoint made: the same seed makes the same checkpoints. */
  readonly seed: number
  /** Days a checkpoint is kept after it left its cluster's point-in-time window. */
  readonly retentionDays: number
}

/** Flags as the CLI parsed them; each overrides its environment variable. */
export interface ConfigFlags {
  readonly host?: string | undefined
  readonly port?: string | number | undefined
  readonly store?: string | undefined
  readonly publicUrl?: string | undefined
  readonly logLevel?: string | undefined
  readonly logFormat?: string | undefined
  readonly rateLimit?: boolean | undefined
  readonly trustedProxy?: readonly string[] | undefined
  readonly tlsCert?: string | undefined
  readonly tlsKey?: string | undefined
  readonly adminToken?: string | undefined
  /** `--produce` / `--no-produce`. */
  readonly produce?: boolean | undefined
  /** `--demo`: the producer is then on unless turned off. */
  readonly demo?: boolean | undefined
  readonly timeScale?: string | number | undefined
  readonly seed?: string | number | undefined
  readonly checkpointRetentionDays?: string | number | undefined
  /** `--no-metrics`. */
  readonly metrics?: boolean | undefined
  readonly metricsToken?: string | undefined
  readonly shutdownTimeout?: string | number | undefined
  /** `--no-migrate`. */
  readonly migrate?: boolean | undefined
  readonly waitForStore?: string | number | undefined
  readonly drainSeconds?: string | number | undefined
  /** `--clock TIME`. */
  readonly clock?: string | undefined
  /** `--freeze-clock`. */
  readonly freezeClock?: boolean | undefined
  readonly bodyTimeout?: string | number | undefined
  readonly maxConnections?: string | number | undefined
}

/** Every environment variable Waymark reads, with its default (documented in the README). */
export const ENVIRONMENT = {
  WAYMARK_HOST: '127.0.0.1',
  WAYMARK_PORT: '8080',
  WAYMARK_STORE: 'sqlite:./data/waymark.sqlite',
  WAYMARK_PUBLIC_URL: '',
  WAYMARK_LOG_LEVEL: 'info',
  /** `json` or `pretty`; empty: pretty when stdout is a terminal, JSON otherwise. */
  WAYMARK_LOG_FORMAT: '',
  WAYMARK_NONCE_LIFETIME_SECONDS: '300',
  WAYMARK_RATE_LIMIT: 'on',
  WAYMARK_RATE_LIMIT_CAPACITY: '1200',
  WAYMARK_RATE_LIMIT_REFILL: '500',
  WAYMARK_RATE_LIMIT_PERIOD_SECONDS: '60',
  /** `CAPACITY/REFILL/PERIOD_SECONDS` of each Atlas v2 discovery endpoint set, as Atlas documents them. */
  WAYMARK_RATE_LIMIT_PROJECTS: '1200/500/60',
  WAYMARK_RATE_LIMIT_CLUSTERS: '10000/5000/60',
  WAYMARK_RATE_LIMIT_ALL_CLUSTERS: '300/100/60',
  WAYMARK_RATE_LIMIT_ORGANIZATIONS: '500/250/60',
  WAYMARK_RATE_LIMIT_ORGANIZATION_LIST: '300/100/60',
  /** The "Cloud Backups" set, which the legacy restoreJobs operations belong to (docs/behaviour.md#restore-jobs). */
  WAYMARK_RATE_LIMIT_CLOUD_BACKUPS: '1200/500/60',
  WAYMARK_ENFORCE_SUNSET: 'off',
  WAYMARK_CONNECTION_DOMAIN: 'mongodb.net',
  WAYMARK_TRUSTED_PROXIES: '',
  WAYMARK_TLS_CERT: '',
  WAYMARK_TLS_KEY: '',
  WAYMARK_ADMIN_TOKEN: '',
  /** `on` or `off`; empty: on with --demo, else off. */
  WAYMARK_PRODUCE: '',
  WAYMARK_TIME_SCALE: '1',
  /** The demo's seed (DEFAULT_SEED of src/producer/checkpoint-plan.ts). */
  WAYMARK_SEED: '20261101',
  WAYMARK_CHECKPOINT_RETENTION_DAYS: '90',
  WAYMARK_METRICS: 'on',
  WAYMARK_METRICS_TOKEN: '',
  WAYMARK_SHUTDOWN_TIMEOUT_SECONDS: '10',
  /** `on` or `off` (`serve --no-migrate`). */
  WAYMARK_MIGRATE: 'on',
  WAYMARK_WAIT_FOR_STORE_SECONDS: '0',
  WAYMARK_DRAIN_SECONDS: '5',
  /** Empty: the clock is the wall clock's time. */
  WAYMARK_CLOCK: '',
  WAYMARK_CLOCK_FROZEN: 'off',
  WAYMARK_BODY_TIMEOUT_SECONDS: '30',
  WAYMARK_MAX_CONNECTIONS: '4096',
  /** How long a new restore job's delivery is NOT_STARTED, then how long until it is FINISHED (seconds of the clock). */
  WAYMARK_RESTORE_START_SECONDS: '10',
  WAYMARK_RESTORE_FINISH_SECONDS: '60',
} as const

/** An admin or metrics token: at least 8 visible ASCII characters, so that it fits an Authorization header as is. */
const ADMIN_TOKEN = /^[\x21-\x7e]{8,1024}$/

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** `CAPACITY/REFILL/PERIOD_SECONDS`, three positive integers. */
function bucket(name: string, text: string): BucketSettings {
  const parts = text.split('/').map((part) => Number(part.trim()))
  const [capacity, refillAmount, refillPeriodSeconds] = parts
  if (parts.length !== 3 || !parts.every((n) => Number.isSafeInteger(n) && n >= 1) || capacity === undefined || refillAmount === undefined || refillPeriodSeconds === undefined) {
    throw new ConfigError(`${name} must be CAPACITY/REFILL/PERIOD_SECONDS, three positive integers such as 1200/500/60, got "${text}"`)
  }
  return { capacity, refillAmount, refillPeriodSeconds }
}

/**
 * The configuration from flags, then `env`, then the defaults. `terminal` says whether stdout is a
 * terminal (the default log format depends on it).
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env, terminal = process.stdout.isTTY === true): Config {
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
  const logFormat = pick(flags.logFormat, 'WAYMARK_LOG_FORMAT') || (terminal ? 'pretty' : 'json')
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError(`log format must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`)
  }
  const publicUrl = pick(flags.publicUrl, 'WAYMARK_PUBLIC_URL').replace(/\/+$/, '')
  if (publicUrl !== '' && !/^https?:\/\/[^/?#\s]+$/.test(publicUrl)) {
    throw new ConfigError(`public URL must look like https://host[:port], got "${publicUrl}"`)
  }
  const positive = (name: keyof typeof ENVIRONMENT): number => {
    const value = Number(pick(undefined, name))
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer`)
    return value
  }
  const lifetime = positive('WAYMARK_NONCE_LIFETIME_SECONDS')
  const limitSwitch = flags.rateLimit === undefined ? pick(undefined, 'WAYMARK_RATE_LIMIT') : flags.rateLimit ? 'on' : 'off'
  if (limitSwitch !== 'on' && limitSwitch !== 'off') throw new ConfigError(`WAYMARK_RATE_LIMIT must be on or off, got "${limitSwitch}"`)
  const rateLimit =
    limitSwitch === 'on'
      ? {
          capacity: positive('WAYMARK_RATE_LIMIT_CAPACITY'),
          refillAmount: positive('WAYMARK_RATE_LIMIT_REFILL'),
          refillPeriodSeconds: positive('WAYMARK_RATE_LIMIT_PERIOD_SECONDS'),
        }
      : undefined
  const discoveryRateLimits =
    limitSwitch === 'on'
      ? (Object.fromEntries(DISCOVERY_RATE_SETS.map((set) => [set, bucket(DISCOVERY_RATE_VARIABLES[set], pick(undefined, DISCOVERY_RATE_VARIABLES[set]))])) as Record<DiscoveryRateSet, BucketSettings>)
      : undefined
  const enforceSunset = pick(undefined, 'WAYMARK_ENFORCE_SUNSET')
  if (enforceSunset !== 'on' && enforceSunset !== 'off') throw new ConfigError(`WAYMARK_ENFORCE_SUNSET must be on or off, got "${enforceSunset}"`)
  const connectionDomain = pick(undefined, 'WAYMARK_CONNECTION_DOMAIN')
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(connectionDomain)) {
    throw new ConfigError(`WAYMARK_CONNECTION_DOMAIN must be a lower-case DNS domain such as mongodb.net, got "${connectionDomain}"`)
  }
  const trustedProxies =
    flags.trustedProxy && flags.trustedProxy.length > 0
      ? [...flags.trustedProxy]
      : pick(undefined, 'WAYMARK_TRUSTED_PROXIES').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  for (const entry of trustedProxies) {
    const parsed = parseAccessListEntry(entry)
    if (!parsed.ok) throw new ConfigError(`trusted proxy: ${parsed.error}`)
  }
  const certFile = pick(flags.tlsCert, 'WAYMARK_TLS_CERT')
  const keyFile = pick(flags.tlsKey, 'WAYMARK_TLS_KEY')
  if ((certFile === '') !== (keyFile === '')) throw new ConfigError('HTTPS needs both a certificate and a key (--tls-cert and --tls-key)')
  const adminToken = pick(flags.adminToken, 'WAYMARK_ADMIN_TOKEN')
  // The message never repeats the token.
  if (adminToken !== '' && !ADMIN_TOKEN.test(adminToken)) {
    throw new ConfigError('the admin token (--admin-token, WAYMARK_ADMIN_TOKEN) must be 8 to 1024 visible ASCII characters, no spaces')
  }
  const produce = flags.produce === undefined ? pick(undefined, 'WAYMARK_PRODUCE') : flags.produce ? 'on' : 'off'
  if (produce !== 'on' && produce !== 'off' && produce !== '') {
    throw new ConfigError(`WAYMARK_PRODUCE must be on or off, got "${produce}"`)
  }
  const timeScaleText = pick(flags.timeScale, 'WAYMARK_TIME_SCALE')
  const timeScale = Number(timeScaleText)
  if (timeScaleText.trim() === '' || !Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1_000_000) {
    throw new ConfigError(`time scale must be a number above 0, at most 1000000, got "${timeScaleText}"`)
  }
  const seedText = pick(flags.seed, 'WAYMARK_SEED')
  const seed = Number(seedText)
  if (!/^\d+$/.test(seedText) || seed > 0xffffffff) {
    throw new ConfigError(`seed must be an integer from 0 to 4294967295, got "${seedText}"`)
  }
  const retentionText = pick(flags.checkpointRetentionDays, 'WAYMARK_CHECKPOINT_RETENTION_DAYS')
  const retentionDays = Number(retentionText)
  if (!/^\d+$/.test(retentionText) || retentionDays > 36_500) {
    throw new ConfigError(`checkpoint retention must be a whole number of days from 0 to 36500, got "${retentionText}"`)
  }
  const metricsSwitch = flags.metrics === undefined ? pick(undefined, 'WAYMARK_METRICS') : flags.metrics ? 'on' : 'off'
  if (metricsSwitch !== 'on' && metricsSwitch !== 'off') throw new ConfigError(`WAYMARK_METRICS must be on or off, got "${metricsSwitch}"`)
  const metricsToken = pick(flags.metricsToken, 'WAYMARK_METRICS_TOKEN')
  // The message never repeats the token.
  if (metricsToken !== '' && !ADMIN_TOKEN.test(metricsToken)) {
    throw new ConfigError('the metrics token (--metrics-token, WAYMARK_METRICS_TOKEN) must be 8 to 1024 visible ASCII characters, no spaces')
  }
  const shutdownText = pick(flags.shutdownTimeout, 'WAYMARK_SHUTDOWN_TIMEOUT_SECONDS')
  const shutdownSeconds = Number(shutdownText)
  if (shutdownText.trim() === '' || !Number.isFinite(shutdownSeconds) || shutdownSeconds < 0 || shutdownSeconds > 3600) {
    throw new ConfigError(`shutdown timeout must be a number of seconds from 0 to 3600, got "${shutdownText}"`)
  }
  const migrateSwitch = flags.migrate === undefined ? pick(undefined, 'WAYMARK_MIGRATE') : flags.migrate ? 'on' : 'off'
  if (migrateSwitch !== 'on' && migrateSwitch !== 'off') throw new ConfigError(`WAYMARK_MIGRATE must be on or off, got "${migrateSwitch}"`)
  const waitForStoreMs = seconds(pick(flags.waitForStore, 'WAYMARK_WAIT_FOR_STORE_SECONDS'), 'the wait for the store (--wait-for-store)')
  const drainMs = seconds(pick(flags.drainSeconds, 'WAYMARK_DRAIN_SECONDS'), 'the drain (--drain-seconds)')
  const clockText = pick(flags.clock, 'WAYMARK_CLOCK')
  const clockStart = clockText.trim() === '' ? undefined : parseTimeExpression(clockText, Date.now())
  if (clockText.trim() !== '' && (clockStart === undefined || !isClockTime(clockStart))) {
    throw new ConfigError(`clock must be ${TIME_EXPRESSION_HELP}, from ${EARLIEST_CLOCK} to ${LATEST_CLOCK}, got "${clockText}"`)
  }
  const frozenSwitch = flags.freezeClock === true ? 'on' : pick(undefined, 'WAYMARK_CLOCK_FROZEN')
  if (frozenSwitch !== 'on' && frozenSwitch !== 'off') throw new ConfigError(`WAYMARK_CLOCK_FROZEN must be on or off, got "${frozenSwitch}"`)
  const bodyTimeoutText = pick(flags.bodyTimeout, 'WAYMARK_BODY_TIMEOUT_SECONDS')
  const bodyTimeoutMs = seconds(bodyTimeoutText, 'the body timeout (--body-timeout)')
  if (bodyTimeoutMs === 0) throw new ConfigError(`the body timeout (--body-timeout) must be above 0 seconds, got "${bodyTimeoutText}"`)
  const maxConnectionsText = pick(flags.maxConnections, 'WAYMARK_MAX_CONNECTIONS')
  const maxConnections = Number(maxConnectionsText)
  if (!/^\d+$/.test(maxConnectionsText) || maxConnections < 1 || maxConnections > 1_000_000) {
    throw new ConfigError(`the connection cap (--max-connections) must be a whole number from 1 to 1000000, got "${maxConnectionsText}"`)
  }
  const restoreSeconds = (name: 'WAYMARK_RESTORE_START_SECONDS' | 'WAYMARK_RESTORE_FINISH_SECONDS'): number => {
    const text = pick(undefined, name)
    if (!/^\d{1,7}$/.test(text)) throw new ConfigError(`${name} must be a whole number of seconds from 0 to 9999999, got "${text}"`)
    return Number(text)
  }
  const restoreStart = restoreSeconds('WAYMARK_RESTORE_START_SECONDS')
  const restoreFinish = restoreSeconds('WAYMARK_RESTORE_FINISH_SECONDS')
  if (restoreFinish < restoreStart) throw new ConfigError(`WAYMARK_RESTORE_FINISH_SECONDS (${restoreFinish}) must not be below WAYMARK_RESTORE_START_SECONDS (${restoreStart})`)
  return Object.freeze({
    host: pick(flags.host, 'WAYMARK_HOST'),
    port,
    store: pick(flags.store, 'WAYMARK_STORE'),
    storeSource: flags.store !== undefined ? 'flag' : env['WAYMARK_STORE'] !== undefined ? 'environment' : 'default',
    publicUrl: publicUrl === '' ? undefined : publicUrl,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    nonceLifetimeSeconds: lifetime,
    rateLimit,
    discoveryRateLimits: discoveryRateLimits && Object.freeze(discoveryRateLimits),
    enforceSunset: enforceSunset === 'on',
    connectionDomain,
    trustedProxies,
    tls: certFile === '' ? undefined : { certFile, keyFile },
    adminToken: adminToken === '' ? undefined : adminToken,
    producer: Object.freeze({
      enabled: produce === '' ? flags.demo === true : produce === 'on',
      timeScale,
      seed,
      retentionDays,
    }),
    metrics: Object.freeze({ enabled: metricsSwitch === 'on', token: metricsToken === '' ? undefined : metricsToken }),
    shutdownTimeoutMs: Math.round(shutdownSeconds * 1000),
    migrate: migrateSwitch === 'on',
    waitForStoreMs,
    drainMs,
    clock: Object.freeze({ start: clockStart, frozen: frozenSwitch === 'on' }),
    bodyTimeoutMs,
    maxConnections,
    restoreJobs: Object.freeze({ startSeconds: restoreStart, finishSeconds: restoreFinish }),
  })
}

/** A number of seconds from 0 to 3600, fractions allowed, in milliseconds. */
function seconds(text: string, what: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 3600) {
    throw new ConfigError(`${what} must be a number of seconds from 0 to 3600, got "${text}"`)
  }
  return Math.round(value * 1000)
}
