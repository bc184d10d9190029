import { existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
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
import { TurnBatch } from '../turn-batch.js'
import { olderSchemaError } from '../schema-version.js'
import { WriteGate } from '../write-gate.js'
import { StoreUnavailableError, withUnavailableErrors, WriteHealth } from '../store-errors.js'
import { isSqliteUnavailable, sqliteUnavailableKind } from './sqlite-errors.js'
import { checkInBackground, checkpointInWorker, DamagedStoreError, fileSize, quickCheck, SYNC_CHECK_MAX_BYTES } from './sqlite-integrity.js'
import { checkSchemaVersion, LATEST_SCHEMA_VERSION, migrate } from './sqlite-migrations.js'
import { SqliteTimeline } from './sqlite-timeline.js'
import { SqliteSnapshots } from './sqlite-snapshots.js'
import { SqliteRestoreJobs } from './sqlite-restore-jobs.js'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import type { Snapshot, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import {
  apiKeyFromRow,
  serviceAccountFromRow,
  type ServiceAccountRow,
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
  shardsToJson,
  type ApiKeyRow,
  type CheckpointRow,
  type ClusterRow,
  type ProjectRow,
} from '../row-mapping.js'
import { BEFORE_ALL, compareKeys, firstChanged, lastById, numberEntering, planRanks, type OrderKey } from '../rank-plan.js'

const SELECT_CHECKPOINT = `SELECT id, cluster_id, group_id, timestamp, started, completed, restorable, parts
  FROM checkpoints`

export interface SqliteOpenOptions {
  /** False: create and migrate nothing; the file must exist at this build's schema version. Default true. */
  readonly migrate?: boolean
  /**
   * Check a file too large to check before opening (over 64 MiB) in a worker thread while the store is in
   * use; damage found makes `ping` (readiness) fail. `waymark serve` asks for it; commands that run to an
   * end do not.
   */
  readonly checkLargeFileInBackground?: boolean
  /** The server's clock, for the revoked tokens and nonce leases it forgets once expired; the wall clock by default. */
  readonly clock?: StoreClock | undefined
}

/** One Digest nonce lease to claim (`Store.claimNonceLease`). */
interface LeaseClaim {
  readonly nonce: string
  readonly owner: string
  readonly expiresAt: number
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === ''
}

function prepareStatements(db: Database.Database) {
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
    getCheckpoint: db.prepare<[string, string], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE id = ? AND cluster_id = ?`,
    ),
    seqRange: db.prepare<[string, string], { lo: number | null; hi: number | null }>(
      `SELECT (SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq ASC LIMIT 1) AS lo,
              (SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq DESC LIMIT 1) AS hi`,
    ),
    pageBySeq: db.prepare<[string, number, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? AND seq <= ? AND seq > ? ORDER BY seq DESC`,
    ),
    keyAtSeq: db.prepare<[string, number], OrderKey>(
      'SELECT timestamp, id FROM checkpoints WHERE cluster_id = ? AND seq = ?',
    ),
    /** Where the checkpoints of a JSON array of ids are now: one statement for a whole batch. */
    placesOf: db.prepare<[string], { id: string; cluster_id: string; timestamp: string; seq: number }>(
      `SELECT c.id, c.cluster_id, c.timestamp, c.seq
       FROM json_each(?) AS j JOIN checkpoints AS c ON c.id = j.value`,
    ),
    getApiKey: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE public_key = ?'),
    getSecret: db.prepare<[string], { value: string }>('SELECT value FROM secrets WHERE name = ?'),
    insertSecret: db.prepare<[string, string]>('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)'),
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
    upsertCheckpoint: db.prepare<
      [string, string, string, number, string, string, string | null, number, string]
    >(
      `INSERT INTO checkpoints (id, cluster_id, group_id, seq, timestamp, started, completed, restorable, parts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, group_id = excluded.group_id,
         seq = excluded.seq, timestamp = excluded.timestamp, started = excluded.started,
         completed = excluded.completed, restorable = excluded.restorable, parts = excluded.parts`,
    ),
    renumberAfter: db.prepare<{ clusterId: string; after: number; base: number }>(
      `UPDATE checkpoints SET seq = r.rn
       FROM (SELECT id, @base + row_number() OVER (ORDER BY timestamp, id) AS rn
             FROM checkpoints WHERE cluster_id = @clusterId AND seq > @after) AS r
       WHERE checkpoints.id = r.id AND checkpoints.seq <> r.rn`,
    ),
    upsertApiKey: db.prepare<[string, string, string, string, string, string, string]>(
      `INSERT INTO api_keys (public_key, org_id, description, digest_ha1, roles, access_list, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (public_key) DO UPDATE SET org_id = excluded.org_id, description = excluded.description,
         digest_ha1 = excluded.digest_ha1, roles = excluded.roles, access_list = excluded.access_list,
         created_at = excluded.created_at`,
    ),
    getServiceAccount: db.prepare<[string], ServiceAccountRow>('SELECT * FROM service_accounts WHERE client_id = ?'),
    /** A replaced account keeps its stored uid (its identity); only a new one takes the uid given. */
    upsertServiceAccount: db.prepare<[string, string, string, string, string, string, string, string, string]>(
      `INSERT INTO service_accounts (client_id, uid, org_id, name, description, roles, secrets, access_list, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         description = excluded.description, roles = excluded.roles, secrets = excluded.secrets,
         access_list = excluded.access_list, created_at = excluded.created_at`,
    ),
    findCluster: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE id = ?'),
    listScheduledClusters: db.prepare<[], ClusterRow>(
      'SELECT * FROM clusters WHERE checkpoint_interval_min IS NOT NULL ORDER BY id',
    ),
    /** By the partial index of restorable checkpoints: only the ones that are still restorable are read. */
    expireCheckpoints: db.prepare<[string, string, number]>(
      `UPDATE checkpoints SET restorable = 0 WHERE id IN (
         SELECT id FROM checkpoints WHERE cluster_id = ? AND restorable = 1 AND timestamp < ?
         ORDER BY timestamp LIMIT ?)`,
    ),
    /** The oldest checkpoints, seq lo .. lo + limit - 1, that are before a time: a prefix of the ranks. */
    pruneOldest: db.prepare<[string, number, number, string]>(
      'DELETE FROM checkpoints WHERE cluster_id = ? AND seq >= ? AND seq < ? AND timestamp < ?',
    ),
    revokeToken: db.prepare<[string, number]>('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)'),
    forgetExpiredRevocations: db.prepare<[number]>('DELETE FROM revoked_tokens WHERE expires_at <= ?'),
    isTokenRevoked: db.prepare<[string]>('SELECT 1 FROM revoked_tokens WHERE jti = ?').pluck(),
    claimNonceLease: db.prepare<[string, string, number]>(
      'INSERT INTO digest_nonce_leases (nonce, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    nonceLeaseOwner: db.prepare<[string], string>('SELECT owner FROM digest_nonce_leases WHERE nonce = ?').pluck(),
    forgetExpiredNonceLeases: db.prepare<[number]>('DELETE FROM digest_nonce_leases WHERE expires_at <= ?'),
    writeProbe: db.prepare<[number]>(
      'INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at',
    ),
    /** Changes whenever another connection commits to the file (never for this connection's own writes). */
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  }
}

/** The statements that read or write a whole store (`waymark copy`), apart from the hot paths. */
function prepareWholeStoreStatements(db: Database.Database) {
  return {
    listOrganizations: db.prepare<[], Organization>('SELECT id, name FROM organizations ORDER BY id'),
    listProjects: db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY id'),
    listClusters: db.prepare<[], ClusterRow>('SELECT * FROM clusters ORDER BY id'),
    listApiKeys: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY public_key'),
    listServiceAccounts: db.prepare<[], ServiceAccountRow>('SELECT * FROM service_accounts ORDER BY client_id'),
    listSecrets: db.prepare<[], NamedSecret>('SELECT name, value FROM secrets ORDER BY name'),
    putSecret: db.prepare<[string, string]>(
      'INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    listRevokedTokens: db.prepare<[number], { jti: string; expires_at: number }>(
      'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ? ORDER BY jti',
    ),
    /** The seq of a checkpoint still at that place in that cluster. */
    seqAt: db.prepare<[string, string, string], number>(
      'SELECT seq FROM checkpoints WHERE id = ? AND cluster_id = ? AND timestamp = ?',
    ).pluck(),
    oldestSeq: db.prepare<[string], number>(
      'SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq ASC LIMIT 1',
    ).pluck(),
    firstFromOldest: db.prepare<[string, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? ORDER BY seq ASC LIMIT ?`,
    ),
    afterSeq: db.prepare<[string, number, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
    ),
    /** After a key that is not stored at its place: a scan of the cluster in seq order from its oldest. */
    afterKey: db.prepare<{ clusterId: string; timestamp: string; id: string; limit: number }, CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = @clusterId
         AND (timestamp > @timestamp OR (timestamp = @timestamp AND id > @id))
       ORDER BY seq ASC LIMIT @limit`,
    ),
    countUpToKey: db.prepare<{ clusterId: string; timestamp: string; id: string }, number>(
      `SELECT count(*) FROM checkpoints WHERE cluster_id = @clusterId
         AND (timestamp < @timestamp OR (timestamp = @timestamp AND id <= @id))`,
    ).pluck(),
  }
}

/** The statements of the admin API's deletes. */
function prepareAdminStatements(db: Database.Database) {
  return {
    projectsOfOrg: db.prepare<[string], string>('SELECT id FROM projects WHERE org_id = ?').pluck(),
    clustersOfProject: db.prepare<[string], string>('SELECT id FROM clusters WHERE group_id = ?').pluck(),
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
    findCheckpoint: db.prepare<[string], CheckpointRow>(`${SELECT_CHECKPOINT} WHERE id = ?`),
    seqOf: db.prepare<[string, string], number>('SELECT seq FROM checkpoints WHERE id = ? AND cluster_id = ?').pluck(),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM checkpoints WHERE id = ?'),
    raiseBelow: db.prepare<[string, number]>('UPDATE checkpoints SET seq = seq + 1 WHERE cluster_id = ? AND seq < ?'),
    lowerAbove: db.prepare<[string, number]>('UPDATE checkpoints SET seq = seq - 1 WHERE cluster_id = ? AND seq > ?'),
    deleteApiKey: db.prepare<[string]>('DELETE FROM api_keys WHERE public_key = ?'),
    deleteServiceAccount: db.prepare<[string]>('DELETE FROM service_accounts WHERE client_id = ?'),
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

const NO_RECORDS: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

const NOTHING_DELETED: DeleteSummary = {
  organizations: 0,
  projects: 0,
  clusters: 0,
  checkpoints: 0,
  apiKeys: 0,
  serviceAccounts: 0,
}

type Counts = { -readonly [K in keyof DeleteSummary]: number }

/**
 * The SQLite engine (better-sqlite3). Calls are synchronous underneath and wrapped as async to fit
 * {@link Store}. Several processes may share one file: WAL journal, a 5 s busy timeout.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite'
  private readonly stmt: ReturnType<typeof prepareStatements>
  private readonly admin: ReturnType<typeof prepareAdminStatements>
  private readonly applyTransaction: Database.Transaction<(data: DataSet) => ApplySummary>
  private readonly noncePrune = new PruneSchedule()
  /** Where this store's writes wait while `applyInBatches` writes on a connection of its own. */
  private readonly gate = new WriteGate()
  private readonly whole: ReturnType<typeof prepareWholeStoreStatements>
  private readonly checkpointsAfterTransaction: Database.Transaction<
    (clusterId: string, after: CheckpointKey | undefined, limit: number) => CheckpointRow[]
  >
  private readonly pruneTransaction: Database.Transaction<(clusterId: string, before: string, limit: number) => number>
  private lastDataVersion: number | undefined
  private readonly leaseClaims: TurnBatch<LeaseClaim, boolean>
  private readonly timeline: SqliteTimeline
  private readonly snapshots: SqliteSnapshots
  private readonly restoreJobs: SqliteRestoreJobs

  private constructor(
    private readonly db: Database.Database,
    readonly migration: SchemaMigration,
    private readonly writes: WriteHealth,
    private readonly path: string,
    private readonly clock: StoreClock,
  ) {
    this.stmt = prepareStatements(db)
    this.admin = prepareAdminStatements(db)
    this.applyTransaction = db.transaction((data: DataSet) => this.applySync(data))
    this.whole = prepareWholeStoreStatements(db)
    this.timeline = new SqliteTimeline(db)
    this.snapshots = new SqliteSnapshots(db)
    this.restoreJobs = new SqliteRestoreJobs(db)
    this.checkpointsAfterTransaction = db.transaction((clusterId, after, limit) =>
      this.checkpointsAfterSync(clusterId, after, limit),
    )
    const claimTransaction = db.transaction((claims: readonly LeaseClaim[]) => this.claimLeasesSync(claims))
    this.leaseClaims = new TurnBatch((claims) => (claims.length === 1 ? this.claimLeasesSync(claims) : claimTransaction.immediate(claims)))
    this.pruneTransaction = db.transaction((clusterId: string, before: string, limit: number) => {
      const { lo } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null }
      return lo === null ? 0 : this.stmt.pruneOldest.run(clusterId, lo, lo + limit, before).changes
    })
  }

  /**
   * Opens (creating if needed, with its parent directory) the database at `path`, or an in-memory one for
   * ':memory:', and migrates it. Throws when the file was written by a newer Waymark. With `migrate: false`
   * nothing is created or migrated: the file must exist at this build's schema version.
   */
  static open(path: string, options: SqliteOpenOptions = {}): SqliteStore {
    const migrating = options.migrate ?? true
    if (!migrating && !isMemory(path) && !existsSync(path)) throw olderSchemaError(0, LATEST_SCHEMA_VERSION)
    if (migrating && !isMemory(path)) mkdirSync(dirname(resolve(path)), { recursive: true })
    const size = isMemory(path) ? 0 : fileSize(path)
    const db = new Database(path)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
      db.pragma('foreign_keys = ON')
      // A damaged file is refused before anything is written to it (a small one whole, here).
      const problem = size > 0 && size <= SYNC_CHECK_MAX_BYTES ? quickCheck(db) : undefined
      if (problem !== undefined) throw new DamagedStoreError(path, problem)
      const migration = migrating ? migrate(db) : checkSchemaVersion(db)
      // Every method then fails with StoreUnavailableError when the file is locked past the busy timeout,
      // cannot be opened, is damaged, or its disk is full or failing (which also marks writes failing).
      const writes = new WriteHealth()
      const store = new SqliteStore(db, migration, writes, path, options.clock ?? Date.now)
      if (size > SYNC_CHECK_MAX_BYTES && options.checkLargeFileInBackground) {
        store.background = checkInBackground(path, (found) => (store.damage = found))
      }
      return withUnavailableErrors(store, sqliteUnavailableKind, writes)
    } catch (error) {
      db.close()
      if (error instanceof DamagedStoreError) throw error
      if (sqliteUnavailableKind(error) === 'damaged') throw new DamagedStoreError(path, (error as Error).message)
      throw isSqliteUnavailable(error) ? new StoreUnavailableError(error) : error
    }
  }

  /** The background integrity check of a large file (see sqlite-integrity.ts), while it runs. */
  private background: { stop(): void } | undefined
  /** What the background check found wrong with the file: from then on, readiness fails. */
  private damage: string | undefined

  /**
   * Whether another connection (another process, or another store on the same file) committed a write
   * since the last call: `PRAGMA data_version`, a read of the shared WAL index, a few microseconds.
   */
  changedElsewhere(): boolean {
    const version = this.stmt.dataVersion.get()
    if (version === this.lastDataVersion) return false
    this.lastDataVersion = version
    return true
  }

  async getOrganization(id: ObjectIdHex): Promise<Organization | undefined> {
    const row = this.stmt.getOrganization.get(id)
    return row && { id: row.id, name: row.name }
  }

  async getProject(id: ObjectIdHex): Promise<Project | undefined> {
    const row = this.stmt.getProject.get(id)
    return row && projectFromRow(row)
  }

  async listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]> {
    return this.stmt.projectsOfOrganization.all(orgId).map(projectFromRow)
  }

  async listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]> {
    return this.stmt.clustersOfProject.all(groupId).map(clusterFromRow)
  }

  async getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    const row = this.stmt.getClusterById.get(clusterId, groupId)
    return row && clusterFromRow(row)
  }

  async getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined> {
    const row = this.stmt.getClusterByName.get(groupId, name)
    return row && clusterFromRow(row)
  }

  async pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    const { offset, limit } = page
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Invalid page offset ${offset}`)
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid page limit ${limit}`)
    const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
    if (lo === null || hi === null) return { items: [], totalCount: 0 }
    const totalCount = hi - lo + 1
    if (offset >= totalCount) return { items: [], totalCount }
    const top = hi - offset
    const rows = this.stmt.pageBySeq.all(clusterId, top, top - limit)
    return { items: rows.map(checkpointFromRow), totalCount }
  }

  async getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const row = this.stmt.getCheckpoint.get(checkpointId, clusterId)
    return row && checkpointFromRow(row)
  }

  async getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    const row = this.stmt.getApiKey.get(publicKey)
    return row && apiKeyFromRow(row)
  }

  async getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    const row = this.stmt.getServiceAccount.get(clientId)
    return row && serviceAccountFromRow(row)
  }

  async revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    await this.gate.pass()
    this.stmt.forgetExpiredRevocations.run(Math.floor(this.clock() / 1000))
    this.stmt.revokeToken.run(jti, expiresAtSeconds)
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    return this.stmt.isTokenRevoked.get(jti) !== undefined
  }

  async claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    if (this.gate.held) await this.gate.pass()
    return this.leaseClaims.add({ nonce, owner, expiresAt: Math.floor(expiresAtSeconds) })
  }

  /**
   * The lease claims of one event-loop turn in one immediate transaction: one commit instead of one per
   * request. Each is stored before its request is answered, so another process sharing the file finds
   * the nonce leased at once. A nonce already leased answers whether `owner` is the one holding it (a
   * claim retried after an error whose insert had committed finds its own row).
   */
  private claimLeasesSync(claims: readonly LeaseClaim[]): boolean[] {
    const nowSeconds = Math.floor(this.clock() / 1000)
    if (this.noncePrune.due(nowSeconds)) this.stmt.forgetExpiredNonceLeases.run(nowSeconds)
    return claims.map(
      (claim) =>
        this.stmt.claimNonceLease.run(claim.nonce, claim.owner, claim.expiresAt).changes === 1 ||
        this.stmt.nonceLeaseOwner.get(claim.nonce) === claim.owner,
    )
  }

  async apply(data: DataSet): Promise<ApplySummary> {
    await this.gate.pass()
    return this.applyTransaction.immediate(data)
  }

  /**
   * One transaction on a connection of its own (a file store), so that this store's reads see only what
   * is committed meanwhile; between batches the event loop is free, and this store's other writes wait
   * at the gate instead of in SQLite's busy handler. Checkpoints given in (timestamp, id) order after a
   * cluster's newest are numbered on, batch by batch; others renumber the cluster from the first place
   * they change, per batch.
   */
  async applyInBatches(data: DataSet, checkpointBatches: AsyncIterable<readonly Checkpoint[]>): Promise<ApplySummary> {
    return this.gate.hold(async () => {
      const own = isMemory(this.path) ? undefined : new Database(this.path)
      const db = own ?? this.db
      try {
        if (own) {
          own.pragma('busy_timeout = 5000')
          own.pragma('foreign_keys = ON')
          // The commit must not copy the log into the file on the event loop: a worker does it after.
          own.pragma('wal_autocheckpoint = 0')
        }
        const writer = own ? new SqliteStore(own, this.migration, this.writes, this.path, this.clock) : this
        db.exec('BEGIN IMMEDIATE')
        try {
          const summary = writer.applySync({ ...data, apiKeys: [], serviceAccounts: [] })
          let streamed = 0
          for await (const batch of checkpointBatches) {
            streamed += writer.applyCheckpoints(lastById(batch, (c) => c.id))
            await new Promise((resolve) => setImmediate(resolve))
          }
          const credentials = writer.applySync({ ...NO_RECORDS, apiKeys: data.apiKeys, serviceAccounts: data.serviceAccounts })
          db.exec('COMMIT')
          if (own) await checkpointInWorker(this.path)
          return { ...summary, checkpoints: summary.checkpoints + streamed, apiKeys: credentials.apiKeys, serviceAccounts: credentials.serviceAccounts }
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw error
        }
      } finally {
        own?.close()
      }
    })
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const existing = this.stmt.getSecret.get(name)
    if (existing) return existing.value
    this.stmt.insertSecret.run(name, create())
    const row = this.stmt.getSecret.get(name)
    if (!row) throw new Error(`Secret ${name} could not be stored`)
    return row.value
  }

  async ping(): Promise<void> {
    if (this.damage !== undefined) throw Object.assign(new Error(`database disk image is malformed: ${this.damage}`), { code: 'SQLITE_CORRUPT' })
    this.db.prepare('SELECT 1').pluck().get()
  }

  async checkWritable(): Promise<boolean> {
    if (!this.writes.failing) return true
    if (!this.writes.probeDue(Date.now())) return false
    await this.gate.pass()
    try {
      this.stmt.writeProbe.run(Date.now())
    } catch (error) {
      if (sqliteUnavailableKind(error) === 'storage') return false
      throw error
    }
    this.writes.recovered()
    return true
  }

  async close(): Promise<void> {
    this.background?.stop()
    if (this.db.open) this.db.close()
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.whole.listOrganizations.all().map((row) => ({ id: row.id, name: row.name }))
  }

  async listProjects(): Promise<Project[]> {
    return this.whole.listProjects.all().map(projectFromRow)
  }

  async listClusters(): Promise<Cluster[]> {
    return this.whole.listClusters.all().map(clusterFromRow)
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return this.whole.listApiKeys.all().map(apiKeyFromRow)
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    return this.whole.listServiceAccounts.all().map(serviceAccountFromRow)
  }

  async listSecrets(): Promise<NamedSecret[]> {
    return this.whole.listSecrets.all().map((row) => ({ name: row.name, value: row.value }))
  }

  async putSecret(name: string, value: string): Promise<void> {
    await this.gate.pass()
    this.whole.putSecret.run(name, value)
  }

  async listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    return this.whole.listRevokedTokens
      .all(nowSeconds)
      .map((row) => ({ jti: row.jti, expiresAtSeconds: row.expires_at }))
  }

  async checkpointsAfter(
    clusterId: ObjectIdHex,
    after: CheckpointKey | undefined,
    limit: number,
  ): Promise<Checkpoint[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
    return this.checkpointsAfterTransaction.deferred(clusterId, after, limit).map(checkpointFromRow)
  }

  async countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    const seq = this.whole.seqAt.get(key.id, clusterId, key.timestamp)
    const oldest = this.whole.oldestSeq.get(clusterId)
    // Seqs are a dense rank of (timestamp, id): a stored key's count is its distance from the oldest.
    if (seq !== undefined && oldest !== undefined) return seq - oldest + 1
    return this.whole.countUpToKey.get({ clusterId, timestamp: key.timestamp, id: key.id }) ?? 0
  }

  /**
   * Checkpoints after a key, by seq when the key is stored at its place (an index range), otherwise by
   * comparing keys (a scan from the cluster's oldest, only until the first `limit` after the key).
   */
  private checkpointsAfterSync(clusterId: string, after: CheckpointKey | undefined, limit: number): CheckpointRow[] {
    if (after === undefined) return this.whole.firstFromOldest.all(clusterId, limit)
    const seq = this.whole.seqAt.get(after.id, clusterId, after.timestamp)
    if (seq !== undefined) return this.whole.afterSeq.all(clusterId, seq, limit)
    return this.whole.afterKey.all({ clusterId, timestamp: after.timestamp, id: after.id, limit })
  }

  async findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    const row = this.stmt.findCluster.get(clusterId)
    return row && clusterFromRow(row)
  }

  async listScheduledClusters(): Promise<Cluster[]> {
    return this.stmt.listScheduledClusters.all().map(clusterFromRow)
  }

  async tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
    return this.timeline.tally(clusterId, boundaries)
  }

  async checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds> {
    return this.timeline.bounds(clusterId)
  }

  async checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]> {
    return this.timeline.between(clusterId, from, to, limit)
  }

  async expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.stmt.expireCheckpoints.run(clusterId, before, limit).changes
  }

  async pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.pruneTransaction.immediate(clusterId, before, limit)
  }

  private applySync(data: DataSet): ApplySummary {
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
    const checkpoints = this.applyCheckpoints(lastById(data.checkpoints, (c) => c.id))
    const apiKeys = lastById(data.apiKeys, (k) => k.publicKey)
    for (const k of apiKeys) {
      s.upsertApiKey.run(k.publicKey, k.orgId, k.description, k.digestHa1, rolesToJson(k.roles), JSON.stringify(k.accessList), k.createdAt)
    }
    const serviceAccounts = lastById(data.serviceAccounts, (a) => a.clientId)
    for (const a of serviceAccounts) {
      s.upsertServiceAccount.run(
        a.clientId,
        a.uid,
        a.orgId,
        a.name,
        a.description,
        rolesToJson(a.roles),
        JSON.stringify(a.secrets),
        JSON.stringify(a.accessList),
        a.createdAt,
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
   * Writes checkpoints and keeps each cluster's seq a dense rank of (timestamp, id).
   *
   * Only the places from the smallest changed (timestamp, id) of a cluster onwards can move, so each
   * affected cluster is renumbered from there (one UPDATE with row_number()); everything before keeps its
   * seq. Checkpoints that all come after a cluster's newest are simply numbered on from its max.
   */
  private applyCheckpoints(checkpoints: readonly Checkpoint[]): number {
    const places = new Map(
      this.stmt.placesOf.all(JSON.stringify(checkpoints.map((cp) => cp.id))).map((row) => [row.id, row]),
    )
    const { plans, seqOf } = planRanks(checkpoints, places)

    const renumber: Array<{ clusterId: string; after: number }> = []
    for (const [clusterId, plan] of plans) {
      const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
      const first = firstChanged(plan)
      if (!first) continue
      const after = lo === null || hi === null ? 0 : this.lastSeqBefore(clusterId, first, lo, hi)
      if (numberEntering(plan, after, hi, seqOf)) renumber.push({ clusterId, after })
    }

    for (const cp of checkpoints) {
      this.stmt.upsertCheckpoint.run(
        cp.id,
        cp.clusterId,
        cp.groupId,
        seqOf.get(cp.id) ?? 0,
        cp.timestamp,
        cp.started,
        cp.completed ?? null,
        cp.restorable ? 1 : 0,
        partsToJson(cp.parts),
      )
    }
    for (const { clusterId, after } of renumber) {
      this.stmt.renumberAfter.run({ clusterId, after, base: after === BEFORE_ALL ? 0 : after })
    }
    return checkpoints.length
  }

  /**
   * The seq of the cluster's last checkpoint ordered before `key`, by binary search over the dense seqs
   * lo..hi (a point lookup on the index per step); lo - 1 when none is. Should the seqs not be dense
   * after all, {@link BEFORE_ALL}, so that the whole cluster is renumbered.
   */
  private lastSeqBefore(clusterId: string, key: OrderKey, lo: number, hi: number): number {
    const keyAt = (seq: number) => this.stmt.keyAtSeq.get(clusterId, seq)
    const newest = keyAt(hi)
    if (!newest) return BEFORE_ALL
    if (compareKeys(newest, key) < 0) return hi
    let below = lo - 1
    let above = hi
    while (above - below > 1) {
      const mid = Math.floor((below + above) / 2)
      const k = keyAt(mid)
      if (!k) return BEFORE_ALL
      if (compareKeys(k, key) < 0) below = mid
      else above = mid
    }
    return below
  }

  // --- Deletes, for the admin API ---

  async findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const row = this.admin.findCheckpoint.get(checkpointId)
    return row && checkpointFromRow(row)
  }

  async deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting((counts) => {
      for (const projectId of this.admin.projectsOfOrg.all(id)) this.deleteProjectSync(projectId, counts)
      counts.apiKeys += this.admin.deleteKeysOf.run(id).changes
      counts.serviceAccounts += this.admin.deleteAccountsOf.run(id).changes
      counts.organizations += this.admin.deleteOrganization.run(id).changes
    })
  }

  async deleteProject(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting((counts) => this.deleteProjectSync(id, counts))
  }

  async deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    return this.deleting((counts) => {
      if (this.stmt.getClusterById.get(clusterId, groupId)) this.deleteClusterSync(groupId, clusterId, counts)
    })
  }

  async deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    await this.gate.pass()
    const remove = this.db.transaction((): boolean => {
      const seq = this.admin.seqOf.get(checkpointId, clusterId)
      if (seq === undefined) return false
      const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
      this.admin.deleteCheckpoint.run(checkpointId)
      if (lo !== null && hi !== null) {
        if (seq - lo <= hi - seq) this.admin.raiseBelow.run(clusterId, seq)
        else this.admin.lowerAbove.run(clusterId, seq)
      }
      return true
    })
    return remove.immediate()
  }

  async deleteApiKey(publicKey: string): Promise<boolean> {
    await this.gate.pass()
    return this.admin.deleteApiKey.run(publicKey).changes === 1
  }

  async deleteServiceAccount(clientId: string): Promise<boolean> {
    await this.gate.pass()
    return this.admin.deleteServiceAccount.run(clientId).changes === 1
  }

  async reset(): Promise<DeleteSummary> {
    return this.deleting((counts) => {
      const [checkpoints, clusters, apiKeys, serviceAccounts, projects, organizations] = this.admin.resetAll.map(
        (statement) => statement.run().changes,
      )
      Object.assign(counts, { checkpoints, clusters, apiKeys, serviceAccounts, projects, organizations })
      this.snapshots.deleteAll()
      this.restoreJobs.deleteAll()
    })
  }

  /** Runs `remove` in one immediate transaction and answers what it counted. */
  // --- Legacy backup snapshots (sqlite-snapshots.ts) ---

  async putSnapshots(snapshots: readonly Snapshot[]): Promise<number> {
    await this.gate.pass()
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
    await this.gate.pass()
    return this.snapshots.delete(clusterId, snapshotId)
  }
  async deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.snapshots.deleteExpired(now, limit)
  }
  async nextSnapshotExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    return this.snapshots.nextExpiry(now)
  }
  async getSnapshotSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    return this.snapshots.getSettings(clusterId)
  }
  async putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    await this.gate.pass()
    this.snapshots.putSettings(clusterId, settings)
  }

  // --- Legacy backup restore jobs (sqlite-restore-jobs.ts) ---

  async putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number> {
    await this.gate.pass()
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
    await this.gate.pass()
    return this.restoreJobs.countDownload(jobId, hash, maxDownloads)
  }
  async endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    await this.gate.pass()
    return this.restoreJobs.end(jobId, status, at)
  }

  private async deleting(remove: (counts: Counts) => void): Promise<DeleteSummary> {
    await this.gate.pass()
    const counts: Counts = { ...NOTHING_DELETED }
    this.db.transaction(() => remove(counts)).immediate()
    return counts
  }

  private deleteProjectSync(id: string, counts: Counts): void {
    for (const clusterId of this.admin.clustersOfProject.all(id)) this.deleteClusterSync(id, clusterId, counts)
    const pattern = rolesOnGroupPattern(id)
    for (const row of this.admin.keysWithRolesOn.all(pattern)) {
      const roles = rolesJsonWithoutGroup(row.roles, id)
      if (roles !== undefined) this.admin.setKeyRoles.run(roles, row.id)
    }
    for (const row of this.admin.accountsWithRolesOn.all(pattern)) {
      const roles = rolesJsonWithoutGroup(row.roles, id)
      if (roles !== undefined) this.admin.setAccountRoles.run(roles, row.id)
    }
    counts.projects += this.admin.deleteProject.run(id).changes
  }

  private deleteClusterSync(groupId: string, clusterId: string, counts: Counts): void {
    if (this.stmt.getClusterById.get(clusterId, groupId)) {
      this.snapshots.deleteOfCluster(clusterId)
      this.restoreJobs.deleteOfCluster(clusterId)
    }
    counts.checkpoints += this.admin.deleteCheckpointsOf.run(clusterId).changes
    counts.clusters += this.admin.deleteCluster.run(clusterId, groupId).changes
  }
}

