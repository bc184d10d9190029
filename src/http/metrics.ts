import { collectDefaultMetrics, Registry } from 'prom-client'
import { AUTH_FAILURE_KINDS, COARSE_AUTH_FAILURE_KIND, type AuthFailureKind } from './auth-failure-kind.js'
import { ROUTE_LABELS, type RouteLabel } from './route-label.js'

/** Upper bounds of the latency histogram, in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

export interface HttpMetricsOptions {
  /** Add prom-client's default process metrics (CPU, memory, event loop lag, GC, handles). Once per process. */
  readonly processMetrics: boolean
}

/** What one route has seen; plain numbers, so that counting a request builds nothing. */
class RouteSeries {
  readonly statuses = new Map<number, number>()
  /** Per-bucket counts (not cumulative); the last slot is above the highest bound. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1)
  sum = 0
  count = 0
}

/**
 * The server's own metrics, in the Prometheus text format (docs/operations.md):
 * - `waymark_http_requests_total{route,status}`, `waymark_http_request_duration_seconds{route}`;
 * - `waymark_auth_failures_total{kind}`, `waymark_rate_limited_total`, `waymark_store_unavailable_total`,
 *   `waymark_connections_refused_total`;
 * - with `processMetrics`, prom-client's default `process_*` and `nodejs_*` series.
 * Recording a request is a few property lookups and additions on preallocated series; label strings are
 * only written when `/metrics` is scraped. prom-client's own labelled metrics hash their labels into a
 * string on every increment, which is why the request series are kept here instead.
 */
export class HttpMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE
  readonly #routes: Record<RouteLabel, RouteSeries>
  readonly #authFailures: Record<AuthFailureKind, number>
  #rateLimited = 0
  #storeUnavailable = 0
  #connectionsRefused = 0
  readonly #registry = new Registry()

  constructor(options: HttpMetricsOptions) {
    this.#routes = Object.fromEntries(ROUTE_LABELS.map((route) => [route, new RouteSeries()])) as Record<RouteLabel, RouteSeries>
    this.#authFailures = Object.fromEntries(AUTH_FAILURE_KINDS.map((kind) => [kind, 0])) as Record<AuthFailureKind, number>
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.#registry })
      countCpuFromStart(this.#registry)
    }
  }

  /** One answered request. */
  request(route: RouteLabel, status: number, seconds: number): void {
    const series = this.#routes[route]
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1)
    let bucket = 0
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++
    series.buckets[bucket]!++
    series.sum += seconds
    series.count++
  }

  authFailure(kind: AuthFailureKind): void {
    this.#authFailures[kind]++
  }

  rateLimited(): void {
    this.#rateLimited++
  }

  storeUnavailable(): void {
    this.#storeUnavailable++
  }

  /** A connection refused by the connection cap (http/connection-cap.ts). */
  connectionRefused(): void {
    this.#connectionsRefused++
  }

  /**
   * The exposition text: Waymark's series, then the process metrics (if on). Authentication failures are
   * by kind for a trusted scraper (`detailed`: a metrics token guards /metrics), else by the coarse kinds
   * of {@link COARSE_AUTH_FAILURE_KIND}, which tell no stranger a fact about one credential.
   */
  async render(options: { readonly detailed: boolean } = { detailed: true }): Promise<string> {
    const lines: string[] = []
    const head = (name: string, type: string, help: string): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    head('waymark_http_requests_total', 'counter', 'HTTP requests answered, by route and status.')
    for (const route of ROUTE_LABELS) {
      for (const [status, count] of this.#routes[route].statuses) {
        lines.push(`waymark_http_requests_total{route="${route}",status="${status}"} ${count}`)
      }
    }
    head('waymark_http_request_duration_seconds', 'histogram', 'Time from the request to the last byte of the answer handed to the socket, by route.')
    for (const route of ROUTE_LABELS) {
      const series = this.#routes[route]
      if (series.count === 0) continue
      let cumulative = 0
      LATENCY_BUCKETS.forEach((bound, i) => {
        cumulative += series.buckets[i]!
        lines.push(`waymark_http_request_duration_seconds_bucket{route="${route}",le="${bound}"} ${cumulative}`)
      })
      lines.push(
        `waymark_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${series.count}`,
        `waymark_http_request_duration_seconds_sum{route="${route}"} ${series.sum}`,
        `waymark_http_request_duration_seconds_count{route="${route}"} ${series.count}`,
      )
    }
    head('waymark_auth_failures_total', 'counter', 'Requests refused for their credentials, by kind (no_credentials includes the first leg of every Digest exchange).')
    const failures = new Map<string, number>()
    for (const kind of AUTH_FAILURE_KINDS) {
      const shown = options.detailed ? kind : (COARSE_AUTH_FAILURE_KIND[kind] ?? kind)
      failures.set(shown, (failures.get(shown) ?? 0) + this.#authFailures[kind])
    }
    for (const [kind, count] of failures) lines.push(`waymark_auth_failures_total{kind="${kind}"} ${count}`)
    head('waymark_rate_limited_total', 'counter', 'Requests answered 429 by the per-project rate limit.')
    lines.push(`waymark_rate_limited_total ${this.#rateLimited}`)
    head('waymark_store_unavailable_total', 'counter', 'Requests answered 503 because the store could not be reached or could not write (readiness checks included).')
    lines.push(`waymark_store_unavailable_total ${this.#storeUnavailable}`)
    head('waymark_connections_refused_total', 'counter', 'Connections refused with 503 TOO_MANY_CONNECTIONS because the connection cap was reached.')
    lines.push(`waymark_connections_refused_total ${this.#connectionsRefused}`)
    const defaults = await this.#registry.metrics()
    return `${lines.join('\n')}\n${defaults.trim() === '' ? '' : `\n${defaults}`}`
  }
}

/**
 * prom-client counts `process_cpu_*` from the `collectDefaultMetrics` call, so the start-up before it
 * (Node, loading the modules, opening the store) would be missing; Prometheus means CPU since the process
 * started. Adds the CPU used up to that call, taken just after it.
 */
function countCpuFromStart(registry: Registry): void {
  const { user, system } = process.cpuUsage()
  const add = (name: string, seconds: number): void => {
    const metric = registry.getSingleMetric(name)
    if (metric !== undefined && 'inc' in metric) metric.inc(seconds)
  }
  add('process_cpu_user_seconds_total', user / 1e6)
  add('process_cpu_system_seconds_total', system / 1e6)
  add('process_cpu_seconds_total', (user + system) / 1e6)
}
