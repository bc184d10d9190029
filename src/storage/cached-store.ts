import { BoundedMap, type Bounds } from '../memory/bounded-map.js'
import type { ApiKey, Checkpoint, Cluster, IsoSeconds, ObjectIdHex, Organization, Project, ServiceAccount } from '../domain/types.js'
import type { DataSet } from '../domain/data-set.js'
import type {
  ApplySummary,
  CheckpointPage,
  DeleteSummary,
  PageRequest,
  SchemaMigration,
  Store,
} from './store.js'
import { ListCache } from './list-cache.js'
import { PassThroughStore } from './pass-through-store.js'
import type { Snapshot, SnapshotSettings } from '../domain/legacy-backup/snapshot-types.js'
import type { ForcedEnd, RestoreJob } from '../domain/legacy-backup/restore-types.js'

/**
 * Something that tells a cache when another connection committed a write (PostgreSQL's LISTEN/NOTIFY, see
 * postgres/postgres-change-listener.ts), and whether it can be relied on right now.
 */
export interface ChangeSignal {
  /**
   * Whether every write committed elsewhere is being delivered to the subscribers (the listening
   * connection is up and its heartbeat answers). While not, nothing may be read from or kept in a cache.
   */
  trusted(): boolean
  /**
   * Calls `onChange` when another connection committed a write, and when the signal stops or starts
   * being trusted (notifications may have been missed meanwhile); answers how to unsubscribe.
   */
  subscribe(onChange: () => void): () => void
}

/**
 * How a cache learns of writes made by other connections to the same database (another process, or
 * another store object in this one).
 * - `exact`: `changedElsewhere()` answers, cheaply and synchronously, whether anyone else committed
 *   since it was last asked (SQLite's `PRAGMA data_version`). Checked at most once per event-loop turn:
 *   every request read in a turn arrived before the check, so it sees every write committed before it.
 *   Everything may be cached, checkpoints, pages and revocations included: nothing is ever stale.
 * - `notified`: `signal` calls back when someone else committed (PostgreSQL's NOTIFY, delivered within
 *   milliseconds of the commit): everything is cached as with `exact`, but a change made elsewhere is
 *   seen once its notification arrived, not at the very next request. While the signal is not trusted
 *   (its connection lost, its heartbeat late), every read goes to the database and nothing is kept. What
 *   was read is also dropped after `ttlMs` whatever the signal says: a bound for writes that send no
 *   notification (made with psql, not through Waymark) and for a listener that fails silently before its
 *   heartbeat notices.
 * Nonce leases are never cached (they are writes).
 */
export type Freshness =
  | { readonly kind: 'exact'; changedElsewhere(): boolean }
  | { readonly kind: 'notified'; readonly signal: ChangeSignal; readonly ttlMs: number; readonly now?: () => number }

/**
 * Entries and bytes (keys included, records estimated by `approximateBytes`, within a few per cent of
 * V8's heap) per record kind before a cache starts over. Unknown keys are cached too, as "none", and a
 * key can be what a client sent (a Digest username, a cluster name in a path), so keys count.
 */
const RECORDS: Bounds = { maxEntries: 10_000, maxBytes: 4 * 1024 * 1024 }
/** Checkpoints: about 1 kB each with 3 shards, 15 kB with 60. */
const CHECKPOINTS: Bounds = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 }
/**
 * Pages of checkpoints: a page of 500 is about 0.5 MB of objects with 3 shards, 6.5 MB with 60 (not kept:
 * over a quarter of the bound). In all, one store's caches hold at most 7 × 4 + 16 + 16 = 60 MiB.
 */
const PAGES: Bounds = { maxEntries: 64, maxBytes: 16 * 1024 * 1024 }

/** The reads {@link CachedStore} may answer from memory. */
const CACHED_READS: ReadonlySet<string> = new Set<keyof Store>([
  'getOrganization',
  'getProject',
  'getClusterById',
  'getClusterByName',
  'getApiKey',
  'getServiceAccount',
  'isTokenRevoked',
  'getCheckpoint',
  'pageCheckpoints',
  'listProjectsOfOrganization',
  'listClustersOfProject',
])

/** The store with every read going to the database (see {@link CachedStore.freshReads}); any other store as it is. */
export function freshReads(store: Store): Store {
  return store instanceof CachedStore ? store.freshReads() : store
}

/**
 * Caches of the stores opened in this process, by store URL: a write through one invalidates all of
 * them at once (two store objects on one PostgreSQL schema in one process see each other's writes as
 * soon as they are made, as with no cache).
 */
const PEERS = new Map<string, Set<CachedStore>>()

/**
 * A {@link Store} that keeps the records every API request reads (API keys, service accounts, projects,
 * clusters, checkpoints, pages of checkpoints, token revocations) in memory.
 *
 * Every write through it (any method that is not a read) empties the caches, before and after it runs,
 * so a change made in this process is seen by the very next request. Changes made elsewhere are seen as
 * {@link Freshness} says. A generation counter keeps a read that was in flight during a write from
 * storing what it read before the write.
 *
 * Cached objects are shared between callers and must not be mutated (the domain's types are readonly).
 */
export class CachedStore extends PassThroughStore implements Store {
  readonly engine: string
  readonly migration: SchemaMigration
  readonly #freshness: Freshness
  readonly #peers: Set<CachedStore>
  readonly #unsubscribe: () => void
  #generation = 0
  #checkedThisTurn = false
  #ttlStart = 0
  readonly #resetTurn = (): void => {
    this.#checkedThisTurn = false
  }

  readonly #organizations = new BoundedMap<string, Organization | undefined>(RECORDS)
  readonly #projects = new BoundedMap<string, Project | undefined>(RECORDS)
  readonly #clustersById = new BoundedMap<string, Cluster | undefined>(RECORDS)
  readonly #clustersByName = new BoundedMap<string, Cluster | undefined>(RECORDS)
  readonly #apiKeys = new BoundedMap<string, ApiKey | undefined>(RECORDS)
  readonly #serviceAccounts = new BoundedMap<string, ServiceAccount | undefined>(RECORDS)
  readonly #revoked = new BoundedMap<string, boolean>(RECORDS)
  readonly #checkpoints = new BoundedMap<string, Checkpoint | undefined>(CHECKPOINTS)
  readonly #pages = new BoundedMap<string, CheckpointPage>(PAGES)
  /** The projects of an organization (`o:` and its id) and the clusters of a project (`g:` and its id). */
  readonly #lists = new ListCache()

  constructor(inner: Store, freshness: Freshness, location: string) {
    super(inner)
    this.engine = inner.engine
    this.migration = inner.migration
    this.#freshness = freshness
    let peers = PEERS.get(location)
    if (peers === undefined) PEERS.set(location, (peers = new Set()))
    peers.add(this)
    this.#peers = peers
    if (freshness.kind === 'notified') {
      this.#ttlStart = (freshness.now ?? Date.now)()
      this.#unsubscribe = freshness.signal.subscribe(() => this.#clear())
    } else {
      this.#unsubscribe = () => false
    }
  }

  /**
   * This store with its cached reads going to the database every time; writes still go through it (and
   * empty its caches). For the rare callers that must see the database itself: the OAuth token endpoint
   * (a token is issued only to an account the store holds, and not while it cannot be reached) and the
   * admin API (what it shows is what is stored).
   */
  freshReads(): Store {
    const inner = this.inner
    return new Proxy(this, {
      get: (target, property) => {
        const source = typeof property === 'string' && CACHED_READS.has(property) ? inner : target
        const value: unknown = Reflect.get(source, property, source)
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(source) : value
      },
    })
  }

  /**
   * A number that changes whenever anything this store answers from memory may have changed (any write
   * here; another connection's commit, as the freshness rule sees it; the TTL), so that what was made
   * from its reads can be kept alongside (the API's remembered answers, http/answer-cache.ts). Undefined
   * while the caches may not be used (a change signal not trusted): nothing may then be kept.
   */
  cacheVersion(): number | undefined {
    return this.#refresh() ? this.#generation : undefined
  }

  /** Empties every cache of this store (and of the other stores of this process on the same database). */
  invalidate(): void {
    for (const peer of this.#peers) peer.#clear()
  }

  #clear(): void {
    this.#generation++
    this.#organizations.clear()
    this.#projects.clear()
    this.#clustersById.clear()
    this.#clustersByName.clear()
    this.#apiKeys.clear()
    this.#serviceAccounts.clear()
    this.#revoked.clear()
    this.#checkpoints.clear()
    this.#pages.clear()
    this.#lists.clear()
  }

  /**
   * Drops what another connection may have changed, as the freshness rule says; before every cached read.
   * Answers whether the caches may be used at all (not while a change signal is not trusted).
   */
  #refresh(): boolean {
    const freshness = this.#freshness
    if (freshness.kind === 'exact') {
      if (this.#checkedThisTurn) return true
      const changed = freshness.changedElsewhere()
      this.#checkedThisTurn = true
      setImmediate(this.#resetTurn)
      if (changed) this.#clear()
      return true
    }
    // An untrusted signal has had the caches emptied when it stopped being trusted (it calls back then).
    if (!freshness.signal.trusted()) return false
    const now = (freshness.now ?? Date.now)()
    if (now - this.#ttlStart >= freshness.ttlMs || now < this.#ttlStart) {
      this.#clear()
      this.#ttlStart = now
    }
    return true
  }

  /**
   * A read through `cache`: a hit, or the inner store's answer, kept unless a write (or a change signal)
   * happened meanwhile; straight to the inner store while the caches may not be used.
   */
  async #read<V>(cache: BoundedMap<string, V>, key: string, load: () => Promise<V>): Promise<V> {
    if (!this.#refresh()) return load()
    const hit = cache.get(key)
    if (hit !== undefined || cache.has(key)) return hit as V
    const generation = this.#generation
    const value = await load()
    if (generation === this.#generation) cache.set(key, value)
    return value
  }

  /** A project or cluster list through the list cache (list-cache.ts), as {@link #read} does for records. */
  async #readList<T extends Project | Cluster>(key: string, load: () => Promise<T[]>): Promise<T[]> {
    if (!this.#refresh()) return load()
    const hit = this.#lists.get<T>(key)
    if (hit !== undefined) return hit
    const generation = this.#generation
    const list = await load()
    if (generation === this.#generation) this.#lists.set(key, list)
    return list
  }

  /** Runs a write with the caches emptied before (no read starts from them) and after (none is kept from during). */
  async #write<T>(run: () => Promise<T>): Promise<T> {
    this.invalidate()
    try {
      return await run()
    } finally {
      this.invalidate()
    }
  }

  // --- Cached reads ---

  getOrganization(id: ObjectIdHex): Promise<Organization | undefined> {
    return this.#read(this.#organizations, id, () => this.inner.getOrganization(id))
  }

  getProject(id: ObjectIdHex): Promise<Project | undefined> {
    return this.#read(this.#projects, id, () => this.inner.getProject(id))
  }

  getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined> {
    return this.#read(this.#clustersById, `${groupId}/${clusterId}`, () => this.inner.getClusterById(groupId, clusterId))
  }

  getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined> {
    return this.#read(this.#clustersByName, `${groupId}/${name}`, () => this.inner.getClusterByName(groupId, name))
  }

  listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]> {
    return this.#readList(`o:${orgId}`, () => this.inner.listProjectsOfOrganization(orgId))
  }

  listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]> {
    return this.#readList(`g:${groupId}`, () => this.inner.listClustersOfProject(groupId))
  }

  getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    return this.#read(this.#apiKeys, publicKey, () => this.inner.getApiKey(publicKey))
  }

  getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    return this.#read(this.#serviceAccounts, clientId, () => this.inner.getServiceAccount(clientId))
  }

  isTokenRevoked(jti: string): Promise<boolean> {
    return this.#read(this.#revoked, jti, () => this.inner.isTokenRevoked(jti))
  }

  getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    return this.#read(this.#checkpoints, `${clusterId}/${checkpointId}`, () => this.inner.getCheckpoint(clusterId, checkpointId))
  }

  pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    const key = `${clusterId}/${page.offset}/${page.limit}`
    return this.#read(this.#pages, key, () => this.inner.pageCheckpoints(clusterId, page))
  }

  // --- Writes: every one empties the caches ---

  revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    return this.#write(() => this.inner.revokeToken(jti, expiresAtSeconds))
  }

  apply(data: DataSet): Promise<ApplySummary> {
    return this.#write(() => this.inner.apply(data))
  }

  applyInBatches(data: DataSet, checkpointBatches: AsyncIterable<readonly Checkpoint[]>): Promise<ApplySummary> {
    return this.#write(() => this.inner.applyInBatches(data, checkpointBatches))
  }

  putSecret(name: string, value: string): Promise<void> {
    return this.#write(() => this.inner.putSecret(name, value))
  }

  deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.#write(() => this.inner.deleteOrganization(id))
  }

  deleteProject(id: ObjectIdHex): Promise<DeleteSummary> {
    return this.#write(() => this.inner.deleteProject(id))
  }

  deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary> {
    return this.#write(() => this.inner.deleteCluster(groupId, clusterId))
  }

  deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    return this.#write(() => this.inner.deleteCheckpoint(clusterId, checkpointId))
  }

  deleteApiKey(publicKey: string): Promise<boolean> {
    return this.#write(() => this.inner.deleteApiKey(publicKey))
  }

  deleteServiceAccount(clientId: string): Promise<boolean> {
    return this.#write(() => this.inner.deleteServiceAccount(clientId))
  }

  reset(): Promise<DeleteSummary> {
    return this.#write(() => this.inner.reset())
  }

  // The producer calls these on every tick (up to 100 a second), mostly changing nothing: the caches are
  // emptied only when something changed. Emptying after the write suffices: a read in flight meanwhile
  // took the generation before it, so it keeps nothing.

  async expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    return this.#invalidateIfChanged(await this.inner.expireCheckpoints(clusterId, before, limit))
  }

  async pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    return this.#invalidateIfChanged(await this.inner.pruneCheckpoints(clusterId, before, limit))
  }

  // Legacy backup restore jobs: read through (their state follows the clock), every write empties the caches.
  putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number> {
    return this.#write(() => this.inner.putRestoreJobs(jobs))
  }
  async countRestoreDownload(jobId: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined> {
    return this.#write(() => this.inner.countRestoreDownload(jobId, hash, maxDownloads))
  }
  endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    return this.#write(() => this.inner.endRestoreJob(jobId, status, at))
  }
  // Legacy backup snapshots: read through (they depend on the clock), every write empties the caches.

  putSnapshots(snapshots: readonly Snapshot[]): Promise<number> {
    return this.#write(() => this.inner.putSnapshots(snapshots))
  }
  deleteSnapshot(clusterId: ObjectIdHex, snapshotId: ObjectIdHex): Promise<boolean> {
    return this.#write(() => this.inner.deleteSnapshot(clusterId, snapshotId))
  }
  putSnapshotSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    return this.#write(() => this.inner.putSnapshotSettings(clusterId, settings))
  }
  async deleteExpiredSnapshots(now: IsoSeconds, limit: number): Promise<number> {
    return this.#invalidateIfChanged(await this.inner.deleteExpiredSnapshots(now, limit))
  }

  #invalidateIfChanged(changed: number): number {
    if (changed > 0) this.invalidate()
    return changed
  }

  async close(): Promise<void> {
    this.#clear()
    this.#unsubscribe()
    this.#peers.delete(this)
    await this.inner.close()
  }
}
