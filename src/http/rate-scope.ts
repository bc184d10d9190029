import type { BucketSettings, DiscoveryRateSet } from '../config.js'
import { TokenBucketLimiter } from './rate-limiter.js'

/**
 * Which token bucket a request takes from: the checkpoint routes' per-project bucket, or one of the Atlas
 * v2 discovery endpoint sets' (config.ts `DISCOVERY_RATE_SETS`), keyed by project, organization or caller.
 * Keys are ids the caller was authenticated or authorized for, so nothing a client sends multiplies them;
 * each limiter is bounded (rate-limiter.ts).
 */
export interface RateScope {
  readonly set: 'checkpoints' | DiscoveryRateSet
  readonly key: string
}

/** The discovery endpoint sets' limiters. */
export type DiscoveryLimiters = Readonly<Record<DiscoveryRateSet, TokenBucketLimiter>>

export function discoveryLimiters(settings: Readonly<Record<DiscoveryRateSet, BucketSettings>>, now: () => number): DiscoveryLimiters {
  const limiter = (s: BucketSettings) => new TokenBucketLimiter({ ...s, now })
  return {
    projects: limiter(settings.projects),
    clusters: limiter(settings.clusters),
    allClusters: limiter(settings.allClusters),
    organizations: limiter(settings.organizations),
    organizationList: limiter(settings.organizationList),
    cloudBackups: limiter(settings.cloudBackups),
  }
}
