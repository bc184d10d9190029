import { randomBytes } from 'node:crypto'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { DigestAuthenticator } from './auth/authenticate.js'
import { NonceBook } from './auth/nonces.js'
import type { Config } from './config.js'
import { DIALECTS } from './dialects/all-dialects.js'
import { CheckpointService } from './domain/checkpoint-service.js'
import { answerClientError } from './http/client-errors.js'
import { ApiPipeline } from './http/pipeline.js'
import { DEFAULT_FORMAT } from './http/query-params.js'
import { renderError, type ApiResponse } from './http/render.js'
import { ApiError } from './errors.js'
import type { Store } from './storage/store.js'

export interface AppDeps {
  readonly config: Config
  readonly store: Store
  /** A pino logger; omitted, the app logs nothing (tests). */
  readonly logger?: FastifyBaseLogger
  /** The clock, in milliseconds (tests inject one). */
  readonly now?: () => number
}

/** The secret that signs Digest nonces, kept in the store so every instance on it accepts the others'. */
const NONCE_SECRET = 'digest-nonce-hmac'

/**
 * Builds the HTTP application over injected dependencies. It never listens (see server.ts), so tests
 * call it through `app.inject()` or listen on port 0 themselves.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const secret = await deps.store.getOrCreateSecret(NONCE_SECRET, () => randomBytes(32).toString('base64'))
  const nonces = new NonceBook({
    secret,
    lifetimeSeconds: deps.config.nonceLifetimeSeconds,
    ...(deps.now ? { now: deps.now } : {}),
  })
  const pipeline = new ApiPipeline({
    dialects: DIALECTS,
    authenticator: new DigestAuthenticator(deps.store, nonces),
    service: new CheckpointService(deps.store),
  })

  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One log line per request costs more than answering it; access logs come with the metrics work.
    logController: new LogController({ disableRequestLogging: true }),
    clientErrorHandler: answerClientError,
    // Undecodable URLs are the API's to answer (per parameter), not the framework's.
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_BAD_URL') return dispatch(request, reply)
      return send(reply, renderError(new ApiError('MALFORMED_REQUEST'), DEFAULT_FORMAT))
    },
  })

  const publicUrl = deps.config.publicUrl
  const dispatch = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const response = await pipeline.handle(
      {
        method: request.method,
        target: request.raw.url ?? '/',
        accept: request.headers.accept,
        authorization: request.headers.authorization,
        baseUrl: publicUrl ?? requestBaseUrl(request, deps.config),
      },
      request.log,
    )
    return send(reply, response)
  }

  // The API answers every method on every path itself (405 for a known path, 404 otherwise), and
  // never reads a request body: GET-only routes must not fail on a body's content type.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume()
    done(null)
  })
  app.all('/api/*', dispatch)
  app.setNotFoundHandler(dispatch)
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'unexpected error outside the API pipeline')
    return send(reply, renderError(new ApiError('UNEXPECTED_ERROR'), DEFAULT_FORMAT))
  })
  return app
}

function send(reply: FastifyReply, response: ApiResponse): FastifyReply {
  // A Buffer, so that Fastify leaves the Content-Type exactly as the real API writes it (no charset added).
  return reply.code(response.status).headers(response.headers).send(Buffer.from(response.body))
}


const SAFE_HOST = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/

/** The request's own scheme and Host; a missing or odd Host falls back to the listening address. */
function requestBaseUrl(request: FastifyRequest, config: Config): string {
  const host = request.headers.host
  const authority = host !== undefined && SAFE_HOST.test(host) ? host : `${config.host}:${config.port}`
  return `${request.protocol}://${authority}`
}
