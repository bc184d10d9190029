import type { ApiKey, Checkpoint, Cluster, Organization, Project, ServiceAccount, ServiceAccountSecret } from '../domain/types.js'

/**
 * The admin API's JSON views: the fixture format of each record (so a view, less its read-only fields,
 * is a valid fixture entry), never a stored secret or hash.
 */

export function organizationView(o: Organization): object {
  return { id: o.id, name: o.name }
}

export function projectView(p: Project): object {
  return { id: p.id, orgId: p.orgId, name: p.name }
}

export function clusterView(c: Cluster): object {
  return {
    id: c.id,
    groupId: c.groupId,
    name: c.name,
    type: c.type,
    backup: c.backup,
    featureCompatibilityVersion: c.featureCompatibilityVersion,
    shards: c.shards,
    configServer: c.configServer,
    checkpointIntervalMinutes: c.checkpointIntervalMinutes,
    pointInTimeWindowHours: c.pointInTimeWindowHours,
  }
}

/** A checkpoint as a fixture entry: the API entity without `links`. */
export function checkpointView(c: Checkpoint): object {
  return { ...c }
}

/** An API key without its Digest hash; `createdAt` is read-only. */
export function apiKeyView(k: ApiKey): object {
  return {
    publicKey: k.publicKey,
    orgId: k.orgId,
    description: k.description,
    roles: k.roles,
    accessList: k.accessList,
    createdAt: k.createdAt,
  }
}

/** A service account with its secrets' ids and dates, never their hashes; `secrets` and `createdAt` are read-only. */
export function serviceAccountView(a: ServiceAccount): object {
  return {
    clientId: a.clientId,
    orgId: a.orgId,
    name: a.name,
    description: a.description,
    roles: a.roles,
    accessList: a.accessList,
    createdAt: a.createdAt,
    secrets: a.secrets.map(secretView),
  }
}

/** A service account's secret: its id and dates, never its hash. */
export function secretView(s: ServiceAccountSecret): { id: string; createdAt: string; expiresAt: string } {
  return { id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt }
}
