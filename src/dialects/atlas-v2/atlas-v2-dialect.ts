import { atlasContentType, resolveAtlasVersion } from '../../http/media-types.js'
import type { Dialect } from '../dialect.js'

/** Resource versions of the two checkpoint operations, oldest first (upstream `x-xgen-version`). */
export const CHECKPOINT_RESOURCE_VERSIONS = ['2023-01-01'] as const

/**
 * Atlas Admin API v2 ("Legacy Backup" tag): clusters by name, a versioned media type required
 * (`application/vnd.atlas.YYYY-MM-DD+json`), answers `application/vnd.atlas.2023-01-01+json;charset=utf-8`.
 */
export const atlasV2: Dialect = {
  name: 'atlas-v2',
  prefix: '/api/atlas/v2',
  collection: 'backupCheckpoints',
  clusterKey: 'clusterName',
  relationBase: 'https://cloud.mongodb.com',
  contentType: (accept) => atlasContentType(resolveAtlasVersion(accept, CHECKPOINT_RESOURCE_VERSIONS)),
}
