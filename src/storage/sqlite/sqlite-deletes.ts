import type Database from 'better-sqlite3'
import type { ObjectIdHex } from '../../domain/types.js'
import { rolesJsonWithoutGroup, rolesOnGroupPattern } from '../row-mapping.js'
import type { DeleteSummary } from '../store.js'

function prepare(db: Database.Database) {
  return {
    projectsOfOrg: db.prepare<[string], string>('SELECT id FROM projects WHERE org_id = ?').pluck(),
    clustersOfProject: db.prepare<[string], string>('SELECT id FROM clusters WHERE group_id = ?').pluck(),
    clusterExists: db.prepare<[string, string]>('SELECT 1 FROM clusters WHERE id = ? AND group_id = ?').pluck(),
    keysWithRolesOn: db.prepare<[string], { id: string; roles: string }>(
      'SELECT public_key AS id, roles FROM api_keys WHERE roles LIKE ?',
    ),
    accountsWithRolesOn: db.prepare<[string], { id: string; roles: string }>(
      'SELECT client_id AS id, roles FROM service_accounts WHERE roles LIKE ?',
    ),
    setKeyRoles: db.prepare<[string, string]>('UPDATE api_keys SET roles = ? WHERE public_key = ?'),
    setAccountRoles: db.prepare<[string, string]>('UPDATE service_accounts SET roles = ? WHERE client_id = ?'),
    deleteCheckpointsOf: db.prepare<[string]>('DELETE FROM checkpoints WHERE cluster_id = ?'),
    deleteCluster: db.prepare<[string, string]>('DELETE FROM clusters WHERE id = ? AND group_id = ?'),
    deleteProject: db.prepare<[string]>('DELETE FROM projects WHERE id = ?'),
    deleteKeysOf: db.prepare<[string]>('DELETE FROM api_keys WHERE org_id = ?'),
    deleteAccountsOf: db.prepare<[string]>('DELETE FROM service_accounts WHERE org_id = ?'),
    deleteOrganization: db.prepare<[string]>('DELETE FROM organizations WHERE id = ?'),
    resetAll: [
      'checkpoints',
      'clusters',
      'api_keys',
      'service_accounts',
      'projects',
      'organizations',
    ].map((table) => db.prepare(`DELETE FROM ${table}`)),
  }
}

const NOTHING_DELETED: DeleteSummary = {
  organizations: 0,
  projects: 0,
  clusters: 0,
  checkpoints: 0,
  apiKeys: 0,
  serviceAccounts: 0,
}

type Counts = { -readonly [K in keyof DeleteSummary]: number }

/** A slot whose rows belong to a cluster (snapshots, restore jobs): removed with it, and by `reset`. */
export interface ClusterOwned {
  deleteOfCluster(clusterId: string): void
  deleteAll(): void
}

/**
 * The cascading deletes slot of the SQLite engine, for the admin API: an organization takes its projects,
 * keys and accounts; a project its clusters and the roles granted on it; a cluster its checkpoints. Each
 * runs in one immediate transaction and answers what it removed.
 */
export class SqliteDeletes {
  private readonly stmt: ReturnType<typeof prepare>

  constructor(
    private readonly db: Database.Database,
    private readonly owned: readonly ClusterOwned[] = [],
  ) {
    this.stmt = prepare(db)
  }

  organization(id: ObjectIdHex): DeleteSummary {
    return this.deleting((counts) => {
      for (const projectId of this.stmt.projectsOfOrg.all(id)) this.projectSync(projectId, counts)
      counts.apiKeys += this.stmt.deleteKeysOf.run(id).changes
      counts.serviceAccounts += this.stmt.deleteAccountsOf.run(id).changes
      counts.organizations += this.stmt.deleteOrganization.run(id).changes
    })
  }

  project(id: ObjectIdHex): DeleteSummary {
    return this.deleting((counts) => this.projectSync(id, counts))
  }

  cluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): DeleteSummary {
    return this.deleting((counts) => {
      if (this.stmt.clusterExists.get(clusterId, groupId) !== undefined) this.clusterSync(groupId, clusterId, counts)
    })
  }

  reset(): DeleteSummary {
    return this.deleting((counts) => {
      const [checkpoints, clusters, apiKeys, serviceAccounts, projects, organizations] = this.stmt.resetAll.map(
        (statement) => statement.run().changes,
      )
      Object.assign(counts, { checkpoints, clusters, apiKeys, serviceAccounts, projects, organizations })
      for (const slot of this.owned) slot.deleteAll()
    })
  }

  /** Runs `remove` in one immediate transaction and answers what it counted. */
  private deleting(remove: (counts: Counts) => void): DeleteSummary {
    const counts: Counts = { ...NOTHING_DELETED }
    this.db.transaction(() => remove(counts)).immediate()
    return counts
  }

  private projectSync(id: string, counts: Counts): void {
    for (const clusterId of this.stmt.clustersOfProject.all(id)) this.clusterSync(id, clusterId, counts)
    const pattern = rolesOnGroupPattern(id)
    for (const row of this.stmt.keysWithRolesOn.all(pattern)) {
      const roles = rolesJsonWithoutGroup(row.roles, id)
      if (roles !== undefined) this.stmt.setKeyRoles.run(roles, row.id)
    }
    for (const row of this.stmt.accountsWithRolesOn.all(pattern)) {
      const roles = rolesJsonWithoutGroup(row.roles, id)
      if (roles !== undefined) this.stmt.setAccountRoles.run(roles, row.id)
    }
    counts.projects += this.stmt.deleteProject.run(id).changes
  }

  private clusterSync(groupId: string, clusterId: string, counts: Counts): void {
    if (this.stmt.clusterExists.get(clusterId, groupId) !== undefined) for (const slot of this.owned) slot.deleteOfCluster(clusterId)
    counts.checkpoints += this.stmt.deleteCheckpointsOf.run(clusterId).changes
    counts.clusters += this.stmt.deleteCluster.run(clusterId, groupId).changes
  }
}
