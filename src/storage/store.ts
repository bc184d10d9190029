import type {
  ApiKey,
  Checkpoint,
  Cluster,
  IsoSeconds,
  ObjectIdHex,
  Organization,
  Project,
  ServiceAccount,
} from '../domain/types.js'
import type { DataSet } from '../domain/data-set.js'
import type { RestoreJobStore } from './restore-job-store.js'
import type { SnapshotStore } from './snapshot-store.js'

/** One page of a cluster's checkpoints, newest first (timestamp descending, then id descending). */
export interface PageRequest {
  /** Number of checkpoints to skip, from the newest. */
  readonly offset: number
  /** At most this many checkpoints, 1..500. */
  readonly limit: number
}

export interface CheckpointPage {
  readonly items: readonly Checkpoint[]
  /** How many checkpoints the cluster has in all. */
  readonly totalCount: number
}

/** What one `apply` wrote, by kind: inserted or replaced (by id). */
export interface ApplySummary {
  readonly organizations: number
  readonly projects: number
  readonly clusters: number
  readonly checkpoints: number
  readonly apiKeys: number
  readonly serviceAccounts: number
  /** The legacy backup kinds: schedules (one per cluster), snapshots, restore jobs. */
  readonly snapshotSchedules: number
  readonly snapshots: number
  readonly restoreJobs: number
}

/**
 * The storage contract. It (with store-errors.ts) is what code outside src/storage/ uses; every engine
 * (sqlite now, postgres later) implements it and passes the same conformance suite
 * (test/storage/store-conformance.ts).
 *
 * Rules every engine keeps:
 * - Paging happens in the engine, by index: any page of a cluster with a million checkpoints is
 *   answered without reading the checkpoints before it, and so is the total count.
 * - `apply` is one transaction: everything is written, or nothing.
 * - Methods are async so that a networked engine fits the same interface.
 */
export interface Store extends SnapshotStore, RestoreJobStore {
  /** e.g. "sqlite". */
  readonly engine: string

  getOrganization(id: ObjectIdHex): Promise<Organization | undefined>
  getProject(id: ObjectIdHex): Promise<Project | undefined>
  getClusterById(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<Cluster | undefined>
  getClusterByName(groupId: ObjectIdHex, name: string): Promise<Cluster | undefined>
  /** The projects of an organization, by id (the discovery endpoints). */
  listProjectsOfOrganization(orgId: ObjectIdHex): Promise<Project[]>
  /** The clusters of a project, by id (the discovery endpoints). */
  listClustersOfProject(groupId: ObjectIdHex): Promise<Cluster[]>

  /** The checkpoints of one cluster, newest first. A page past the end has no items. */
  pageCheckpoints(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage>
  /** A checkpoint of that cluster; undefined when the id is unknown or belongs to another cluster. */
  getCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined>

  getApiKey(publicKey: string): Promise<ApiKey | undefined>
  getServiceAccount(clientId: string): Promise<ServiceAccount | undefined>

  /**
   * Records a revoked access token until it would have expired anyway (epoch seconds), so every server
   * instance on the store refuses it from then on. Records past their expiry may be dropped.
   */
  revokeToken(jti: string, expiresAtSeconds: number): Promise<void>
  isTokenRevoked(jti: string): Promise<boolean>

  /**
   * Claims the lease of a Digest nonce for `owner` (one server process's random id), shared by every
   * server instance on the store: true if `owner` holds it afterwards (claimed now, or by this owner
   * before), false if another owner does. The first owner keeps it until `expiresAtSeconds` (epoch
   * seconds), when the nonce itself is no longer accepted and the lease may be dropped. The holder checks
   * the nonce counts itself, so a request replayed to another instance is refused there.
   */
  claimNonceLease(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean>

  /** Inserts or replaces (by id; API keys by public key, service accounts by client id) everything in the set, in one transaction. */
  apply(data: DataSet): Promise<ApplySummary>

  /**
   * `apply` for a data set too large to hold in memory: `data` (its own checkpoints included) and every
   * batch of checkpoints `checkpointBatches` yields, in one transaction, all or nothing. The event loop
   * is yielded between batches, and what is written is seen by other readers only at the commit. Ids
   * must be unique across the batches (fixture validation refuses duplicates).
   */
  applyInBatches(data: DataSet, checkpointBatches: AsyncIterable<readonly Checkpoint[]>): Promise<ApplySummary>

  /**
   * A server-wide secret (e.g. the key that signs Digest nonces), created on first use and then
   * shared by every server process on the same store.
   */
  getOrCreateSecret(name: string, create: () => string): Promise<string>

  // Availability (readiness and outages).
  /**
   * Resolves when the database answers a trivial query; fails with a StoreUnavailableError
   * (store-errors.ts) when it cannot be reached. Every other method fails the same way during an outage,
   * and works again by itself once the database is back.
   */
  ping(): Promise<void>

  /**
   * Whether writes succeed, for readiness. True without asking the database while no call has failed for
   * lack of space or a failing disk (a `storage` StoreUnavailableError); after one, false until a small
   * probe write of this method's own succeeds (tried at most once a second), so that readiness comes back
   * when space is back, without other traffic. Fails like `ping` when the database cannot be reached.
   */
  checkWritable(): Promise<boolean>

  close(): Promise<void>

  // --- The whole store, for `waymark migrate` and `waymark copy` ---

  /** What opening this store did to its schema (opening migrates it). */
  readonly migration: SchemaMigration

  /** Every organization, by id. */
  listOrganizations(): Promise<Organization[]>
  /** Every project, by id. */
  listProjects(): Promise<Project[]>
  /** Every cluster, by id. */
  listClusters(): Promise<Cluster[]>
  /** Every API key, by public key. */
  listApiKeys(): Promise<ApiKey[]>
  /** Every service account, by client id. */
  listServiceAccounts(): Promise<ServiceAccount[]>
  /** Every server-wide secret (see `getOrCreateSecret`), by name. */
  listSecrets(): Promise<NamedSecret[]>
  /** Sets a server-wide secret, replacing any value it had. */
  putSecret(name: string, value: string): Promise<void>
  /** The revoked tokens that expire after `nowSeconds` (epoch seconds), by jti. */
  listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]>

  /**
   * Up to `limit` checkpoints of a cluster in ascending (timestamp, id) order, oldest first: those ordered
   * strictly after `after`, or from the oldest when it is undefined. `after` need not be stored (a cursor
   * whose checkpoint has since moved still works, only slower). Read from one snapshot.
   */
  checkpointsAfter(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Promise<Checkpoint[]>
  /** How many checkpoints of the cluster are ordered at or before `key` in (timestamp, id) order. */
  countCheckpointsUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number>

  // --- Deletes, for the admin API ---

  /** A checkpoint of any cluster, by id (the admin API refuses to create one whose id is taken). */
  findCheckpoint(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined>

  /**
   * Deletes an organization and everything under it, in one transaction: its projects (as
   * {@link deleteProject}), its API keys and its service accounts. All counts are 0 when it does not exist.
   */
  deleteOrganization(id: ObjectIdHex): Promise<DeleteSummary>
  /**
   * Deletes a project, its clusters and their checkpoints, in one transaction; API keys and service
   * accounts lose their roles on it (and stay). All counts are 0 when it does not exist.
   */
  deleteProject(id: ObjectIdHex): Promise<DeleteSummary>
  /** Deletes a cluster of that project and its checkpoints, in one transaction; all 0 when there is none. */
  deleteCluster(groupId: ObjectIdHex, clusterId: ObjectIdHex): Promise<DeleteSummary>
  /**
   * Deletes a checkpoint of that cluster; false when there is none. The cluster's ranks stay dense: the
   * smaller side of the gap moves by one, so deleting the oldest or the newest renumbers nothing.
   */
  deleteCheckpoint(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean>
  /** Deletes an API key; false when there is none. */
  deleteApiKey(publicKey: string): Promise<boolean>
  /** Deletes a service account; false when there is none. Tokens issued to it stop working. */
  deleteServiceAccount(clientId: string): Promise<boolean>
  /**
   * Deletes every organization, project, cluster, checkpoint, API key and service account, in one
   * transaction. Server secrets, revoked tokens and Digest nonce leases stay, so nonces, tokens and replay
   * records of the instances on the store keep working.
   */
  reset(): Promise<DeleteSummary>

  // The backup side (src/producer/): the checkpoint producer of `waymark serve` and `waymark generate`.

  /** A cluster by its id alone, whatever its project. */
  findCluster(clusterId: ObjectIdHex): Promise<Cluster | undefined>
  /** Every cluster whose checkpoint schedule is on (`checkpointIntervalMinutes` not null), by id. */
  listScheduledClusters(): Promise<Cluster[]>
  /**
   * Marks not restorable at most `limit` of the cluster's restorable checkpoints whose timestamp is before
   * `before` (they left the point-in-time window), oldest first; returns how many it changed.
   */
  expireCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number>
  /**
   * Deletes at most `limit` of the cluster's oldest checkpoints whose timestamp is before `before`, and
   * returns how many it deleted. Only the oldest go, so the ranks of the others stay as they are.
   */
  pruneCheckpoints(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number>

  // The timeline (the admin API's `…/timeline`, the console): answered by index, never by reading the checkpoints.

  /**
   * For each range [boundaries[i], boundaries[i + 1]) of timestamps, how many of the cluster's checkpoints
   * are in it, by state: `boundaries.length - 1` tallies. Boundaries ascend strictly; 2 to
   * {@link MAX_TALLY_BOUNDARIES} of them. Totals come from the dense ranks (an index seek per boundary),
   * the states from partial indexes over the few checkpoints in each, so a range of a million checkpoints
   * costs as little as a range of ten. Read from one snapshot.
   */
  tallyCheckpoints(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]>
  /** The cluster's oldest and newest checkpoint timestamps, its newest restorable one and its count (index lookups). */
  checkpointBounds(clusterId: ObjectIdHex): Promise<CheckpointBounds>
  /** Up to `limit` of the cluster's checkpoints with a timestamp in [from, to), oldest first (an index range). */
  checkpointsBetween(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Promise<Checkpoint[]>
}

/** Boundaries one {@link Store.tallyCheckpoints} call takes at most (2,000 ranges). */
export const MAX_TALLY_BOUNDARIES = 2001

/**
 * How many checkpoints of a range are in each state. The states exclude each other, in this order: a
 * restorable checkpoint counts as `restorable` only; a not restorable one as `inProgress` when it has not
 * completed, else as `tokenNotDiscovered` when a part's token was not discovered; the rest (completed,
 * every token discovered, not restorable: outside the window, or so loaded) is `total` less the three.
 */
export interface CheckpointTally {
  readonly total: number
  readonly restorable: number
  readonly inProgress: number
  readonly tokenNotDiscovered: number
}

/** A cluster's checkpoints at a glance (`Store.checkpointBounds`): timestamps, null when there are none. */
export interface CheckpointBounds {
  readonly count: number
  readonly oldest: IsoSeconds | null
  readonly newest: IsoSeconds | null
  readonly newestRestorable: IsoSeconds | null
}

/** A place in a cluster's checkpoints, ordered by timestamp then id (a checkpoint is one). */
export interface CheckpointKey {
  readonly timestamp: IsoSeconds
  readonly id: ObjectIdHex
}

/** What opening a store did to its schema. */
export interface SchemaMigration {
  /** The schema version found (0: a new database). */
  readonly from: number
  /** The schema version now: the newest this code knows. */
  readonly to: number
  /** The migrations applied, oldest first (none when `from` = `to`). */
  readonly applied: ReadonlyArray<{ readonly version: number; readonly name: string }>
}

/** A server-wide secret (`getOrCreateSecret`). */
export interface NamedSecret {
  readonly name: string
  readonly value: string
}

/** A revoked access token, kept until it would have expired anyway (epoch seconds). */
export interface RevokedToken {
  readonly jti: string
  readonly expiresAtSeconds: number
}

/**
 * How many records of each kind a delete removed. A deleted cluster's schedule, snapshots and restore jobs
 * go with it, uncounted.
 */
export type DeleteSummary = Omit<ApplySummary, 'snapshotSchedules' | 'snapshots' | 'restoreJobs'>

/**
 * The server's clock (epoch ms; the wall clock by default), given to an engine for what it forgets by
 * itself: revoked tokens and Digest nonce leases once they expire by that clock (src/clock/server-clock.ts).
 */
export type StoreClock = () => number
