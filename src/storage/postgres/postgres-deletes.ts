import type pg from 'pg'
import type { PoolClient } from 'pg'
import type { ObjectIdHex } from '../../domain/types.js'
import { rolesJsonWithoutGroup, rolesOnGroupPattern } from '../row-mapping.js'
import type { DeleteSummary } from '../store.js'
import { changes, inWriteTransaction } from './postgres-connection.js'
import { deleteAllRestoreJobs, deleteRestoreJobsOfCluster } from './postgres-restore-jobs.js'
import { deleteAllSnapshots, deleteSnapshotsOfCluster } from './postgres-snapshots.js'

type Counts = { -readonly [K in keyof DeleteSummary]: number }

/**
 * The cascading deletes slot of the PostgreSQL engine, for the admin API: an organization takes its
 * projects, keys and accounts; a project its clusters and the roles granted on it; a cluster its
 * checkpoints. Each runs in one write transaction and answers what it removed.
 */
export class PostgresDeletes {
  constructor(private readonly pool: pg.Pool) {}

  organization(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting(async (client, counts) => {
      const projects = await client.query<{ id: string }>('SELECT id FROM projects WHERE org_id = $1', [id])
      for (const project of projects.rows) await deleteProjectIn(client, project.id, counts)
      counts.apiKeys += await changes(client, 'DELETE FROM api_keys WHERE org_id = $1', [id])
      counts.serviceAccounts += await changes(client, 'DELETE FROM service_accounts WHERE org_id = $1', [id])
      counts.organizations += await changes(client, 'DELETE FROM organizations WHERE id = $1', [id])
    })
  }

  project(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting((client, counts) => deleteProjectIn(client, id, counts))
  }

  cluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting(async (client, counts) => {
      const found = await client.query('SELECT 1 FROM clusters WHERE id = $1 AND group_id = $2', [clusterId, groupId])
      if (found.rows.length > 0) await deleteClusterIn(client, groupId, clusterId, counts)
    })
  }

  reset(): Promise<DeleteSummary> {
    return this.deleting(async (client, counts) => {
      counts.checkpoints = await changes(client, 'DELETE FROM checkpoints', [])
      counts.clusters = await changes(client, 'DELETE FROM clusters', [])
      counts.apiKeys = await changes(client, 'DELETE FROM api_keys', [])
      counts.serviceAccounts = await changes(client, 'DELETE FROM service_accounts', [])
      counts.projects = await changes(client, 'DELETE FROM projects', [])
      counts.organizations = await changes(client, 'DELETE FROM organizations', [])
      await deleteAllSnapshots(client)
      await deleteAllRestoreJobs(client)
    })
  }

  /**
   * Runs `remove` in one transaction under the lock `apply` takes (deletes renumber ranks too), with the
   * long timeout (a cluster may hold millions of checkpoints), and answers what it counted.
   */
  private deleting(remove: (client: PoolClient, counts: Counts) => Promise<void>): Promise<DeleteSummary> {
    const counts: Counts = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }
    return inWriteTransaction(this.pool, async (client) => {
      await remove(client, counts)
      return counts
    })
  }
}

/** Deletes a project's clusters, checkpoints and the roles on it, then the project (inside a transaction). */
async function deleteProjectIn(client: PoolClient, id: string, counts: Counts): Promise<void> {
  const clusters = await client.query<{ id: string }>('SELECT id FROM clusters WHERE group_id = $1', [id])
  for (const cluster of clusters.rows) await deleteClusterIn(client, id, cluster.id, counts)
  for (const [table, key] of [['api_keys', 'public_key'], ['service_accounts', 'client_id']] as const) {
    const holders = await client.query<{ id: string; roles: string }>(
      `SELECT ${key} AS id, roles FROM ${table} WHERE roles LIKE $1`,
      [rolesOnGroupPattern(id)],
    )
    for (const row of holders.rows) {
      const roles = rolesJsonWithoutGroup(row.roles, id)
      if (roles !== undefined) await client.query(`UPDATE ${table} SET roles = $1 WHERE ${key} = $2`, [roles, row.id])
    }
  }
  counts.projects += await changes(client, 'DELETE FROM projects WHERE id = $1', [id])
}

async function deleteClusterIn(client: PoolClient, groupId: string, clusterId: string, counts: Counts): Promise<void> {
  const found = await client.query('SELECT 1 FROM clusters WHERE id = $1 AND group_id = $2', [clusterId, groupId])
  if (found.rows.length > 0) {
    await deleteSnapshotsOfCluster(client, clusterId)
    await deleteRestoreJobsOfCluster(client, clusterId)
  }
  counts.checkpoints += await changes(client, 'DELETE FROM checkpoints WHERE cluster_id = $1', [clusterId])
  counts.clusters += await changes(client, 'DELETE FROM clusters WHERE id = $1 AND group_id = $2', [clusterId, groupId])
}
