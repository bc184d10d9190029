/**
 * The resource versions of the Atlas Admin API v2 operations Waymark serves, oldest first, with the
 * `Deprecation` and `Sunset` headers of the deprecated ones (docs/behaviour.md#discovery): the checkpoint
 * and project/organization resources have only 2023-01-01; the cluster resources three (the upstream
 * spec's content versions: the sources S1 and S2 named in docs/behaviour.md).
 */
export interface ResourceVersion {
  /** `YYYY-MM-DD`, as `application/vnd.atlas.YYYY-MM-DD+json` names it. */
  readonly date: string
  /** RFC 1123 dates of a deprecated version's `Deprecation` and `Sunset` headers. */
  readonly deprecation?: string
  readonly sunset?: string
}

/** A resource: its versions, oldest first, and their dates (what media-types.ts resolves against). */
export interface VersionedResource {
  readonly versions: readonly ResourceVersion[]
  readonly dates: readonly string[]
}

function resource(versions: readonly ResourceVersion[]): VersionedResource {
  return { versions, dates: versions.map((v) => v.date) }
}

/** Every resource but the clusters: one version, never deprecated. */
export const SINGLE_VERSION_RESOURCE = resource([{ date: '2023-01-01' }])

/**
 * `listGroupClusters` and `getGroupCluster`: 2023-01-01 (the v1.0 cluster), 2023-02-01 (the advanced
 * cluster, deprecated by 2024-08-05 as recorded responses show) and 2024-08-05 (a replication spec per shard).
 */
export const CLUSTER_RESOURCE = resource([
  { date: '2023-01-01', deprecation: 'Wed, 1 Feb 2023 00:00:00 GMT', sunset: 'Thu, 1 Jul 2027 00:00:00 GMT' },
  { date: '2023-02-01', deprecation: 'Mon, 5 Aug 2024 00:00:00 GMT', sunset: 'Thu, 1 Jul 2027 00:00:00 GMT' },
  { date: '2024-08-05' },
])
