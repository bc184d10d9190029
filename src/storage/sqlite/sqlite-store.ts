import Database from 'better-sqlite3'
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
import { EMPTY_DATA_SET, type DataSet } from '../../domain/data-set.js'
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
import { lastById } from '../rank-plan.js'
import { withUnavailableErrors, WriteHealth } from '../store-errors.js'
import { checkLimit, SqliteCheckpoints } from './sqlite-checkpoints.js'
import { SqliteCredentials } from './sqlite-credentials.js'
import { SqliteDeletes } from './sqlite-deletes.js'
import { sqliteUnavailableKind } from './sqlite-errors.js'
import { checkInBackground, checkpointInWorker, SYNC_CHECK_MAX_BYTES } from './sqlite-integrity.js'
import { isMemory, openDatabase, type SqliteOpenOptions } from './sqlite-connection.js'
import { SqliteNonces } from './sqlite-nonces.js'
import { SqliteRecords } from './sqlite-records.js'
import { SqliteWriter } from './sqlite-writer.js'
import { SqliteTimeline } from './sqlite-timeline.js'
import { SqliteLegacyBackupStore } from './sqlite-legacy-backup-store.js'

/**
 * The SQLite engine (better-sqlite3). Calls are synchronous underneath and wrapped as async to fit
 * {@link Store}. Several processes may share one file: WAL journal, a 5 s busy timeout.
 *
 * This class opens the file and composes the engine's slots, one per concern (see docs/architecture.md,
 * "Storage engines: the file set"): records, checkpoints, credentials, nonces, timeline, deletes; each
 * method below hands its call to one of them, after the write gate where it writes.
 */
export class SqliteStore extends SqliteLegacyBackupStore implements Store {
  readonly engine = 'sqlite'
  private readonly records: SqliteRecords
  private readonly checkpoints: SqliteCheckpoints
  private readonly credentials: SqliteCredentials
  private readonly nonces: SqliteNonces
  private readonly timeline: SqliteTimeline
  private readonly deletes: SqliteDeletes
  private readonly writer: SqliteWriter
  private readonly applyTransaction: Database.Transaction<(data: DataSet) => ApplySummary>
  private readonly dataVersion: Database.Statement<[], number>
  private readonly writeProbe: Database.Statement<[number]>
  private lastDataVersion: number | undefined

  private constructor(
    private readonly db: Database.Database,
    readonly migration: SchemaMigration,
    private readonly writes: WriteHealth,
    private readonly path: string,
    private readonly clock: StoreClock,
  ) {
    super(db)
    this.records = new SqliteRecords(db)
    this.checkpoints = new SqliteCheckpoints(db)
    this.credentials = new SqliteCredentials(db)
    this.nonces = new SqliteNonces(db, clock)
    this.timeline = new SqliteTimeline(db)
    this.deletes = new SqliteDeletes(db, [this.snapshots, this.restoreJobs])
    this.writer = new SqliteWriter(db, { records: this.records, checkpoints: this.checkpoints, credentials: this.credentials, snapshots: this.snapshots, restoreJobs: this.restoreJobs })
    this.applyTransaction = db.transaction((data: DataSet) => this.writer.writeSync(data))
    /** Changes whenever another connection commits to the file (never for this connection's own writes). */
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
    this.writeProbe = db.prepare<[number]>(
      'INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at',
    )
  }

  /**
   * Opens (creating if needed, with its parent directory) the database at `path`, or an in-memory one for
   * ':memory:', and migrates it. Throws when the file was written by a newer Waymark. With `migrate: false`
   * nothing is created or migrated: the file must exist at this build's schema version.
   */
  static open(path: string, options: SqliteOpenOptions = {}): SqliteStore {
    const { db, migration, size } = openDatabase(path, options.migrate ?? true)
    try {
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
      throw error
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
    const version = this.dataVersion.get()
    if (version === this.lastDataVersion) return false
    this.lastDataVersion = version
    return true
  }

  // --- Records ---

  async getOrganization(id: ObjectIdHex): Promise<Organization | undefined> {
    return this.records.getOrganization(id)
  }

  async getProject(id: ObjectIdHex): Promise<Project | undefined> {
    return this.records.getProject(id)
  }

  async listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]> {
    return this.records.listProjectsOfOrganization(orgId)
  }

  async listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]> {
    return this.records.listClustersOfProject(groupId)
  }

  async getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.records.getClusterById(groupId, clusterId)
  }

  async getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined> {
    return this.records.getClusterByName(groupId, name)
  }

  async findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.records.findCluster(clusterId)
  }

  async listScheduledClusters(): Promise<Cluster[]> {
    return this.records.listScheduledClusters()
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.records.listOrganizations()
  }

  async listProjects(): Promise<Project[]> {
    return this.records.listProjects()
  }

  async listClusters(): Promise<Cluster[]> {
    return this.records.listClusters()
  }

  // --- Checkpoints and paging ---

  async pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    return this.checkpoints.page(clusterId, page)
  }

  async getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.checkpoints.get(clusterId, checkpointId)
  }

  async findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.checkpoints.find(checkpointId)
  }

  async checkpointsAfter(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Promise<Checkpoint[]> {
    return this.checkpoints.after(clusterId, after, limit)
  }

  async countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    return this.checkpoints.countUpTo(clusterId, key)
  }

  async expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.checkpoints.expire(clusterId, before, limit)
  }

  async pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    await this.gate.pass()
    return this.checkpoints.prune(clusterId, before, limit)
  }

  async deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    await this.gate.pass()
    return this.checkpoints.delete(clusterId, checkpointId)
  }

  // --- The timeline ---

  async tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
    return this.timeline.tally(clusterId, boundaries)
  }

  async checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds> {
    return this.timeline.bounds(clusterId)
  }

  async checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]> {
    return this.timeline.between(clusterId, from, to, limit)
  }

  // --- Credentials and tokens ---

  async getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    return this.credentials.getApiKey(publicKey)
  }

  async getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    return this.credentials.getServiceAccount(clientId)
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return this.credentials.listApiKeys()
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    return this.credentials.listServiceAccounts()
  }

  async deleteApiKey(publicKey: string): Promise<boolean> {
    await this.gate.pass()
    return this.credentials.deleteApiKey(publicKey)
  }

  async deleteServiceAccount(clientId: string): Promise<boolean> {
    await this.gate.pass()
    return this.credentials.deleteServiceAccount(clientId)
  }

  async revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    await this.gate.pass()
    this.credentials.revokeToken(jti, expiresAtSeconds, Math.floor(this.clock() / 1000))
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    return this.credentials.isTokenRevoked(jti)
  }

  async listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    return this.credentials.listRevokedTokens(nowSeconds)
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.credentials.getOrCreateSecret(name, create)
  }

  async listSecrets(): Promise<NamedSecret[]> {
    return this.credentials.listSecrets()
  }

  async putSecret(name: string, value: string): Promise<void> {
    await this.gate.pass()
    this.credentials.putSecret(name, value)
  }

  // --- Nonces ---

  async claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    if (this.gate.held) await this.gate.pass()
    return this.nonces.claim(nonce, owner, expiresAtSeconds)
  }

  // --- Writing data sets ---

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
        const writer = own ? new SqliteWriter(own) : this.writer
        db.exec('BEGIN IMMEDIATE')
        try {
          const summary = writer.writeSync({ ...data, apiKeys: [], serviceAccounts: [] })
          let streamed = 0
          for await (const batch of checkpointBatches) {
            streamed += writer.checkpoints.writeSync(lastById(batch, (c) => c.id))
            await new Promise((resolve) => setImmediate(resolve))
          }
          const credentials = writer.writeSync({ ...EMPTY_DATA_SET, apiKeys: data.apiKeys, serviceAccounts: data.serviceAccounts })
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

  // --- Deletes, for the admin API ---

  async deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary> {
    await this.gate.pass()
    return this.deletes.organization(id)
  }

  async deleteProject(id: ObjectIdHex): Promise<DeleteSummary> {
    await this.gate.pass()
    return this.deletes.project(id)
  }

  async deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    await this.gate.pass()
    return this.deletes.cluster(groupId, clusterId)
  }

  async reset(): Promise<DeleteSummary> {
    await this.gate.pass()
    return this.deletes.reset()
  }

  // --- Health and lifecycle ---

  async ping(): Promise<void> {
    if (this.damage !== undefined) throw Object.assign(new Error(`database disk image is malformed: ${this.damage}`), { code: 'SQLITE_CORRUPT' })
    this.db.prepare('SELECT 1').pluck().get()
  }

  async checkWritable(): Promise<boolean> {
    if (!this.writes.failing) return true
    if (!this.writes.probeDue(Date.now())) return false
    await this.gate.pass()
    try {
      this.writeProbe.run(Date.now())
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

}
