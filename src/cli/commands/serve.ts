import { Command, Option } from 'commander'
import { loadConfig, LOG_LEVELS } from '../../config.js'
import { readJsonFile } from '../read-json-file.js'
import { removeReadyFile, writeReadyFile } from '../ready-file.js'
import { storeLabel } from '../store-label.js'

interface ServeFlags {
  readonly host?: string
  readonly port?: string
  readonly store?: string
  readonly publicUrl?: string
  readonly logLevel?: string
  readonly fixtures: string[]
  readonly demo: boolean
  readonly rateLimit: boolean
  readonly trustedProxy: string[]
  readonly tlsCert?: string
  readonly tlsKey?: string
  readonly adminToken?: string
  readonly produce?: boolean
  readonly timeScale?: string
  readonly seed?: string
  readonly checkpointRetentionDays?: string
  readonly metrics: boolean
  readonly metricsToken?: string
  readonly shutdownTimeout?: string
  readonly clock?: string
  readonly freezeClock?: boolean
  readonly readyFile?: string
}

/**
 * `waymark serve`: serve the API until SIGINT or SIGTERM, then close gracefully (docs/operations.md); the
 * command then ends normally, so the process exits 0, also when the deadline had to close connections.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the Checkpoints API (Atlas v2, Atlas v1.0, Ops Manager v1.0)')
    .option('--host <address>', 'address to listen on (env WAYMARK_HOST, default 127.0.0.1)')
    .option('--port <number>', 'port to listen on, 0 for any (env WAYMARK_PORT, default 8080)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .option('--public-url <url>', 'base URL of links in bodies (env WAYMARK_PUBLIC_URL, default: the request Host)')
    .addOption(new Option('--log-level <level>', 'log level (env WAYMARK_LOG_LEVEL, default info)').choices(LOG_LEVELS))
    .option('--fixtures <file>', 'load a fixture file before serving (repeatable)', collect, [])
    .option('--demo', 'load the deterministic demo data set before serving', false)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (env WAYMARK_TLS_CERT; needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key of the certificate (env WAYMARK_TLS_KEY)')
    .option('--no-rate-limit', 'turn the per-project rate limit off, e.g. for load tests (env WAYMARK_RATE_LIMIT=off)')
    .option('--admin-token <token>', 'turn the admin API on under /_admin/v1/, guarded by this bearer token (env WAYMARK_ADMIN_TOKEN, preferred: a flag shows in process lists)')
    .option('--trusted-proxy <ip-or-cidr>', 'believe X-Forwarded-For from this proxy (repeatable; env WAYMARK_TRUSTED_PROXIES)', collect, [])
    .option('--produce', 'make checkpoints of clusters with a checkpoint schedule as time passes (env WAYMARK_PRODUCE=on; on with --demo)')
    .option('--no-produce', 'do not make checkpoints, even with --demo (env WAYMARK_PRODUCE=off)')
    .option('--time-scale <n>', "run the server's clock, and the checkpoint schedules with it, n times faster than real time (env WAYMARK_TIME_SCALE, default 1)")
    .option('--seed <n>', 'seed of the checkpoints made (env WAYMARK_SEED, default 20261101, the demo\'s)')
    .option('--checkpoint-retention-days <days>', 'keep checkpoints this long after they leave the point-in-time window (env WAYMARK_CHECKPOINT_RETENTION_DAYS, default 90)')
    .option('--no-metrics', 'do not serve GET /metrics (env WAYMARK_METRICS=off)')
    .option('--metrics-token <token>', 'GET /metrics asks for this bearer token (env WAYMARK_METRICS_TOKEN, preferred: a flag shows in process lists; default: open like /healthz)')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, let requests in flight finish this long before closing their connections (env WAYMARK_SHUTDOWN_TIMEOUT_SECONDS, default 10)')
    .option('--clock <time>', "start the server's clock at this time: ISO 8601 with a zone, or relative to now such as -30d (env WAYMARK_CLOCK, default: the wall clock)")
    .option('--freeze-clock', "start the server's clock frozen; the admin API moves it (env WAYMARK_CLOCK_FROZEN=on)")
    .option('--ready-file <path>', 'once listening, write {"url","pid","adminUrl"} to this file (atomically); removed at shutdown')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({ ...flags, rateLimit: flags.rateLimit ? undefined : false, metrics: flags.metrics ? undefined : false })
      if (config.producer.enabled) {
        const { timeScale, seed } = config.producer
        process.stderr.write(`waymark: making checkpoints of scheduled clusters (time scale ${timeScale}, seed ${seed})\n`)
      }
      if (config.clock.start !== undefined || config.clock.frozen) {
        const at = new Date(config.clock.start ?? Date.now()).toISOString()
        process.stderr.write(`waymark: the clock starts at ${at}${config.clock.frozen ? ', frozen' : ''}\n`)
      }
      const fixtures = []
      for (const file of flags.fixtures) fixtures.push(await readJsonFile(file))
      const { startServer } = await import('../../server.js')
      const server = await startServer(config, { demo: flags.demo, fixtures })
      const admin = config.adminToken ? `; admin API at ${server.url}/_admin/v1/` : ''
      process.stderr.write(`waymark: serving on ${server.url} (store ${storeLabel(config.store)}${admin})\n`)
      const { readyFile } = flags
      if (readyFile !== undefined) await writeReadyFile(readyFile, { url: server.url, pid: process.pid, adminUrl: server.adminUrl ?? null })
      const signal = await nextSignal()
      const seconds = config.shutdownTimeoutMs / 1000
      process.stderr.write(`waymark: ${signal}: shutting down (requests in flight have ${seconds} s; send it again to stop now)\n`)
      server.app.log.info({ signal, shutdownTimeoutSeconds: seconds }, 'shutting down')
      // A second signal cuts the remaining connections at once; the shutdown then ends as usual.
      const hurry = (): void => server.hurry()
      process.on('SIGINT', hurry)
      process.on('SIGTERM', hurry)
      if (readyFile !== undefined) await removeReadyFile(readyFile)
      const report = await server.close()
      process.off('SIGINT', hurry)
      process.off('SIGTERM', hurry)
      if (report.forcedConnections > 0) {
        server.app.log.warn(report, 'shut down; connections still busy at the deadline were closed')
      } else {
        server.app.log.info(report, 'shut down')
      }
      process.stderr.write(`waymark: stopped in ${report.milliseconds} ms${report.forcedConnections > 0 ? ` (${report.forcedConnections} busy connection(s) closed at the deadline)` : ''}\n`)
    })
}

/** The first SIGINT or SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
