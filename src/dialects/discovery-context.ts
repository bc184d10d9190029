import type { Dialect } from './dialect.js'

/** Where a discovery body is rendered. */
export interface DiscoveryContext {
  readonly dialect: Dialect
  /** `scheme://host[:port]` that links start with. */
  readonly baseUrl: string
  /** The domain of the clusters' host names (WAYMARK_CONNECTION_DOMAIN). */
  readonly connectionDomain: string
  /** The rendering time, in milliseconds: Ops Manager's heartbeat dates are it, to the minute. */
  readonly now: number
}

/** The dialect's URL of a path, e.g. `https://host/api/atlas/v2` + `/groups/…`. */
export function apiUrl(ctx: DiscoveryContext, path: string): string {
  return `${ctx.baseUrl}${ctx.dialect.prefix}${path}`
}

/** The rendering time truncated to the minute, as ISO seconds (Ops Manager's `lastHeartbeat`, `lastActiveAgent`). */
export function minuteOf(ctx: DiscoveryContext): string {
  return `${new Date(Math.floor(ctx.now / 60_000) * 60_000).toISOString().slice(0, 19)}Z`
}
