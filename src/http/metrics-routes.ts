import type { FastifyInstance } from 'fastify'
import { staticTokenMatches } from '../auth/static-token.js'
import { ApiError } from '../errors.js'
import type { HttpMetrics } from './metrics.js'
import { DEFAULT_FORMAT } from './query-params.js'
import { renderError } from './render.js'

export interface MetricsRouteDeps {
  readonly metrics: HttpMetrics
  /** When set, the scrape must carry `Authorization: Bearer <token>`. */
  readonly token: string | undefined
}

/**
 * `GET /metrics`, the Prometheus text format (docs/operations.md). Open like `/healthz` unless a metrics
 * token is configured; then 401 METRICS_UNAUTHORIZED without it.
 */
export async function metricsRoutes(app: FastifyInstance, deps: MetricsRouteDeps): Promise<void> {
  const { metrics, token } = deps
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !staticTokenMatches(token, request.headers.authorization)) {
      metrics.authFailure('metrics_token')
      const response = renderError(new ApiError('METRICS_UNAUTHORIZED'), DEFAULT_FORMAT)
      return reply
        .code(response.status)
        .headers({ ...response.headers, 'www-authenticate': 'Bearer realm="Waymark metrics"' })
        .send(Buffer.from(response.body))
    }
    // Per-credential kinds only for a scraper that proved it is trusted (docs/operations.md).
    const body = await metrics.render({ detailed: token !== undefined })
    return reply.code(200).headers({ 'content-type': metrics.contentType, 'cache-control': 'no-store' }).send(body)
  })
}
