import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type pino from 'pino'
import { buildApp } from './app.js'
import type { FixtureFile } from './fixtures/fixture-file.js'
import { runClock, type RunningClock } from './clock/run-clock.js'
import { ServerClock } from './clock/server-clock.js'
import type { Config } from './config.js'
import { HttpMetrics } from './http/metrics.js'
import { Readiness } from './http/readiness.js'
import { createLogger, prettyDestination } from './logger.js'
import { shutdownHttp } from './server-shutdown.js'
import { StoreUnavailableError } from './storage/store-errors.js'
import type { Store } from './storage/store.js'
import { openStoreWaiting, type FailedAttempt } from './storage/wait-for-store.js'

export interface ServeOptions {
  /** Load the deterministic demo data set before serving. */
  readonly demo: boolean
  /** Fixture files to load (streamed) before serving, in order. */
  readonly fixtures: readonly FixtureFile[]
  /** Told of each failed attempt to reach the store while `config.waitForStoreMs` lasts. */
  readonly onStoreRetry?: (failed: FailedAttempt) => void
}

export interface RunningServer {
  readonly app: FastifyInstance
  readonly store: Store
  /** The server's one clock (docs/producer.md, "The clock"). */
  readonly clock: ServerClock
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** e.g. `http://127.0.0.1:8080/_admin/v1`, when the admin API is on. */
  readonly adminUrl: string | undefined
  /**
   * Graceful shutdown (docs/operations.md): stop accepting, let requests in flight finish within the
   * configured deadline (then close their connections), stop the producer, close the store.
   */
  close(): Promise<ShutdownReport>
  /** During `drain`: end it now; during `close` (or before it): cut the remaining connections now rather than at the deadline. */
  hurry(): void
  /** Whether anything asked /readyz since the start: something routes by readiness, so a drain serves a purpose. */
  readinessProbed(): boolean
  /**
   * Before `close`: /readyz answers 503 at once and every answer carries `Connection: close` (clients and
   * balancers open new connections, elsewhere), while requests are still served as usual, for `ms`.
   */
  drain(ms: number): Promise<void>
}

export interface ShutdownReport {
  /** Connections still busy at the deadline (or at `hurry`), closed under their requests. */
  readonly forcedConnections: number
  readonly milliseconds: number
}

/** Opens the store, loads what was asked, and listens. Signals and exit codes stay with the CLI. */
export async function startServer(config: Config, options: ServeOptions): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, config.logFormat === 'pretty' ? await prettyDestination() : undefined)
  const clock = new ServerClock({ start: config.clock.start, frozen: config.clock.frozen, scale: config.producer.timeScale })
  const store = await openStoreWaiting(config.store, {
    migrate: config.migrate,
    serving: true,
    // The store forgets revoked tokens and nonce leases as they expire by this clock too.
    clock: () => clock.now(),
    waitMs: config.waitForStoreMs,
    ...(options.onStoreRetry ? { onRetry: options.onStoreRetry } : {}),
  })
  try {
    // Imported when needed: modules a plain `serve` does not use cost start-up time.
    // What the store holds is as of this time; the producer takes up from here (startProducer).
    const dataAt = clock.now()
    if (options.demo) {
      const demo = (await import('./fixtures/demo.js')).demoDataSet(dataAt)
      await store.apply(demo)
      const { coverWithSnapshots } = await import('./domain/legacy-backup/snapshot-coverage.js')
      await coverWithSnapshots(store, demo.clusters.map((c) => c.id), dataAt)
    }
    if (options.fixtures.length > 0) {
      const [{ loadFixtureStream }, { withFileMessages }] = await Promise.all([import('./fixtures/load-fixture.js'), import('./fixtures/fixture-file.js')])
      for (const file of options.fixtures) await withFileMessages(file, () => loadFixtureStream(file.open(), store, { now: new Date(clock.now()) }))
    }
    const https = config.tls && { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }
    const metrics = config.metrics.enabled ? new HttpMetrics({ processMetrics: true }) : undefined
    const accessLog = logger.isLevelEnabled('debug')
    const readiness = new Readiness()
    const app = await buildApp({ config, store, logger, accessLog, readiness, clock, ...(metrics ? { metrics } : {}), ...(https ? { https } : {}) })
    // While draining, each answer asks its client to close the connection (Fastify's and direct-api.ts's alike:
    // writeHead merges what setHeader set), so that no kept-alive connection is still open when listening stops.
    app.server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      if (readiness.draining) response.setHeader('connection', 'close')
    })
    await app.listen({ host: config.host, port: config.port })
    const running = config.producer.enabled ? await startProducer(config, store, logger, clock, dataAt) : undefined
    const address = app.server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const url = `${https ? 'https' : 'http'}://${host}:${address.port}`
    let hurried = false
    let hurryHttp = (): void => undefined
    let endDrain = (): void => undefined
    return {
      app,
      store,
      clock,
      url,
      adminUrl: config.adminToken === undefined ? undefined : `${url}/_admin/v1`,
      close: async () => {
        const started = performance.now()
        const http = shutdownHttp(app, config.shutdownTimeoutMs)
        hurryHttp = http.hurry
        if (hurried) http.hurry()
        const [{ forcedConnections }] = await Promise.all([http.done, running?.stop()])
        await store.close()
        return { forcedConnections, milliseconds: Math.round(performance.now() - started) }
      },
      hurry: () => {
        hurried = true
        endDrain()
        hurryHttp()
      },
      readinessProbed: () => readiness.asked,
      drain: (ms) => {
        readiness.startDraining()
        if (hurried) return Promise.resolve()
        return new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms)
          endDrain = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}

/**
 * The checkpoint producer over the store, registered with the server's clock, which the live driver then
 * runs (docs/producer.md). It takes up from `startsAt`, the clock's time when the data it starts from was
 * made, so slots the clock passed while the server started are recorded; nothing older is backfilled.
 */
async function startProducer(config: Config, store: Store, logger: pino.Logger, clock: ServerClock, startsAt: number): Promise<RunningClock> {
  const { CheckpointProducer } = await import('./producer/checkpoint-producer.js')
  const { seed, timeScale, retentionDays } = config.producer
  const log = logger.child({ component: 'producer' })
  log.info({ seed, timeScale, retentionDays, clock: new Date(clock.now()).toISOString(), frozen: clock.frozen }, 'checkpoint producer on')
  clock.register(new CheckpointProducer({ store, seed, now: () => clock.now(), retentionDays, log, startsAt }))
  const { SnapshotProducer } = await import('./producer/snapshot-producer.js')
  clock.register(new SnapshotProducer({ store, now: () => clock.now(), startsAt }))
  return runClock(clock, (error) => {
    if (error instanceof StoreUnavailableError) {
      // An outage, as the API's 503s log it: one warning line with the reason, no stack.
      log.warn({ reason: error.message }, 'checkpoint producer: store unavailable; retrying')
    } else {
      log.error({ err: error }, 'checkpoint producer: the tick failed; retrying')
    }
  })
}
