import { atlasContentType, resolveAtlasVersion } from '../../http/media-types.js'
import type { Dialect, Negotiated } from '../dialect.js'
import { SINGLE_VERSION_RESOURCE, type VersionedResource } from './resource-versions.js'

/** Resource versions of the two checkpoint operations, oldest first (upstream `x-xgen-version`). */
export const CHECKPOINT_RESOURCE_VERSIONS = SINGLE_VERSION_RESOURCE.dates

/** What each resource version answers with, made once per version. */
const negotiated = new WeakMap<VersionedResource, Map<string, Negotiated>>()

function negotiate(accept: string | undefined, resource: VersionedResource): Negotiated {
  const date = resolveAtlasVersion(accept, resource.dates)
  let answers = negotiated.get(resource)
  if (answers === undefined) {
    answers = new Map()
    for (const version of resource.versions) {
      const headers: Record<string, string> = {}
      if (version.deprecation !== undefined) headers['deprecation'] = version.deprecation
      if (version.sunset !== undefined) headers['sunset'] = version.sunset
      answers.set(version.date, { contentType: atlasContentType(version.date), version, headers })
    }
    negotiated.set(resource, answers)
  }
  const answer = answers.get(date)
  if (answer === undefined) throw new Error(`resolveAtlasVersion answered ${date}, not a version of the resource`)
  return answer
}

/**
 * Atlas Admin API v2: clusters by name, a versioned media type required
 * (`application/vnd.atlas.YYYY-MM-DD+json`), answers `application/vnd.atlas.<resolved>+json;charset=utf-8`,
 * the version being the newest of the resource's not later than the requested date.
 */
export const atlasV2: Dialect = {
  name: 'atlas-v2',
  family: 'atlas',
  prefix: '/api/atlas/v2',
  collection: 'backupCheckpoints',
  clusterKey: 'clusterName',
  relationBase: 'https://cloud.mongodb.com',
  limitsDiscovery: true,
  contentType: (accept) => atlasContentType(resolveAtlasVersion(accept, CHECKPOINT_RESOURCE_VERSIONS)),
  negotiate,
}
