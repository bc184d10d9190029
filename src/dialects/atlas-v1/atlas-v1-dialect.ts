import type { Dialect, Negotiated } from '../dialect.js'

/** v1.0 resources are the v2 2023-01-01 ones, in plain JSON, without deprecation headers. */
const JSON_2023_01_01: Negotiated = { contentType: 'application/json', version: { date: '2023-01-01' }, headers: {} }

/** Atlas API v1.0, the legacy twin of v2: the same paths and bodies, plain `application/json` whatever Accept says. */
export const atlasV1: Dialect = {
  name: 'atlas-v1',
  family: 'atlas',
  prefix: '/api/atlas/v1.0',
  collection: 'backupCheckpoints',
  clusterKey: 'clusterName',
  relationBase: 'https://cloud.mongodb.com',
  limitsDiscovery: false,
  contentType: () => 'application/json',
  negotiate: () => JSON_2023_01_01,
}
