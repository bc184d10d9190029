import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify'
import type { Store } from '../storage/store.js'
import type { Readiness } from './readiness.js'
import { isStoreUnavailable, logStoreUnavailable, STORE_RETRY_AFTER_SECONDS, storeUnavailableDetails, STORE_UNAVAILABLE_MESSAGE } from './store-unavailable.js'

export interface HealthDeps {
  readonly store: Store
  /** How long /readyz waits for the store to answer before saying it is unreachable. */
  readonly readyTimeoutMs: number
  /** Draining (after SIGTERM) makes /readyz answer 503 without asking the store; omitted: never draining. */
  readonly readiness?: Readiness
}

/**
 * Probes for load balancers and orchestrators, without authentication:
 * - `GET /healthz`: the process is alive and serving HTTP; always 200 `{"status":"OK"}`, the store is not
 *   asked (a database outage is not a reason to restart Waymark: it recovers by itself).
 * - `GET /readyz`: the store answers a trivial query within `readyTimeoutMs`, and takes writes; 200
 *   `{"status":"OK","store":"reachable"}`, else 503 `{"status":"UNAVAILABLE","store":"unreachable"}` (no
 *   answer), `"store":"not writable"` (writes fail for a full or failing disk, until a probe write
 *   succeeds) or `"store":"damaged"` (the background check of a large SQLite file found it damaged), with
 *   Retry-After: take the instance out of rotation until it is ready again;
 *   503 `{"status":"SHUTTING_DOWN"}` at once while the instance drains before it stops (readiness.ts).
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async (_request, reply) => json(reply, 200, { status: 'OK' }))

  app.get('/readyz', async (request, reply) => {
    deps.readiness?.noteAsked()
    if (deps.readiness?.draining) return json(reply, 503, { status: 'SHUTTING_DOWN' })
    const state = await storeState(deps, request.log)
    if (state === 'reachable') return json(reply, 200, { status: 'OK', store: state })
    reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
    return json(reply, 503, { status: 'UNAVAILABLE', store: state })
  })
}

class PingTimeout extends Error {
  override readonly name = 'PingTimeout'
}

/**
 * `reachable`: the store answers and takes writes; `unreachable`: it does not answer within the timeout;
 * `not writable`: it answers, but writes fail (a full or failing disk) and the probe write still does.
 */
async function storeState(deps: HealthDeps, log: FastifyBaseLogger): Promise<'reachable' | 'unreachable' | 'not writable' | 'damaged'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PingTimeout(`The store did not answer within ${deps.readyTimeoutMs} ms`)), deps.readyTimeoutMs)
  })
  try {
    await Promise.race([deps.store.ping(), timeout])
    return (await Promise.race([deps.store.checkWritable(), timeout])) ? 'reachable' : 'not writable'
  } catch (error) {
    if (error instanceof PingTimeout) log.warn(storeUnavailableDetails(error), STORE_UNAVAILABLE_MESSAGE)
    else if (isStoreUnavailable(error)) {
      logStoreUnavailable(log, error)
      if (error.kind === 'damaged') return 'damaged'
    } else log.error({ err: error }, 'unexpected error in the readiness check')
    return 'unreachable'
  } finally {
    clearTimeout(timer)
  }
}

function json(reply: FastifyReply, status: number, body: object): FastifyReply {
  return reply
    .code(status)
    .headers({ 'content-type': 'application/json', 'cache-control': 'no-store' })
    .send(Buffer.from(JSON.stringify(body)))
}
