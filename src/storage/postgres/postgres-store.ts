import pg from 'pg'
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg'
import type {
  ApiKey,
  Checkpoint,
  Cluster,
  DataSet,
  IsoSeconds,
  ObjectIdHex,
  Organization,
  Project,
  ServiceAccount,
} from '../../domain/types.js'
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
import { PruneSchedule } from '../prune-schedule.js'
import { StoreNotFoundError, StoreUnavailableError, withUnavailableErrors, WriteHealth } from '../store-errors.js'
import { TurnBatch } from '../turn-batch.js'
import { isPostgresUnavailable, postgresUnavailableKind } from './postgres-errors.js'
import { checkpointBounds, checkpointsBetween, tallyCheckpoints } from './postgres-timeline.js'
import { deleteAllSnapshots, deleteSnapshotsOfCluster, PostgresSnapshots } from './postgres-snapshots.js'
import { deleteAllRestoreJobs, deleteRestoreJobsOfCluster, PostgresRestoreJobs } from './postgres-restore-jobs.js'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import type { Snapshot, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import {
  apiKeyFromRow,
  checkpointFromRow,
  clusterFromRow,
  configServerToJson,
  deploymentToJson,
  partsToJson,
  projectFromRow,
  tagsToJson,
  rolesJsonWithoutGroup,
  rolesOnGroupPattern,
  rolesToJson,
  serviceAccountFromRow,
  shardsToJson,
  type ApiKeyRow,
  type CheckpointRow,
  type ClusterRow,
  type ProjectRow,
  type ServiceAccountRow,
} from '../row-mapping.js'
import { ADVISORY_LOCK_KEY, checkSchemaVersion, migrate } from './postgres-migrations.js'
import { NOTIFY_CHANGE, NOTIFY_CHANGE_CALL, PostgresChangeListener } from './postgres-change-listener.js'
import { compareKeys, firstChanged, lastById, numberEntering, planRanks, type OrderKey } from '../rank-plan.js'

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

/**
 * Per-call limits, so a stopped or unreachable server fails a request in seconds instead of hanging it:
 * getting a connection (a new one, or waiting for a pooled one) takes at most CONNECT, and a statement at
 * most QUERY on our side (STATEMENT on the server's, which cancels first when the server is alive). A
 * frozen server thus fails a store call within CONNECT + QUERY = 5.5 s; a stopped one at once.
 */
const CONNECT_TIMEOUT_MS = 2_000
const STATEMENT_TIMEOUT_MS = 3_000
const QUERY_TIMEOUT_MS = 3_500
/** The readiness query's own limit on our side. */
const PING_TIMEOUT_MS = 1_500
/** `apply` may write millions of rows: its statements get far longer. */
const APPLY_TIMEOUT_MS = 600_000
const NO_RECORDS: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }
/** Rows per multi-row INSERT of an `apply`. */
const BATCH = 5_000

/** A seq below any real one (seq is an INTEGER here): renumbering "after" it renumbers the whole cluster. */
const BEFORE_ALL = -2_147_483_648

const CHECKPOINT_COLUMNS = 'id, cluster_id, group_id, timestamp, started, completed, restorable, parts'

/** The statements of the hot reads, prepared once per connection by name. */
const READS = {
  getOrganization: 'SELECT id, name FROM organizations WHERE id = $1',
  getProject: 'SELECT * FROM projects WHERE id = $1',
  projectsOfOrganization: 'SELECT * FROM projects WHERE org_id = $1 ORDER BY id COLLATE "C"',
  clustersOfProject: 'SELECT * FROM clusters WHERE group_id = $1 ORDER BY id COLLATE "C"',
  getClusterById: 'SELECT * FROM clusters WHERE id = $1 AND group_id = $2',
  getClusterByName: 'SELECT * FROM clusters WHERE group_id = $1 AND name = $2',
  getCheckpoint: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE id = $1 AND cluster_id = $2`,
  /**
   * One round trip for a page: the cluster's seq range from both ends of the (cluster_id, seq) index,
   * then the page's rows by seq range ($2 = offset, $3 = limit). A page past the end, or of an empty
   * cluster, is one row of NULL checkpoint columns that still carries the range.
   */
  page: `WITH r AS (
      SELECT (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo,
             (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1) AS hi
    )
    SELECT r.lo, r.hi, c.* FROM r LEFT JOIN LATERAL (
      SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
      WHERE cluster_id = $1 AND seq <= r.hi::bigint - $2::bigint AND seq > r.hi::bigint - $2::bigint - $3::bigint
      ORDER BY seq DESC
    ) AS c ON true`,
  seqRange: `SELECT (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo,
      (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1) AS hi`,
  keyAtSeq: 'SELECT timestamp, id FROM checkpoints WHERE cluster_id = $1 AND seq = $2 LIMIT 1',
  getApiKey: 'SELECT * FROM api_keys WHERE public_key = $1',
  getServiceAccount: 'SELECT * FROM service_accounts WHERE client_id = $1',
  isTokenRevoked: 'SELECT 1 FROM revoked_tokens WHERE jti = $1',
  getSecret: 'SELECT value FROM secrets WHERE name = $1',
  /**
   * The owner of the nonce's lease after the claim: the claimant if the row is new, else whoever holds it.
   * A row another transaction committed after this statement's snapshot (the conflict waited for it) is
   * not seen by the second SELECT: no row, which the caller takes as "held by another".
   */
  claimNonceLease: `WITH claim AS (
      INSERT INTO digest_nonce_leases (nonce, owner, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING RETURNING owner)
    SELECT owner FROM claim
    UNION ALL SELECT owner FROM digest_nonce_leases WHERE nonce = $1 AND NOT EXISTS (SELECT 1 FROM claim)`,
  /** The claims of one event-loop turn, as claimNonceLease; a nonce repeated in the batch is inserted once. */
  claimNonceLeases: `WITH claim AS (
      INSERT INTO digest_nonce_leases (nonce, owner, expires_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
      ON CONFLICT DO NOTHING RETURNING nonce, owner)
    SELECT nonce, owner FROM claim
    UNION ALL SELECT nonce, owner FROM digest_nonce_leases
      WHERE nonce = ANY($1::text[]) AND nonce NOT IN (SELECT nonce FROM claim)`,
} as const

/** The statements that read a whole store (`waymark copy`), apart from the hot paths. */
const WHOLE_STORE_READS = {
  listOrganizations: 'SELECT id, name FROM organizations ORDER BY id COLLATE "C"',
  listProjects: 'SELECT * FROM projects ORDER BY id COLLATE "C"',
  listClusters: 'SELECT * FROM clusters ORDER BY id COLLATE "C"',
  listApiKeys: 'SELECT * FROM api_keys ORDER BY public_key COLLATE "C"',
  listServiceAccounts: 'SELECT * FROM service_accounts ORDER BY client_id COLLATE "C"',
  listSecrets: 'SELECT name, value FROM secrets ORDER BY name COLLATE "C"',
  listRevokedTokens: 'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > $1 ORDER BY jti COLLATE "C"',
  firstFromOldest: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT $2`,
  /**
   * One statement, so one snapshot: `at` is the seq of the key ($2 id, $3 timestamp) when it is stored at
   * that place in the cluster, and the rows are those after it by seq (an index range). `at` NULL: the key
   * is not stored there, see afterKey. No rows after it: one row of NULL checkpoint columns.
   */
  afterStoredKey: `WITH k AS (
      SELECT (SELECT seq FROM checkpoints WHERE id = $2 AND cluster_id = $1 AND timestamp = $3) AS at
    )
    SELECT k.at, c.* FROM k LEFT JOIN LATERAL (
      SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
      WHERE cluster_id = $1 AND seq > k.at ORDER BY seq ASC LIMIT $4
    ) AS c ON true`,
  /** After a key that is not stored at its place: a scan in seq order from the cluster's oldest. */
  afterKey: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
    WHERE cluster_id = $1 AND (timestamp > $3 OR (timestamp = $3 AND id > $2))
    ORDER BY seq ASC LIMIT $4`,
  /** A stored key's count is its distance from the oldest seq (a dense rank); otherwise a count. */
  countUpTo: `WITH k AS (
      SELECT (SELECT seq FROM checkpoints WHERE id = $2 AND cluster_id = $1 AND timestamp = $3) AS at,
             (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo
    )
    SELECT CASE WHEN k.at IS NOT NULL THEN k.at - k.lo + 1
      ELSE (SELECT count(*) FROM checkpoints
            WHERE cluster_id = $1 AND (timestamp < $3 OR (timestamp = $3 AND id <= $2))) END AS n
    FROM k`,
  findCluster: 'SELECT * FROM clusters WHERE id = $1',
  listScheduledClusters: 'SELECT * FROM clusters WHERE checkpoint_interval_min IS NOT NULL ORDER BY id COLLATE "C"',
} as const

/** One Digest nonce lease to claim (`Store.claimNonceLease`). */
interface LeaseClaim {
  readonly nonce: string
  readonly owner: string
  readonly expiresAt: number
}

function named(name: keyof typeof READS, values: unknown[]): QueryConfig {
  return { name: `waymark_${name}`, text: READS[name], values }
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
}

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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The PostgreSQL engine (node-postgres). A pool of up to 10 connections; every object lives in one
 * schema. Several processes may share one database: migrations and `apply` each take an advisory lock.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres'
  private closed = false
  private readonly noncePrune = new PruneSchedule()

  private constructor(
    private readonly pool: pg.Pool,
    readonly migration: SchemaMigration,
    private readonly listener: PostgresChangeListener,
    private readonly writes: WriteHealth,
    private readonly clock: StoreClock,
  ) {}

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

  private async read<R extends QueryResultRow>(name: keyof typeof READS, values: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(named(name, values))).rows
  }

  /**
   * One INSERT, UPDATE or DELETE (without RETURNING) as a statement of its own that also notifies the
   * listeners of this schema when it changed any row (see postgres-change-listener.ts): answers how many.
   */
  private async notifying(statement: string, values: unknown[]): Promise<number> {
    const text = `WITH w AS (${statement} RETURNING 1), n AS (SELECT count(*)::int AS n FROM w)
      SELECT n.n, CASE WHEN n.n > 0 THEN ${NOTIFY_CHANGE_CALL} END AS notified FROM n`
    const [row] = (await this.pool.query<{ n: number }>(text, values)).rows
    return row?.n ?? 0
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

  async pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    const { offset, limit } = page
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Invalid page offset ${offset}`)
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid page limit ${limit}`)
    const rows = await this.read<{ lo: number | null; hi: number | null } & Partial<CheckpointRow>>('page', [
      clusterId,
      offset,
      limit,
    ])
    const first = rows[0]
    if (!first || first.lo === null || first.hi === null) return { items: [], totalCount: 0 }
    const totalCount = first.hi - first.lo + 1
    if (offset >= totalCount || first.id == null) return { items: [], totalCount }
    return { items: rows.map((row) => checkpointFromRow(row as CheckpointRow)), totalCount }
  }

  async getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const [row] = await this.read<CheckpointRow>('getCheckpoint', [checkpointId, clusterId])
    return row && checkpointFromRow(row)
  }

  async getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    if (holdsNul(publicKey)) return undefined
    const [row] = await this.read<ApiKeyRow>('getApiKey', [publicKey])
    return row && apiKeyFromRow(row)
  }

  async getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    if (holdsNul(clientId)) return undefined
    const [row] = await this.read<ServiceAccountRow>('getServiceAccount', [clientId])
    return row && serviceAccountFromRow(row)
  }

  async revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    await this.pool.query('DELETE FROM revoked_tokens WHERE expires_at <= $1', [Math.floor(this.clock() / 1000)])
    await this.notifying(
      'INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING',
      [jti, Math.floor(expiresAtSeconds)],
    )
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    return (await this.read('isTokenRevoked', [jti])).length > 0
  }

  async claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.clock() / 1000)
    if (this.noncePrune.due(nowSeconds)) {
      await this.pool.query('DELETE FROM digest_nonce_leases WHERE expires_at <= $1', [nowSeconds])
    }
    return this.leaseClaims.add({ nonce, owner, expiresAt: Math.floor(expiresAtSeconds) })
  }

  /**
   * The lease claims of one event-loop turn in one statement, one round trip (a lone claim keeps the
   * simple one). Each request still waits for its lease to be stored before it is answered.
   */
  private readonly leaseClaims = new TurnBatch<LeaseClaim, boolean>(async (claims) => {
    const [only] = claims
    if (claims.length === 1 && only !== undefined) {
      const [row] = await this.read<{ owner: string }>('claimNonceLease', [only.nonce, only.owner, only.expiresAt])
      return [row?.owner === only.owner]
    }
    const rows = await this.read<{ nonce: string; owner: string }>('claimNonceLeases', [
      claims.map((c) => c.nonce),
      claims.map((c) => c.owner),
      claims.map((c) => c.expiresAt),
    ])
    const owners = new Map(rows.map((row) => [row.nonce, row.owner]))
    return claims.map((c) => owners.get(c.nonce) === c.owner)
  })

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const [existing] = await this.read<{ value: string }>('getSecret', [name])
    if (existing) return existing.value
    await this.notifying('INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      create(),
    ])
    const [row] = await this.read<{ value: string }>('getSecret', [name])
    if (!row) throw new Error(`Secret ${name} could not be stored`)
    return row.value
  }

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

  private async readWhole<R extends QueryResultRow>(
    name: keyof typeof WHOLE_STORE_READS,
    values: unknown[] = [],
  ): Promise<R[]> {
    return (await this.pool.query<R>({ name: `waymark_${name}`, text: WHOLE_STORE_READS[name], values })).rows
  }

  async listOrganizations(): Promise<Organization[]> {
    const rows = await this.readWhole<{ id: string; name: string }>('listOrganizations')
    return rows.map((row) => ({ id: row.id, name: row.name }))
  }

  async listProjects(): Promise<Project[]> {
    return (await this.readWhole<ProjectRow>('listProjects')).map(projectFromRow)
  }

  async listClusters(): Promise<Cluster[]> {
    return (await this.readWhole<ClusterRow>('listClusters')).map(clusterFromRow)
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.readWhole<ApiKeyRow>('listApiKeys')).map(apiKeyFromRow)
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    return (await this.readWhole<ServiceAccountRow>('listServiceAccounts')).map(serviceAccountFromRow)
  }

  async listSecrets(): Promise<NamedSecret[]> {
    const rows = await this.readWhole<{ name: string; value: string }>('listSecrets')
    return rows.map((row) => ({ name: row.name, value: row.value }))
  }

  async putSecret(name: string, value: string): Promise<void> {
    await this.notifying(
      'INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      [name, value],
    )
  }

  async listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    // BIGINT comes back as a string.
    const rows = await this.readWhole<{ jti: string; expires_at: string }>('listRevokedTokens', [
      Math.floor(nowSeconds),
    ])
    return rows.map((row) => ({ jti: row.jti, expiresAtSeconds: Number(row.expires_at) }))
  }

  async checkpointsAfter(
    clusterId: ObjectIdHex,
    after: CheckpointKey | undefined,
    limit: number,
  ): Promise<Checkpoint[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
    if (after === undefined) {
      return (await this.readWhole<CheckpointRow>('firstFromOldest', [clusterId, limit])).map(checkpointFromRow)
    }
    const values = [clusterId, after.id, after.timestamp, limit]
    const rows = await this.readWhole<{ at: number | null } & Partial<CheckpointRow>>('afterStoredKey', values)
    if (rows[0]?.at == null) {
      return (await this.readWhole<CheckpointRow>('afterKey', values)).map(checkpointFromRow)
    }
    return rows.filter((row) => row.id != null).map((row) => checkpointFromRow(row as CheckpointRow))
  }

  async countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    // count(*) is a BIGINT, which comes back as a string.
    const [row] = await this.readWhole<{ n: string | number }>('countUpTo', [clusterId, key.id, key.timestamp])
    return Number(row?.n ?? 0)
  }

  async findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    const [row] = await this.readWhole<ClusterRow>('findCluster', [clusterId])
    return row && clusterFromRow(row)
  }

  async listScheduledClusters(): Promise<Cluster[]> {
    return (await this.readWhole<ClusterRow>('listScheduledClusters', [])).map(clusterFromRow)
  }

  tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
    return tallyCheckpoints(this.pool, clusterId, boundaries)
  }

  checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds> {
    return checkpointBounds(this.pool, clusterId)
  }

  checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]> {
    return checkpointsBetween(this.pool, clusterId, from, to, limit)
  }

  async expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    // The partial index of restorable checkpoints: only the ones still restorable are read.
    return this.notifying(
      `UPDATE checkpoints SET restorable = false WHERE id IN (
         SELECT id FROM checkpoints WHERE cluster_id = $1 AND restorable AND timestamp < $2
         ORDER BY timestamp LIMIT $3)`,
      [clusterId, before, limit],
    )
  }

  async pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        // The oldest ranks lo .. lo + limit - 1 that are before the time: a prefix, so the rest stay dense.
        // Under the apply lock, so that no apply plans ranks from a lo that is going away.
        await client.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY}, hashtext('apply:' || current_schema()))`)
        const [range] = (await client.query<{ lo: number | null }>(named('seqRange', [clusterId]))).rows
        const lo = range?.lo ?? null
        const deleted =
          lo === null
            ? 0
            : ((
                await client.query(
                  'DELETE FROM checkpoints WHERE cluster_id = $1 AND seq >= $2 AND seq < $3 AND timestamp < $4',
                  [clusterId, lo, lo + limit, before],
                )
              ).rowCount ?? 0)
        if (deleted > 0) await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return deleted
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      client.release()
    }
  }

  async apply(data: DataSet): Promise<ApplySummary> {
    return this.applyInBatches(data, [])
  }

  async applyInBatches(data: DataSet, checkpointBatches: AsyncIterable<readonly Checkpoint[]> | Iterable<readonly Checkpoint[]>): Promise<ApplySummary> {
    const client = await checkout(this.pool)
    try {
      await client.query('BEGIN')
      try {
        await client.query(`SET LOCAL statement_timeout = ${APPLY_TIMEOUT_MS}`)
        // One writer at a time per schema, as SQLite's immediate transactions: the seq renumbering
        // reads a cluster's ranks and must not interleave with another apply's.
        // Waiting for it is bounded by the apply timeout too: a large load elsewhere may hold it a while.
        const lock = `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY}, hashtext('apply:' || current_schema()))`
        await write(client, lock, [])
        // Parents first, then the checkpoints (the set's, then each batch's), then the credentials.
        const summary = await applyIn(client, { ...data, apiKeys: [], serviceAccounts: [] })
        let streamed = 0
        for await (const batch of checkpointBatches) streamed += await applyCheckpoints(client, lastById(batch, (c) => c.id))
        const credentials = await applyIn(client, { ...NO_RECORDS, apiKeys: data.apiKeys, serviceAccounts: data.serviceAccounts })
        await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return { ...summary, checkpoints: summary.checkpoints + streamed, apiKeys: credentials.apiKeys, serviceAccounts: credentials.serviceAccounts }
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      release(client)
    }
  }

  // --- Deletes, for the admin API ---

  async findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE id = $1`, [checkpointId])
    return rows[0] && checkpointFromRow(rows[0])
  }

  async deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting(async (client, counts) => {
      const projects = await client.query<{ id: string }>('SELECT id FROM projects WHERE org_id = $1', [id])
      for (const project of projects.rows) await deleteProjectIn(client, project.id, counts)
      counts.apiKeys += await changes(client, 'DELETE FROM api_keys WHERE org_id = $1', [id])
      counts.serviceAccounts += await changes(client, 'DELETE FROM service_accounts WHERE org_id = $1', [id])
      counts.organizations += await changes(client, 'DELETE FROM organizations WHERE id = $1', [id])
    })
  }

  async deleteProject(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting((client, counts) => deleteProjectIn(client, id, counts))
  }

  async deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting(async (client, counts) => {
      const found = await client.query('SELECT 1 FROM clusters WHERE id = $1 AND group_id = $2', [clusterId, groupId])
      if (found.rows.length > 0) await deleteClusterIn(client, groupId, clusterId, counts)
    })
  }

  async deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    let deleted = false
    await this.deleting(async (client) => {
      const [range] = (await client.query<{ lo: number | null; hi: number | null }>(named('seqRange', [clusterId]))).rows
      const removed = await client.query<{ seq: number }>(
        'DELETE FROM checkpoints WHERE id = $1 AND cluster_id = $2 RETURNING seq',
        [checkpointId, clusterId],
      )
      const seq = removed.rows[0]?.seq
      if (seq === undefined) return
      deleted = true
      const lo = range?.lo ?? seq
      const hi = range?.hi ?? seq
      if (seq - lo <= hi - seq) {
        await client.query('UPDATE checkpoints SET seq = seq + 1 WHERE cluster_id = $1 AND seq < $2', [clusterId, seq])
      } else {
        await client.query('UPDATE checkpoints SET seq = seq - 1 WHERE cluster_id = $1 AND seq > $2', [clusterId, seq])
      }
    })
    return deleted
  }

  async deleteApiKey(publicKey: string): Promise<boolean> {
    if (holdsNul(publicKey)) return false
    return (await this.notifying('DELETE FROM api_keys WHERE public_key = $1', [publicKey])) === 1
  }

  async deleteServiceAccount(clientId: string): Promise<boolean> {
    if (holdsNul(clientId)) return false
    return (await this.notifying('DELETE FROM service_accounts WHERE client_id = $1', [clientId])) === 1
  }

  async reset(): Promise<DeleteSummary> {
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
  // --- Legacy backup snapshots (postgres-snapshots.ts) ---

  #snapshots: PostgresSnapshots | undefined
  private get snapshots(): PostgresSnapshots {
    return (this.#snapshots ??= new PostgresSnapshots(this.pool))
  }
  async putSnapshots(snapshots: readonly Snapshot[]): Promise<number> {
    return this.snapshots.put(snapshots)
  }
  async pageSnapshots(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, page: PageRequest): Promise<SnapshotPage> {
    return this.snapshots.page(clusterId, filter, now, page.offset, page.limit)
  }
  async getSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.get(clusterId, snapshotId, now)
  }
  async listSnapshotsOfCluster(clusterId: ObjectIdHex): Promise<Snapshot[]> {
    return this.snapshots.ofCluster(clusterId)
  }
  async baseSnapshot(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined> {
    return this.snapshots.base(clusterId, at, now)
  }
  async snapshotFloor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.floor(clusterId, now)
  }
  async deleteSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex): Promise<boolean> {
    return this.snapshots.delete(clusterId, snapshotId)
  }
  async deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number> {
    return this.snapshots.deleteExpired(now, limit)
  }
  async nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.nextExpiry(now)
  }
  async getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    return this.snapshots.getSettings(clusterId)
  }
  async putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    return this.snapshots.putSettings(clusterId, settings)
  }

  // --- Legacy backup restore jobs (postgres-restore-jobs.ts) ---

  #restoreJobs: PostgresRestoreJobs | undefined
  private get restoreJobs(): PostgresRestoreJobs {
    return (this.#restoreJobs ??= new PostgresRestoreJobs(this.pool))
  }
  async putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number> {
    return this.restoreJobs.put(jobs)
  }
  async pageRestoreJobs(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, page: PageRequest): Promise<RestoreJobPage> {
    return this.restoreJobs.page(clusterId, batchId, page.offset, page.limit)
  }
  async getRestoreJob(jobId: ObjectIdHex): Promise<RestoreJob | undefined> {
    return this.restoreJobs.get(jobId)
  }
  async restoreJobsIntoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]> {
    return this.restoreJobs.intoTarget(targetClusterId)
  }
  async countRestoreDownload(jobId: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined> {
    return this.restoreJobs.countDownload(jobId, hash, maxDownloads)
  }
  async endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    return this.restoreJobs.end(jobId, status, at)
  }

  private async deleting(remove: (client: PoolClient, counts: Counts) => Promise<void>): Promise<DeleteSummary> {
    const counts: Counts = { organizations: 0, projects: 0, clusters: 0, checkpoints: 0, apiKeys: 0, serviceAccounts: 0 }
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        await client.query(`SET LOCAL statement_timeout = ${APPLY_TIMEOUT_MS}`)
        await write(client, `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY}, hashtext('apply:' || current_schema()))`, [])
        await remove(client, counts)
        await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return counts
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      client.release()
    }
  }
}

type Counts = { -readonly [K in keyof DeleteSummary]: number }

/** How many rows one statement of a delete touched (with the long timeout). */
async function changes(client: PoolClient, text: string, values: unknown[]): Promise<number> {
  const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: APPLY_TIMEOUT_MS }
  return (await client.query(config)).rowCount ?? 0
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

/** Swallows the 'error' a checked-out connection emits when the server drops it (see {@link checkout}). */
const ignoreLostConnection = (): void => undefined

/**
 * A pooled connection for several statements. A connection the server drops while it is checked out
 * emits 'error' on the client, which would crash the process without a listener; the statement in flight
 * rejects anyway, so the listener only has to exist. {@link release} removes it; the pool then discards a
 * connection that is no longer usable.
 */
async function checkout(pool: pg.Pool): Promise<PoolClient> {
  const client = await pool.connect()
  client.on('error', ignoreLostConnection)
  return client
}

function release(client: PoolClient): void {
  client.off('error', ignoreLostConnection)
  client.release()
}

/** Runs one statement of an `apply`, with the long client-side timeout. */
async function write<R extends QueryResultRow = QueryResultRow>(
  client: PoolClient,
  text: string,
  values: unknown[],
): Promise<R[]> {
  // pg honours a per-query query_timeout; @types/pg's QueryConfig does not declare it.
  const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: APPLY_TIMEOUT_MS }
  return (await client.query<R>(config)).rows
}

async function applyIn(client: PoolClient, data: DataSet): Promise<ApplySummary> {
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
  const checkpoints = await applyCheckpoints(client, lastById(data.checkpoints, (c) => c.id))
  const apiKeys = lastById(data.apiKeys, (k) => k.publicKey)
  if (apiKeys.length > 0) {
    await write(
      client,
      `INSERT INTO api_keys (public_key, org_id, description, digest_ha1, roles, access_list, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (public_key) DO UPDATE SET org_id = excluded.org_id, description = excluded.description,
         digest_ha1 = excluded.digest_ha1, roles = excluded.roles, access_list = excluded.access_list,
         created_at = excluded.created_at`,
      [
        apiKeys.map((k) => k.publicKey),
        apiKeys.map((k) => k.orgId),
        apiKeys.map((k) => k.description),
        apiKeys.map((k) => k.digestHa1),
        apiKeys.map((k) => rolesToJson(k.roles)),
        apiKeys.map((k) => JSON.stringify(k.accessList)),
        apiKeys.map((k) => k.createdAt),
      ],
    )
  }
  const serviceAccounts = lastById(data.serviceAccounts, (a) => a.clientId)
  if (serviceAccounts.length > 0) {
    await write(
      client,
      // A replaced account keeps its stored uid (its identity); only a new one takes the uid given.
      `INSERT INTO service_accounts (client_id, org_id, name, description, roles, secrets, access_list, created_at, uid)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[])
       ON CONFLICT (client_id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         description = excluded.description, roles = excluded.roles, secrets = excluded.secrets,
         access_list = excluded.access_list, created_at = excluded.created_at`,
      [
        serviceAccounts.map((a) => a.clientId),
        serviceAccounts.map((a) => a.orgId),
        serviceAccounts.map((a) => a.name),
        serviceAccounts.map((a) => a.description),
        serviceAccounts.map((a) => rolesToJson(a.roles)),
        serviceAccounts.map((a) => JSON.stringify(a.secrets)),
        serviceAccounts.map((a) => JSON.stringify(a.accessList)),
        serviceAccounts.map((a) => a.createdAt),
        serviceAccounts.map((a) => a.uid),
      ],
    )
  }
  return {
    organizations: organizations.length,
    projects: projects.length,
    clusters: clusters.length,
    checkpoints,
    apiKeys: apiKeys.length,
    serviceAccounts: serviceAccounts.length,
  }
}

/**
 * Writes checkpoints and keeps each cluster's seq a dense rank of (timestamp, id), as the SQLite engine
 * does: only the places from the smallest changed (timestamp, id) of a cluster onwards can move, so each
 * affected cluster is renumbered from there (one UPDATE … FROM with row_number()); everything before
 * keeps its seq. Checkpoints that all come after a cluster's newest are simply numbered on from its max.
 */
async function applyCheckpoints(client: PoolClient, checkpoints: readonly Checkpoint[]): Promise<number> {
  if (checkpoints.length === 0) return 0
  const places = new Map<string, { id: string; cluster_id: string; timestamp: string; seq: number }>()
  for (const batch of chunks(checkpoints, BATCH)) {
    const rows = await write<{ id: string; cluster_id: string; timestamp: string; seq: number }>(
      client,
      'SELECT id, cluster_id, timestamp, seq FROM checkpoints WHERE id = ANY($1::text[])',
      [batch.map((cp) => cp.id)],
    )
    for (const row of rows) places.set(row.id, row)
  }
  const { plans, seqOf } = planRanks(checkpoints, places)

  const renumber: Array<{ clusterId: string; after: number }> = []
  for (const [clusterId, plan] of plans) {
    const [range] = await client.query<{ lo: number | null; hi: number | null }>(
      named('seqRange', [clusterId]),
    ).then((r) => r.rows)
    const lo = range?.lo ?? null
    const hi = range?.hi ?? null
    const first = firstChanged(plan)
    if (!first) continue
    const after = lo === null || hi === null ? 0 : await lastSeqBefore(client, clusterId, first, lo, hi)
    if (numberEntering(plan, after, hi, seqOf, BEFORE_ALL)) renumber.push({ clusterId, after })
  }

  for (const batch of chunks(checkpoints, BATCH)) {
    await write(
      client,
      `INSERT INTO checkpoints (id, cluster_id, group_id, seq, timestamp, started, completed, restorable, parts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
         $8::boolean[], $9::text[])
       ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, group_id = excluded.group_id,
         seq = excluded.seq, timestamp = excluded.timestamp, started = excluded.started,
         completed = excluded.completed, restorable = excluded.restorable, parts = excluded.parts`,
      [
        batch.map((cp) => cp.id),
        batch.map((cp) => cp.clusterId),
        batch.map((cp) => cp.groupId),
        batch.map((cp) => seqOf.get(cp.id) ?? 0),
        batch.map((cp) => cp.timestamp),
        batch.map((cp) => cp.started),
        batch.map((cp) => cp.completed ?? null),
        batch.map((cp) => cp.restorable),
        batch.map((cp) => partsToJson(cp.parts)),
      ],
    )
  }
  for (const { clusterId, after } of renumber) {
    await write(
      client,
      `UPDATE checkpoints AS c SET seq = r.rn
       FROM (SELECT id, $3::int + row_number() OVER (ORDER BY timestamp, id) AS rn
             FROM checkpoints WHERE cluster_id = $1 AND seq > $2::int) AS r
       WHERE c.id = r.id AND c.seq <> r.rn`,
      [clusterId, after, after === BEFORE_ALL ? 0 : after],
    )
  }
  return checkpoints.length
}

/**
 * The seq of the cluster's last checkpoint ordered before `key`, by binary search over the dense seqs
 * lo..hi (a point lookup on the index per step); lo - 1 when none is. Should the seqs not be dense after
 * all, {@link BEFORE_ALL}, so that the whole cluster is renumbered.
 */
async function lastSeqBefore(
  client: PoolClient,
  clusterId: string,
  key: OrderKey,
  lo: number,
  hi: number,
): Promise<number> {
  const keyAt = async (seq: number): Promise<OrderKey | undefined> =>
    (await client.query<OrderKey>(named('keyAtSeq', [clusterId, seq]))).rows[0]
  const newest = await keyAt(hi)
  if (!newest) return BEFORE_ALL
  if (compareKeys(newest, key) < 0) return hi
  let below = lo - 1
  let above = hi
  while (above - below > 1) {
    const mid = Math.floor((below + above) / 2)
    const k = await keyAt(mid)
    if (!k) return BEFORE_ALL
    if (compareKeys(k, key) < 0) below = mid
    else above = mid
  }
  return below
}

/**
 * Whether a lookup key holds U+0000, which PostgreSQL refuses in text parameters (an error, not a miss).
 * No stored record can hold it (fixture validation refuses it), so such a lookup finds nothing.
 */
function holdsNul(text: string): boolean {
  return text.includes('\u0000')
}
