import type { Dialect, Negotiated } from '../dialect.js'

const JSON_ONLY: Negotiated = { contentType: 'application/json', version: { date: '2023-01-01' }, headers: {} }

/**
 * Ops Manager / Cloud Manager Public API v1.0: clusters by 24-hex id, `checkpoints` collection,
 * `http://mms.mongodb.com/…` link relations, plain `application/json`.
 */
export const opsManagerV1: Dialect = {
  name: 'ops-manager-v1',
  family: 'ops-manager',
  prefix: '/api/public/v1.0',
  collection: 'checkpoints',
  clusterKey: 'clusterId',
  relationBase: 'http://mms.mongodb.com',
  limitsDiscovery: false,
  contentType: () => 'application/json',
  negotiate: () => JSON_ONLY,
}
