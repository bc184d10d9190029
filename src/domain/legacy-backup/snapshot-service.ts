/**
 * The legacy backup side of a cluster, independent of any API dialect: its snapshot schedule and its
 * snapshots, as of the server's clock (docs/behaviour.md#snapshot-schedule, #snapshots). Every call takes
 * the `GroupAccess` of `CheckpointService.authorize`; writes also check the write role first.
 */
import type { GroupAccess } from '../checkpoint-service.js'
import { canWriteLegacyBackup, isOrgOwner } from '../roles.js'
import type { Cluster, IsoSeconds } from '../types.js'
import { EMPTY_DATA_SET } from '../data-set.js'
import { ApiError } from '../../errors.js'
import type { Store } from '../../storage/store.js'
import type { CompletedFilter, SnapshotPage } from '../../storage/snapshot-store.js'
import { booleanField, parseInstant, stringField, type JsonBody } from './body-fields.js'
import { coverWithSnapshots } from './snapshot-coverage.js'
import { applyScheduleChange, type ScheduleRules } from './schedule-change.js'
import { withDerivedExpiry } from './snapshot-plan.js'
import { effectiveSettings, type EffectiveSnapshotSettings, type Snapshot } from './snapshot-types.js'

/** A cluster's whole snapshot schedule: the cluster (checkpoint interval, window) and its snapshot settings. */
export interface SnapshotScheduleView {
  readonly cluster: Cluster
  readonly settings: EffectiveSnapshotSettings
}

/** P-N5: an ISO-8601 instant or a bare date (midnight UTC), on the real calendar, as whole seconds; undefined when neither. */
export function parseExpires(text: string): IsoSeconds | undefined {
  const ms = parseInstant(text)
  return ms === undefined ? undefined : new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

export class LegacyBackupService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The clock as an ISO instant with whole seconds. */
  nowIso(): IsoSeconds {
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
  }

  /** P-G6: 401 USER_UNAUTHORIZED unless the caller holds a write role on the project. */
  authorizeWrite(access: GroupAccess, family: 'atlas' | 'ops-manager'): void {
    if (!canWriteLegacyBackup(access.principal, access.project, family)) throw new ApiError('USER_UNAUTHORIZED')
  }

  async schedule(_access: GroupAccess, cluster: Cluster): Promise<SnapshotScheduleView> {
    return { cluster, settings: effectiveSettings(await this.store.getSnapshotSettings(cluster.id)) }
  }

  /**
   * P-S1: a partial update of the schedule, all or nothing. The cluster's checkpoint interval and window
   * are written as the admin API writes them; the snapshots whose `expires` came from the retention rules
   * get it again under the new ones (P-N2). A shard's or config server's id (Ops Manager) cannot be changed
   * on its own: 409 CANNOT_MODIFY_SHARD_BACKUP_CONFIG.
   */
  async updateSchedule(_access: GroupAccess, cluster: Cluster, body: JsonBody, rules: ScheduleRules): Promise<SnapshotScheduleView> {
    const stored = await this.store.getSnapshotSettings(cluster.id)
    const change = applyScheduleChange(cluster, stored, body, rules)
    const owner = await this.store.findCluster(cluster.id)
    if (owner === undefined) throw new ApiError('CANNOT_MODIFY_SHARD_BACKUP_CONFIG', [cluster.id])
    // A cluster not tracked yet gets the snapshots its checkpoints stand on first (snapshot-coverage.ts).
    if (stored === undefined) await coverWithSnapshots(this.store, [cluster.id], this.now())
    // The stored cluster with only its schedule changed: `cluster` is the dialect's view of it (a Cloud
    // Backup cluster reads as one without backup on Ops Manager, P-G5), which must not be written back.
    const written: Cluster = { ...owner, checkpointIntervalMinutes: change.cluster.checkpointIntervalMinutes, pointInTimeWindowHours: change.cluster.pointInTimeWindowHours }
    await this.store.apply({ ...EMPTY_DATA_SET, clusters: [written] })
    await this.store.putSnapshotSettings(cluster.id, change.settings)
    const rederived = (await this.store.listSnapshotsOfCluster(cluster.id))
      .map((s) => [s, withDerivedExpiry(s, change.settings)] as const)
      .filter(([before, after]) => before !== after)
      .map(([, after]) => after)
    if (rederived.length > 0) await this.store.putSnapshots(rederived)
    return { cluster: change.cluster, settings: effectiveSettings(change.settings) }
  }

  /** P-N3: newest first, filtered by completion; a cluster not on legacy backup has none (P-G5). */
  async listSnapshots(_access: GroupAccess, cluster: Cluster, filter: CompletedFilter, page: { offset: number; limit: number }): Promise<SnapshotPage> {
    if (cluster.backup !== 'LEGACY') return { items: [], totalCount: 0 }
    return this.store.pageSnapshots(cluster.id, filter, this.nowIso(), page)
  }

  /** 404 SNAPSHOT_NOT_FOUND when unknown, of another cluster or expired; `clusterLabel` is how the path named the cluster. */
  async getSnapshot(_access: GroupAccess, cluster: Cluster, snapshotId: string, clusterLabel: string): Promise<Snapshot> {
    const snapshot = cluster.backup === 'LEGACY' ? await this.store.getSnapshot(cluster.id, snapshotId, this.nowIso()) : undefined
    if (snapshot === undefined) throw new ApiError('SNAPSHOT_NOT_FOUND', [snapshotId, clusterLabel])
    return snapshot
  }

  /**
   * The newest complete, unexpired snapshot of the cluster taken at or before `at` (the base a checkpoint,
   * point-in-time or oplog restore is applied to), or undefined.
   */
  async baseSnapshot(cluster: Cluster, at: IsoSeconds): Promise<Snapshot | undefined> {
    if (cluster.backup !== 'LEGACY') return undefined
    return this.store.baseSnapshot(cluster.id, at, this.nowIso())
  }

  /** P-N5: `doNotDelete` and `expires`; the body's fields are checked before the snapshot is looked up (P-G2). */
  async updateSnapshot(access: GroupAccess, cluster: Cluster, snapshotId: string, clusterLabel: string, body: JsonBody): Promise<Snapshot> {
    const doNotDelete = booleanField(body, 'doNotDelete')
    const expiresText = stringField(body, 'expires')
    if (doNotDelete === true && expiresText !== undefined) throw new ApiError('CANNOT_MODIFY_SNAPSHOT', [snapshotId])
    const expires = expiresText === undefined ? undefined : parseExpires(expiresText)
    if (expiresText !== undefined && expires === undefined) throw new ApiError('INVALID_DATE_FORMAT', [expiresText])
    const current = await this.getSnapshot(access, cluster, snapshotId, clusterLabel)
    if (current.completedAt === undefined) throw new ApiError('CANNOT_MODIFY_IN_PROGRESS_SNAPSHOT_RETENTION')
    let next: Snapshot = current
    if (doNotDelete === true) {
      const { expires: _removed, ...rest } = current
      next = { ...rest, doNotDelete: true, expiresExplicit: false }
    } else if (expires !== undefined) {
      next = { ...current, doNotDelete: false, expires, expiresExplicit: true }
    } else if (doNotDelete === false && (current.doNotDelete || current.expiresExplicit)) {
      next = withDerivedExpiry({ ...current, doNotDelete: false, expiresExplicit: false }, await this.store.getSnapshotSettings(cluster.id))
    }
    if (next !== current) await this.store.putSnapshots([next])
    return next
  }

  /**
   * P-N6: 400 CANNOT_DELETE_IN_PROGRESS_SNAPSHOT while in progress; 403 CANNOT_MODIFY_SNAPSHOT when
   * `doNotDelete`; Ops Manager inside the point-in-time window: 401 USER_UNAUTHORIZED unless ORG_OWNER.
   */
  async deleteSnapshot(access: GroupAccess, cluster: Cluster, snapshotId: string, clusterLabel: string, family: 'atlas' | 'ops-manager'): Promise<void> {
    const current = await this.getSnapshot(access, cluster, snapshotId, clusterLabel)
    if (current.completedAt === undefined) throw new ApiError('CANNOT_DELETE_IN_PROGRESS_SNAPSHOT', [snapshotId])
    if (current.doNotDelete) throw new ApiError('CANNOT_MODIFY_SNAPSHOT', [snapshotId])
    const windowStart = Math.floor(this.now() / 1000) - cluster.pointInTimeWindowHours * 3600
    if (family === 'ops-manager' && Date.parse(current.created) / 1000 >= windowStart && !isOrgOwner(access.principal, access.project)) {
      throw new ApiError('USER_UNAUTHORIZED')
    }
    await this.store.deleteSnapshot(cluster.id, snapshotId)
  }
}
