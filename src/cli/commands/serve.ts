import { Command, Option } from 'commander'
import { loadConfig, LOG_LEVELS } from '../../config.js'
import { startServer } from '../../server.js'
import { readJsonFile } from '../read-json-file.js'

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
}

/** `waymark serve`: serve the API until SIGINT or SIGTERM, then close gracefully. */
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
    .option('--time-scale <n>', 'run the checkpoint schedules n times faster than real time (env WAYMARK_TIME_SCALE, default 1)')
    .option('--seed <n>', 'seed of the checkpoints made (env WAYMARK_SEED, default 20261101, the demo\'s)')
    .option('--checkpoint-retention-days <days>', 'keep checkpoints this long after they leave the point-in-time window (env WAYMARK_CHECKPOINT_RETENTION_DAYS, default 90)')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({ ...flags, rateLimit: flags.rateLimit ? undefined : false })
      if (config.producer.enabled) {
        const { timeScale, seed } = config.producer
        process.stderr.write(`waymark: making checkpoints of scheduled clusters (time scale ${timeScale}, seed ${seed})\n`)
      }
      const fixtures = []
      for (const file of flags.fixtures) fixtures.push(await readJsonFile(file))
      const server = await startServer(config, { demo: flags.demo, fixtures })
      const admin = config.adminToken ? `; admin API at ${server.url}/_admin/v1/` : ''
      process.stderr.write(`waymark: serving on ${server.url} (store ${config.store}${admin})\n`)
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          resolve()
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      await server.close()
    })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
