import type { Dialect } from '../dialect.js'

/**
 * Ops Manager / Cloud Manager Public API v1.0 "Checkpoints": clusters by 24-hex id, `checkpoints`
 * collection, `http://mms.mongodb.com/…` link relations, plain `application/json`.
 */
export const opsManagerV1: Dialect = {
  name: 'ops-manager-v1',
  prefix: '/api/public/v1.0',
  collection: 'checkpoints',
  clusterKey: 'clusterId',
  relationBase: 'http://mms.mongodb.com',
  contentType: () => 'application/json',
}
