import type pg from 'pg'
import type { PoolClient, QueryResultRow } from 'pg'
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
import { holdsNul, readNamed, write } from './postgres-connection.js'

/** The statements of the records slot, prepared once per connection by name. */
const READS = {
  getOrganization: 'SELECT id, name FROM organizations WHERE id = $1',
  getProject: 'SELECT * FROM projects WHERE id = $1',
  projectsOfOrganization: 'SELECT * FROM projects WHERE org_id = $1 ORDER BY id COLLATE "C"',
  clustersOfProject: 'SELECT * FROM clusters WHERE group_id = $1 ORDER BY id COLLATE "C"',
  getClusterById: 'SELECT * FROM clusters WHERE id = $1 AND group_id = $2',
  getClusterByName: 'SELECT * FROM clusters WHERE group_id = $1 AND name = $2',
  findCluster: 'SELECT * FROM clusters WHERE id = $1',
  listScheduledClusters: 'SELECT * FROM clusters WHERE checkpoint_interval_min IS NOT NULL ORDER BY id COLLATE "C"',
  listOrganizations: 'SELECT id, name FROM organizations ORDER BY id COLLATE "C"',
  listProjects: 'SELECT * FROM projects ORDER BY id COLLATE "C"',
  listClusters: 'SELECT * FROM clusters ORDER BY id COLLATE "C"',
} as const

/** How many records of each kind {@link writeRecords} wrote. */
export interface RecordsWritten {
  readonly organizations: number
  readonly projects: number
  readonly clusters: number
}

/** The records slot of the PostgreSQL engine: organizations, projects and clusters. */
export class PostgresRecords {
  constructor(private readonly pool: pg.Pool) {}

  private read<R extends QueryResultRow>(name: keyof typeof READS, values: unknown[] = []): Promise<R[]> {
    return readNamed<R>(this.pool, name, READS[name], values)
  }

  async getOrganization(id: ObjectIdHex): Promise<Organization | undefined> {
    const [row] = await this.read<{ id: string; name: string }>('getOrganization', [id])
    return row && { id: row.id, name: row.name }
  }

  async getProject(id: ObjectIdHex): Promise<Project | undefined> {
    const [row] = await this.read<ProjectRow>('getProject', [id])
    return row && projectFromRow(row)
  }

  async listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]> {
    return (await this.read<ProjectRow>('projectsOfOrganization', [orgId])).map(projectFromRow)
  }

  async listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]> {
    return (await this.read<ClusterRow>('clustersOfProject', [groupId])).map(clusterFromRow)
  }

  async getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    const [row] = await this.read<ClusterRow>('getClusterById', [clusterId, groupId])
    return row && clusterFromRow(row)
  }

  async getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined> {
    if (holdsNul(name)) return undefined
    const [row] = await this.read<ClusterRow>('getClusterByName', [groupId, name])
    return row && clusterFromRow(row)
  }

  async findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    const [row] = await this.read<ClusterRow>('findCluster', [clusterId])
    return row && clusterFromRow(row)
  }

  async listScheduledClusters(): Promise<Cluster[]> {
    return (await this.read<ClusterRow>('listScheduledClusters')).map(clusterFromRow)
  }

  async listOrganizations(): Promise<Organization[]> {
    const rows = await this.read<{ id: string; name: string }>('listOrganizations')
    return rows.map((row) => ({ id: row.id, name: row.name }))
  }

  async listProjects(): Promise<Project[]> {
    return (await this.read<ProjectRow>('listProjects')).map(projectFromRow)
  }

  async listClusters(): Promise<Cluster[]> {
    return (await this.read<ClusterRow>('listClusters')).map(clusterFromRow)
  }
}

/** Upserts the data set's organizations, projects and clusters inside the caller's write transaction. */
export async function writeRecords(client: PoolClient, data: Pick<DataSet, 'organizations' | 'projects' | 'clusters'>): Promise<RecordsWritten> {
  const organizations = lastById(data.organizations, (o) => o.id)
  if (organizations.length > 0) {
    await write(
      client,
      `INSERT INTO organizations (id, name) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
      [organizations.map((o) => o.id), organizations.map((o) => o.name)],
    )
  }
  const projects = lastById(data.projects, (p) => p.id)
  if (projects.length > 0) {
    await write(
      client,
      `INSERT INTO projects (id, org_id, name, created_at, tags)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         created_at = excluded.created_at, tags = excluded.tags`,
      [
        projects.map((p) => p.id),
        projects.map((p) => p.orgId),
        projects.map((p) => p.name),
        projects.map((p) => p.createdAt ?? null),
        projects.map((p) => tagsToJson(p.tags)),
      ],
    )
  }
  const clusters = lastById(data.clusters, (c) => c.id)
  if (clusters.length > 0) {
    await write(
      client,
      `INSERT INTO clusters (id, group_id, name, type, backup, fcv, shards, config_server,
         checkpoint_interval_min, pit_window_hours, deployment)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::int[], $10::int[], $11::text[])
       ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, name = excluded.name,
         type = excluded.type, backup = excluded.backup, fcv = excluded.fcv, shards = excluded.shards,
         config_server = excluded.config_server, checkpoint_interval_min = excluded.checkpoint_interval_min,
         pit_window_hours = excluded.pit_window_hours, deployment = excluded.deployment`,
      [
        clusters.map((c) => c.id),
        clusters.map((c) => c.groupId),
        clusters.map((c) => c.name),
        clusters.map((c) => c.type),
        clusters.map((c) => c.backup),
        clusters.map((c) => c.featureCompatibilityVersion),
        clusters.map((c) => shardsToJson(c.shards)),
        clusters.map((c) => configServerToJson(c.configServer)),
        clusters.map((c) => c.checkpointIntervalMinutes),
        clusters.map((c) => c.pointInTimeWindowHours),
        clusters.map((c) => deploymentToJson(c)),
      ],
    )
  }
  return { organizations: organizations.length, projects: projects.length, clusters: clusters.length }
}
