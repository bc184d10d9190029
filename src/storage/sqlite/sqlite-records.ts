import type Database from 'better-sqlite3'
import type { Cluster, ObjectIdHex, Organization, Project } from '../../domain/types.js'
import type { DataSet } from '../../domain/data-set.js'
import { lastById } from '../rank-plan.js'
import {
  clusterFromRow,
  configServerToJson,
  deploymentToJson,
  projectFromRow,
  shardsToJson,
  tagsToJson,
  type ClusterRow,
  type ProjectRow,
} from '../row-mapping.js'

function prepare(db: Database.Database) {
  return {
    getOrganization: db.prepare<[string], Organization>('SELECT id, name FROM organizations WHERE id = ?'),
    getProject: db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE id = ?'),
    projectsOfOrganization: db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE org_id = ? ORDER BY id'),
    clustersOfProject: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE group_id = ? ORDER BY id'),
    getClusterById: db.prepare<[string, string], ClusterRow>(
      'SELECT * FROM clusters WHERE id = ? AND group_id = ?',
    ),
    getClusterByName: db.prepare<[string, string], ClusterRow>(
      'SELECT * FROM clusters WHERE group_id = ? AND name = ?',
    ),
    findCluster: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE id = ?'),
    listScheduledClusters: db.prepare<[], ClusterRow>(
      'SELECT * FROM clusters WHERE checkpoint_interval_min IS NOT NULL ORDER BY id',
    ),
    listOrganizations: db.prepare<[], Organization>('SELECT id, name FROM organizations ORDER BY id'),
    listProjects: db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY id'),
    listClusters: db.prepare<[], ClusterRow>('SELECT * FROM clusters ORDER BY id'),
    upsertOrganization: db.prepare<[string, string]>(
      `INSERT INTO organizations (id, name) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
    ),
    upsertProject: db.prepare<[string, string, string, string | null, string | null]>(
      `INSERT INTO projects (id, org_id, name, created_at, tags) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         created_at = excluded.created_at, tags = excluded.tags`,
    ),
    upsertCluster: db.prepare<
      [string, string, string, string, string, string, string, string | null, number | null, number, string | null]
    >(
      `INSERT INTO clusters (id, group_id, name, type, backup, fcv, shards, config_server,
         checkpoint_interval_min, pit_window_hours, deployment)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, name = excluded.name,
         type = excluded.type, backup = excluded.backup, fcv = excluded.fcv, shards = excluded.shards,
         config_server = excluded.config_server, checkpoint_interval_min = excluded.checkpoint_interval_min,
         pit_window_hours = excluded.pit_window_hours, deployment = excluded.deployment`,
    ),
  }
}

/** How many records of each kind {@link SqliteRecords.writeSync} wrote. */
export interface RecordsWritten {
  readonly organizations: number
  readonly projects: number
  readonly clusters: number
}

/**
 * The records slot of the SQLite engine: organizations, projects and clusters, read one at a time, listed
 * whole (`waymark copy`) and written inside the store's transactions. Synchronous, like better-sqlite3.
 */
export class SqliteRecords {
  private readonly stmt: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
  }

  getOrganization(id: ObjectIdHex): Organization | undefined {
    const row = this.stmt.getOrganization.get(id)
    return row && { id: row.id, name: row.name }
  }

  getProject(id: ObjectIdHex): Project | undefined {
    const row = this.stmt.getProject.get(id)
    return row && projectFromRow(row)
  }

  listProjectsOfOrganization(orgId: ObjectIdHex): Project[] {
    return this.stmt.projectsOfOrganization.all(orgId).map(projectFromRow)
  }

  listClustersOfProject(groupId: ObjectIdHex): Cluster[] {
    return this.stmt.clustersOfProject.all(groupId).map(clusterFromRow)
  }

  getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Cluster | undefined {
    const row = this.stmt.getClusterById.get(clusterId, groupId)
    return row && clusterFromRow(row)
  }

  getClusterByName(groupId: ObjectIdHex, name: string): Cluster | undefined {
    const row = this.stmt.getClusterByName.get(groupId, name)
    return row && clusterFromRow(row)
  }

  findCluster(clusterId: ObjectIdHex): Cluster | undefined {
    const row = this.stmt.findCluster.get(clusterId)
    return row && clusterFromRow(row)
  }

  listScheduledClusters(): Cluster[] {
    return this.stmt.listScheduledClusters.all().map(clusterFromRow)
  }

  listOrganizations(): Organization[] {
    return this.stmt.listOrganizations.all().map((row) => ({ id: row.id, name: row.name }))
  }

  listProjects(): Project[] {
    return this.stmt.listProjects.all().map(projectFromRow)
  }

  listClusters(): Cluster[] {
    return this.stmt.listClusters.all().map(clusterFromRow)
  }

  /** Upserts the data set's organizations, projects and clusters (the last of each id wins). */
  writeSync(data: Pick<DataSet, 'organizations' | 'projects' | 'clusters'>): RecordsWritten {
    const s = this.stmt
    const organizations = lastById(data.organizations, (o) => o.id)
    for (const o of organizations) s.upsertOrganization.run(o.id, o.name)
    const projects = lastById(data.projects, (p) => p.id)
    for (const p of projects) s.upsertProject.run(p.id, p.orgId, p.name, p.createdAt ?? null, tagsToJson(p.tags))
    const clusters = lastById(data.clusters, (c) => c.id)
    for (const c of clusters) {
      s.upsertCluster.run(
        c.id,
        c.groupId,
        c.name,
        c.type,
        c.backup,
        c.featureCompatibilityVersion,
        shardsToJson(c.shards),
        configServerToJson(c.configServer),
        c.checkpointIntervalMinutes,
        c.pointInTimeWindowHours,
        deploymentToJson(c),
      )
    }
    return { organizations: organizations.length, projects: projects.length, clusters: clusters.length }
  }
}
