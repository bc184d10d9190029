import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type pino from 'pino'
import { buildApp } from './app.js'
import type { FixtureFile } from './fixtures/fixture-file.js'
import type { Config } from './config.js'
import { HttpMetrics } from './http/metrics.js'
import { Readiness } from './http/readiness.js'
import { createLogger, prettyDestination } from './logger.js'
import type { RunningProducer } from './producer/run-producer.js'
import { shutdownHttp } from './server-shutdown.js'
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
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string
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
  const store = await openStoreWaiting(config.store, {
    migrate: config.migrate,
    serving: true,
    waitMs: config.waitForStoreMs,
    ...(options.onStoreRetry ? { onRetry: options.onStoreRetry } : {}),
  })
  try {
    // Imported when needed: modules a plain `serve` does not use cost start-up time.
    if (options.demo) await store.apply((await import('./fixtures/demo.js')).demoDataSet())
    if (options.fixtures.length > 0) {
      const [{ loadFixtureStream }, { withFileMessages }] = await Promise.all([import('./fixtures/load-fixture.js'), import('./fixtures/fixture-file.js')])
      for (const file of options.fixtures) await withFileMessages(file, () => loadFixtureStream(file.open(), store))
    }
    const https = config.tls && { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }
    const metrics = config.metrics.enabled ? new HttpMetrics({ processMetrics: true }) : undefined
    const accessLog = logger.isLevelEnabled('debug')
    const readiness = new Readiness()
    const app = await buildApp({ config, store, logger, accessLog, readiness, ...(metrics ? { metrics } : {}), ...(https ? { https } : {}) })
    // While draining, each answer asks its client to close the connection (Fastify's and direct-api.ts's alike:
    // writeHead merges what setHeader set), so that no kept-alive connection is still open when listening stops.
    app.server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      if (readiness.draining) response.setHeader('connection', 'close')
    })
    await app.listen({ host: config.host, port: config.port })
    const producer = config.producer.enabled ? await startProducer(config, store, logger) : undefined
    const address = app.server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    let hurried = false
    let hurryHttp = (): void => undefined
    let endDrain = (): void => undefined
    return {
      app,
      store,
      url: `${https ? 'https' : 'http'}://${host}:${address.port}`,
      close: async () => {
        const started = performance.now()
        const http = shutdownHttp(app, config.shutdownTimeoutMs)
        hurryHttp = http.hurry
        if (hurried) http.hurry()
        const [{ forcedConnections }] = await Promise.all([http.done, producer?.stop()])
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
 * The checkpoint producer over the store, on a clock `timeScale` times faster than real time from now
 * (docs/producer.md). It starts at the next slot after now: no backfill.
 */
async function startProducer(config: Config, store: Store, logger: pino.Logger): Promise<RunningProducer> {
  const [{ CheckpointProducer }, { runProducer }, { scaledClock }] = await Promise.all([
    import('./producer/checkpoint-producer.js'),
    import('./producer/run-producer.js'),
    import('./producer/scaled-clock.js'),
  ])
  const { seed, timeScale, retentionDays } = config.producer
  const log = logger.child({ component: 'producer' })
  const now = scaledClock(timeScale)
  log.info({ seed, timeScale, retentionDays }, 'checkpoint producer on')
  return runProducer(new CheckpointProducer({ store, seed, now, retentionDays, log }), { timeScale, now, log })
}
