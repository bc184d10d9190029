/**
 * The admin API's snapshot schedule and snapshots of a cluster (docs/admin-api.md, "Snapshots and the
 * snapshot schedule"): read and replace the schedule, list, read, create and delete snapshots directly,
 * without roles. Bodies are checked as fixture entries of `snapshotSchedules` and `snapshots`. A cluster
 * not tracked yet first gets the snapshots its checkpoints stand on, as the API's schedule PATCH does
 * (domain/legacy-backup/snapshot-coverage.ts); a delete takes any snapshot, `doNotDelete` or in progress
 * ones too, so that tests can take a checkpoint's base away.
 */
import { newObjectId } from '../domain/ids.js'
import { coverWithSnapshots } from '../domain/legacy-backup/snapshot-coverage.js'
import { withDerivedExpiry } from '../domain/legacy-backup/snapshot-plan.js'
import type { Snapshot, SnapshotSchedule } from '../domain/legacy-backup/snapshot-types.js'
import type { Cluster } from '../domain/types.js'
import { ApiError } from '../errors.js'
import type { SnapshotPage } from '../storage/snapshot-store.js'
import type { PageRequest, Store } from '../storage/store.js'
import { bodyObject, fromPath, only, validateEntry } from './admin-bodies.js'
import { objectIdParam, type AdminRecords } from './admin-records.js'

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

/** A snapshot as the admin API shows it: the record, without how its `expires` came about. */
export function snapshotView(s: Snapshot): object {
  const { expiresExplicit: _how, ...record } = s
  return record
}

export class AdminSnapshots {
  constructor(
    private readonly store: Store,
    private readonly records: AdminRecords,
    private readonly now: () => number,
  ) {}

  /** The cluster's schedule as stored: only the settings set (the others are the defaults). */
  async schedule(groupId: string | undefined, clusterId: string | undefined): Promise<SnapshotSchedule> {
    const cluster = await this.records.cluster(groupId, clusterId)
    return { clusterId: cluster.id, groupId: cluster.groupId, ...(await this.store.getSnapshotSettings(cluster.id)) }
  }

  /**
   * Replaces the schedule with the body's settings (those left out: the defaults). Snapshots whose `expires`
   * came from the retention rules get it again under the new ones, as a schedule PATCH does.
   */
  async putSchedule(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<SnapshotSchedule> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const entry = fromPath(bodyObject(body), { clusterId: cluster.id, groupId: cluster.groupId })
    const schedule = await validateEntry('snapshotSchedules', entry, this.store, new Date(this.now()))
    await this.#track(cluster)
    await this.store.apply(only('snapshotSchedules', schedule))
    const { clusterId: _c, groupId: _g, ...settings } = schedule
    const rederived = (await this.store.listSnapshotsOfCluster(cluster.id))
      .map((s) => [s, withDerivedExpiry(s, settings)] as const)
      .filter(([before, after]) => before !== after)
      .map(([, after]) => after)
    if (rederived.length > 0) await this.store.putSnapshots(rederived)
    return this.schedule(cluster.groupId, cluster.id)
  }

  /** The cluster's snapshots not expired at the clock, newest first. */
  async list(groupId: string | undefined, clusterId: string | undefined, page: () => PageRequest): Promise<SnapshotPage> {
    const cluster = await this.records.cluster(groupId, clusterId)
    return this.store.pageSnapshots(cluster.id, 'all', iso(this.now()), page())
  }

  async snapshot(groupId: string | undefined, clusterId: string | undefined, snapshotId: string | undefined): Promise<Snapshot> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const id = objectIdParam(snapshotId, 'INVALID_SNAPSHOT_ID')
    const snapshot = await this.store.getSnapshot(cluster.id, id, iso(this.now()))
    if (snapshot === undefined) throw new ApiError('SNAPSHOT_NOT_FOUND', [id, cluster.id])
    return snapshot
  }

  async create(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<Snapshot> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const given = bodyObject(body)
    const entry = fromPath(given['id'] === undefined ? { ...given, id: newObjectId() } : given, { clusterId: cluster.id, groupId: cluster.groupId })
    const snapshot = await validateEntry('snapshots', entry, this.store, new Date(this.now()), async (s) => {
      if ((await this.store.listSnapshotsOfCluster(cluster.id)).some((stored) => stored.id === s.id)) throw new ApiError('DUPLICATE_ID', ['Snapshot', s.id])
    })
    await this.#track(cluster)
    await this.store.apply(only('snapshots', snapshot))
    return snapshot
  }

  /** Deletes a snapshot not expired at the clock, whatever its state; checkpoints it was the base of turn non-restorable. */
  async delete(groupId: string | undefined, clusterId: string | undefined, snapshotId: string | undefined): Promise<{ deleted: { snapshots: number } }> {
    const current = await this.snapshot(groupId, clusterId, snapshotId)
    if (!(await this.store.deleteSnapshot(current.clusterId, current.id))) throw new ApiError('SNAPSHOT_NOT_FOUND', [current.id, current.clusterId])
    return { deleted: { snapshots: 1 } }
  }

  /** A cluster not tracked yet gets the snapshots its checkpoints stand on before it is changed. */
  async #track(cluster: Cluster): Promise<void> {
    if ((await this.store.getSnapshotSettings(cluster.id)) === undefined) await coverWithSnapshots(this.store, [cluster.id], this.now())
  }
}
