import pg from 'pg'
import type { PoolClient, QueryConfig } from 'pg'
import type {
  ApiKey,
  Checkpoint,
  Cluster,
  IsoSeconds,
  ObjectIdHex,
  Organization,
  Project,
  ServiceAccount,
} from '../../domain/types.js'
import type { DataSet } from '../../domain/data-set.js'
import type {
  ApplySummary,
  CheckpointBounds,
  CheckpointKey,
  CheckpointPage,
  CheckpointTally,
  DeleteSummary,
  NamedSecret,
  PageRequest,
  RevokedToken,
  SchemaMigration,
  Store,
  StoreClock,
} from '../store.js'
import { StoreNotFoundError, StoreUnavailableError, withUnavailableErrors, WriteHealth } from '../store-errors.js'
import { PostgresChangeListener } from './postgres-change-listener.js'
import { PostgresCheckpoints } from './postgres-checkpoints.js'
import {
  checkout,
  CONNECT_TIMEOUT_MS,
  PING_TIMEOUT_MS,
  QUERY_TIMEOUT_MS,
  release,
  STATEMENT_TIMEOUT_MS,
} from './postgres-connection.js'
import { PostgresCredentials } from './postgres-credentials.js'
import { PostgresDeletes } from './postgres-deletes.js'
import { isPostgresUnavailable, postgresUnavailableKind } from './postgres-errors.js'
import { checkSchemaVersion, migrate } from './postgres-migrations.js'
import { PostgresNonces } from './postgres-nonces.js'
import { PostgresRecords } from './postgres-records.js'
import { checkpointBounds, checkpointsBetween, tallyCheckpoints } from './postgres-timeline.js'
import { applyInBatches } from './postgres-writer.js'
import { PostgresLegacyBackupStore } from './postgres-legacy-backup-store.js'

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** The schema every table lives in, created if missing; default: the server's search_path (`public`). */
  readonly schema?: string
  /**
   * False: run no DDL and no migration, only check that the schema is at this build's version (a role with
   * only DML privileges, `serve --no-migrate`). Default true: create and migrate what is missing.
   */
  readonly migrate?: boolean
  /** True: create nothing; a schema without Waymark's tables is a StoreNotFoundError (the CLI's reading commands). */
  readonly mustExist?: boolean
  /** The server's clock, for the revoked tokens and nonce leases it forgets once expired; the wall clock by default. */
  readonly clock?: StoreClock | undefined
}

/** A schema name this engine accepts: a plain lower-case identifier, so it needs no quoting anywhere. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Throws StoreNotFoundError unless the connection's schema (its search_path) holds Waymark's tables. */
async function requireTables(client: PoolClient, schema: string | undefined): Promise<void> {
  const { rows } = await client.query<{ present: boolean; database: string; schema: string }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS present, current_database() AS database,
       coalesce($1::text, current_schema(), 'public') AS schema`,
    [schema ?? null],
  )
  const row = rows[0]
  if (row?.present !== true) {
    throw new StoreNotFoundError(`schema ${row?.schema ?? schema ?? 'public'} of database ${row?.database ?? '?'} holds no Waymark tables`)
  }
}

/**
 * The PostgreSQL engine (node-postgres). A pool of up to 10 connections; every object lives in one
 * schema. Several processes may share one database: migrations and `apply` each take an advisory lock.
 *
 * This class connects and composes the engine's slots, one per concern (see docs/architecture.md,
 * "Storage engines: the file set"): records, checkpoints, credentials, nonces, timeline, deletes and the
 * writer; each method below hands its call to one of them.
 */
export class PostgresStore extends PostgresLegacyBackupStore implements Store {
  readonly engine = 'postgres'
  private closed = false
  private readonly records: PostgresRecords
  private readonly checkpoints: PostgresCheckpoints
  private readonly credentials: PostgresCredentials
  private readonly nonces: PostgresNonces
  private readonly deletes: PostgresDeletes

  private constructor(
    private readonly pool: pg.Pool,
    readonly migration: SchemaMigration,
    private readonly listener: PostgresChangeListener,
    private readonly writes: WriteHealth,
    clock: StoreClock,
  ) {
    super(pool)
    this.records = new PostgresRecords(pool)
    this.checkpoints = new PostgresCheckpoints(pool)
    this.credentials = new PostgresCredentials(pool, clock)
    this.nonces = new PostgresNonces(pool, clock)
    this.deletes = new PostgresDeletes(pool)
  }

  /**
   * What tells a cache in front of this store that another connection committed a write: a connection of
   * its own LISTENing to the notification every write transaction of this engine sends (see
   * postgres-change-listener.ts). It connects at the first question asked of it; close() ends it.
   */
  changes(): PostgresChangeListener {
    return this.listener
  }

  /**
   * Connects to the database at `url` (a `postgres://` connection string), creates `options.schema` if
   * needed and migrates it (or, with `migrate: false`, only checks its version). Throws a
   * StoreUnavailableError when the server cannot be reached within a few seconds, and an Error when the
   * schema was written by a newer Waymark (or, not migrating, by an older one).
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`Invalid PostgreSQL schema name "${schema}" (lower-case letters, digits and _ only)`)
    }
    const searchPath = schema !== undefined ? { options: `-c search_path=${schema}` } : {}
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'waymark',
      ...searchPath,
    })
    // An idle connection the server drops must not crash the process: the pool discards it and opens new
    // connections on demand, so the store recovers by itself once the server is back.
    pool.on('error', () => undefined)
    try {
      const client = await checkout(pool)
      let migration: SchemaMigration
      try {
        if (options.mustExist === true) await requireTables(client, schema)
        migration =
          options.migrate === false ? await checkSchemaVersion(client) : await migrate(client, schema !== undefined ? { schema } : {})
      } finally {
        release(client)
      }
      // Every method then fails with StoreUnavailableError while the server cannot be reached.
      const listener = new PostgresChangeListener({ connectionString: url, ...searchPath })
      // A disk-full or I/O failure (SQLSTATE class 53, 58030) also marks writes failing.
      const writes = new WriteHealth()
      return withUnavailableErrors(new PostgresStore(pool, migration, listener, writes, options.clock ?? Date.now), postgresUnavailableKind, writes)
    } catch (error) {
      await pool.end().catch(() => undefined)
      throw isPostgresUnavailable(error) ? new StoreUnavailableError(error) : error
    }
  }

  // --- Records ---

  getOrganization(id: ObjectIdHex): Promise<Organization | undefined> {
    return this.records.getOrganization(id)
  }

  getProject(id: ObjectIdHex): Promise<Project | undefined> {
    return this.records.getProject(id)
  }

  listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]> {
    return this.records.listProjectsOfOrganization(orgId)
  }

  listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]> {
    return this.records.listClustersOfProject(groupId)
  }

  getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.records.getClusterById(groupId, clusterId)
  }

  getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined> {
    return this.records.getClusterByName(groupId, name)
  }

  findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.records.findCluster(clusterId)
  }

  listScheduledClusters(): Promise<Cluster[]> {
    return this.records.listScheduledClusters()
  }

  listOrganizations(): Promise<Organization[]> {
    return this.records.listOrganizations()
  }

  listProjects(): Promise<Project[]> {
    return this.records.listProjects()
  }

  listClusters(): Promise<Cluster[]> {
    return this.records.listClusters()
  }

  // --- Checkpoints and paging ---

  pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    return this.checkpoints.page(clusterId, page)
  }

  getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.checkpoints.get(clusterId, checkpointId)
  }

  findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.checkpoints.find(checkpointId)
  }

  checkpointsAfter(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Promise<Checkpoint[]> {
    return this.checkpoints.after(clusterId, after, limit)
  }

  countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    return this.checkpoints.countUpTo(clusterId, key)
  }

  expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    return this.checkpoints.expire(clusterId, before, limit)
  }

  pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    return this.checkpoints.prune(clusterId, before, limit)
  }

  deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    return this.checkpoints.delete(clusterId, checkpointId)
  }

  // --- The timeline ---

  tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
    return tallyCheckpoints(this.pool, clusterId, boundaries)
  }

  checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds> {
    return checkpointBounds(this.pool, clusterId)
  }

  checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]> {
    return checkpointsBetween(this.pool, clusterId, from, to, limit)
  }

  // --- Credentials and tokens ---

  getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    return this.credentials.getApiKey(publicKey)
  }

  getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    return this.credentials.getServiceAccount(clientId)
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.credentials.listApiKeys()
  }

  listServiceAccounts(): Promise<ServiceAccount[]> {
    return this.credentials.listServiceAccounts()
  }

  deleteApiKey(publicKey: string): Promise<boolean> {
    return this.credentials.deleteApiKey(publicKey)
  }

  deleteServiceAccount(clientId: string): Promise<boolean> {
    return this.credentials.deleteServiceAccount(clientId)
  }

  revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    return this.credentials.revokeToken(jti, expiresAtSeconds)
  }

  isTokenRevoked(jti: string): Promise<boolean> {
    return this.credentials.isTokenRevoked(jti)
  }

  listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    return this.credentials.listRevokedTokens(nowSeconds)
  }

  getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.credentials.getOrCreateSecret(name, create)
  }

  listSecrets(): Promise<NamedSecret[]> {
    return this.credentials.listSecrets()
  }

  putSecret(name: string, value: string): Promise<void> {
    return this.credentials.putSecret(name, value)
  }

  // --- Nonces ---

  claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    return this.nonces.claim(nonce, owner, expiresAtSeconds)
  }

  // --- Writing data sets ---

  apply(data: DataSet): Promise<ApplySummary> {
    return applyInBatches(this.pool, data, [])
  }

  applyInBatches(data: DataSet, checkpointBatches: AsyncIterable<readonly Checkpoint[]> | Iterable<readonly Checkpoint[]>): Promise<ApplySummary> {
    return applyInBatches(this.pool, data, checkpointBatches)
  }

  // --- Deletes, for the admin API ---

  deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deletes.organization(id)
  }

  deleteProject(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deletes.project(id)
  }

  deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    return this.deletes.cluster(groupId, clusterId)
  }

  reset(): Promise<DeleteSummary> {
    return this.deletes.reset()
  }

  // --- Health and lifecycle ---

  async ping(): Promise<void> {
    // pg honours a per-query query_timeout; @types/pg's QueryConfig does not declare it.
    const config: QueryConfig & { query_timeout: number } = { text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS }
    await this.pool.query(config)
  }

  async checkWritable(): Promise<boolean> {
    if (!this.writes.failing) return true
    if (!this.writes.probeDue(Date.now())) return false
    try {
      await this.pool.query(
        'INSERT INTO write_probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at',
        [Date.now()],
      )
    } catch (error) {
      if (postgresUnavailableKind(error) === 'storage') return false
      throw error
    }
    this.writes.recovered()
    return true
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.listener.close()
    await this.pool.end()
  }

}
