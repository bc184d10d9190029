import type { Dialect } from '../dialect.js'

/** Atlas API v1.0, the legacy twin of v2: the same paths and bodies, plain `application/json` whatever Accept says. */
export const atlasV1: Dialect = {
  name: 'atlas-v1',
  prefix: '/api/atlas/v1.0',
  collection: 'backupCheckpoints',
  clusterKey: 'clusterName',
  relationBase: 'https://cloud.mongodb.com',
  contentType: () => 'application/json',
}
