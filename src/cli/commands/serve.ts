import { Command, Option } from 'commander'
import { loadConfig, LOG_FORMATS, LOG_LEVELS } from '../../config.js'
import { fixtureFile } from '../../fixtures/fixture-file.js'
import { configuredStore, startError } from '../cli-store.js'
import type { FailedAttempt } from '../../storage/wait-for-store.js'
import { removeReadyFile, writeReadyFile } from '../ready-file.js'
import { storeLabel } from '../store-label.js'

interface ServeFlags {
  readonly host?: string
  readonly port?: string
  readonly store?: string
  readonly publicUrl?: string
  readonly logLevel?: string
  readonly logFormat?: string
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
  readonly migrate: boolean
  readonly waitForStore?: string
  readonly drainSeconds?: string
  readonly clock?: string
  readonly freezeClock?: boolean
  readonly readyFile?: string
  readonly bodyTimeout?: string
  readonly maxConnections?: string
}

/**
 * `waymark serve`: serve the API until SIGINT or SIGTERM, then close gracefully (docs/operations.md): on
 * SIGTERM, a drain first (/readyz 503 while still serving) when something asked /readyz; the command then
 * ends normally, so the process exits 0, also when the deadline had to close connections.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the Checkpoints API (Atlas v2, Atlas v1.0, Ops Manager v1.0)')
    .option('--host <address>', 'address to listen on (env WAYMARK_HOST, default 127.0.0.1)')
    .option('--port <number>', 'port to listen on, 0 for any (env WAYMARK_PORT, default 8080)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .option('--public-url <url>', 'base URL of links in bodies (env WAYMARK_PUBLIC_URL, default: the request Host)')
    .addOption(new Option('--log-level <level>', 'log level (env WAYMARK_LOG_LEVEL, default info)').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'log records on stdout as JSON lines or pretty text (env WAYMARK_LOG_FORMAT; default pretty on a terminal, else json)').choices(LOG_FORMATS))
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
    .option('--drain-seconds <seconds>', 'on SIGTERM, first answer /readyz 503 and keep serving this long, if anything asked /readyz (env WAYMARK_DRAIN_SECONDS, default 5; SIGINT never drains)')
    .option('--no-migrate', 'change no schema: only check that the store is at this version (run `waymark migrate` first; env WAYMARK_MIGRATE=off)')
    .option('--wait-for-store <seconds>', 'keep trying to reach the store this long at start, one line per attempt (env WAYMARK_WAIT_FOR_STORE_SECONDS, default 0)')
    .option('--clock <time>', "start the server's clock at this time: ISO 8601 with a zone, or relative to now such as -30d (env WAYMARK_CLOCK, default: the wall clock)")
    .option('--freeze-clock', "start the server's clock frozen; the admin API moves it (env WAYMARK_CLOCK_FROZEN=on)")
    .option('--ready-file <path>', 'once listening, write {"url","pid","adminUrl"} to this file (atomically); removed at shutdown')
    .option('--body-timeout <seconds>', 'wait at most this long in all for a declared request body, else 408 (env WAYMARK_BODY_TIMEOUT_SECONDS, default 30)')
    .option('--max-connections <n>', 'connections open at once; the next are refused with 503 (env WAYMARK_MAX_CONNECTIONS, default 4096)')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({
        ...flags,
        rateLimit: flags.rateLimit ? undefined : false,
        metrics: flags.metrics ? undefined : false,
        migrate: flags.migrate ? undefined : false,
      })
      // SIGHUP (a closed terminal, `kill -HUP`, log rotators) would end the process: logs go to stdout,
      // so there is no file to reopen; it is ignored, with a line. Installed first, so it holds from the start.
      let log: { info(details: object, message: string): void } | undefined
      const onHangup = (): void => {
        process.stderr.write('waymark: SIGHUP ignored: logs go to stdout, there is no log file to reopen (stop with SIGTERM)\n')
        log?.info({ signal: 'SIGHUP' }, 'SIGHUP ignored: logs go to stdout, there is no log file to reopen')
      }
      process.on('SIGHUP', onHangup)
      if (config.producer.enabled) {
        const { timeScale, seed } = config.producer
        process.stderr.write(`waymark: making checkpoints of scheduled clusters (time scale ${timeScale}, seed ${seed})\n`)
      }
      if (config.clock.start !== undefined || config.clock.frozen) {
        const at = new Date(config.clock.start ?? Date.now()).toISOString()
        process.stderr.write(`waymark: the clock starts at ${at}${config.clock.frozen ? ', frozen' : ''}\n`)
      }
      const fixtures = []
      for (const file of flags.fixtures) fixtures.push(await fixtureFile(file))
      const { startServer } = await import('../../server.js')
      const onStoreRetry = ({ attempt, reason, retryInMs, leftMs }: FailedAttempt): void => {
        const next = `next in ${(retryInMs / 1000).toFixed(1)} s, ${(leftMs / 1000).toFixed(1)} s left of --wait-for-store`
        process.stderr.write(`waymark: waiting for the store ${storeLabel(config.store)}: attempt ${attempt}: ${reason}; ${next}\n`)
      }
      const server = await startServer(config, { demo: flags.demo, fixtures, onStoreRetry }).catch(async (error: unknown) => {
        throw (await startError(configuredStore(config), error, 'serve')) ?? error
      })
      log = server.app.log
      // Listening for the stop signals before saying "serving": whoever waits for that line may send one at once.
      const stopping = nextSignal()
      const admin = config.adminToken ? `; admin API at ${server.url}/_admin/v1/` : ''
      // The person at a terminal reads stderr; a log shipper reading stdout gets the same as a record.
      process.stderr.write(`waymark: serving on ${server.url} (store ${storeLabel(config.store)}${admin})\n`)
      server.app.log.info({ url: server.url, store: storeLabel(config.store), adminApi: config.adminToken !== undefined }, 'serving')
      const { readyFile } = flags
      if (readyFile !== undefined) await writeReadyFile(readyFile, { url: server.url, pid: process.pid, adminUrl: server.adminUrl ?? null })
      const signal = await stopping
      // The server is going away: no one should take the ready file for one that listens.
      if (readyFile !== undefined) await removeReadyFile(readyFile)
      // A second signal ends the drain and cuts the remaining connections at once; the shutdown then ends as usual.
      const hurry = (): void => server.hurry()
      process.on('SIGINT', hurry)
      process.on('SIGTERM', hurry)
      // SIGTERM is what orchestrators and balancers' operators send: drain first, when something routes by /readyz.
      // SIGINT is Ctrl-C at a terminal: stop at once.
      if (signal === 'SIGTERM' && config.drainMs > 0 && server.readinessProbed()) {
        const drainSeconds = config.drainMs / 1000
        process.stderr.write(`waymark: ${signal}: draining: /readyz answers 503, requests are served for ${drainSeconds} s more (send it again to stop now)\n`)
        server.app.log.info({ signal, drainSeconds }, 'draining')
        await server.drain(config.drainMs)
      }
      const seconds = config.shutdownTimeoutMs / 1000
      process.stderr.write(`waymark: ${signal}: shutting down (requests in flight have ${seconds} s; send it again to stop now)\n`)
      server.app.log.info({ signal, shutdownTimeoutSeconds: seconds }, 'shutting down')
      const report = await server.close()
      process.off('SIGINT', hurry)
      process.off('SIGTERM', hurry)
      if (report.forcedConnections > 0) {
        server.app.log.warn(report, 'shut down; connections still busy at the deadline were closed')
      } else {
        server.app.log.info(report, 'shut down')
      }
      process.off('SIGHUP', onHangup)
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
