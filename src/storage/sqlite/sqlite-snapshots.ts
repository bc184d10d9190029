import type Database from 'better-sqlite3'
import type { Snapshot, SnapshotSchedule, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import { lastById } from '../rank-plan.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import { SNAPSHOT_COLUMNS, settingsFromJson, settingsToJson, snapshotFromRow, snapshotValues, type SnapshotRow } from '../snapshot-rows.js'

const UNEXPIRED = '(expires IS NULL OR expires > @now)'
const COMPLETION: Record<CompletedFilter, string> = {
  true: 'AND completed_at IS NOT NULL',
  false: 'AND completed_at IS NULL',
  all: '',
}

function prepare(db: Database.Database) {
  const page = (filter: CompletedFilter) =>
    db.prepare<{ clusterId: string; now: string; limit: number; offset: number }, SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = @clusterId AND ${UNEXPIRED} ${COMPLETION[filter]}
       ORDER BY created DESC, id DESC LIMIT @limit OFFSET @offset`,
    )
  const count = (filter: CompletedFilter) =>
    db
      .prepare<{ clusterId: string; now: string }, number>(
        `SELECT count(*) FROM snapshots WHERE cluster_id = @clusterId AND ${UNEXPIRED} ${COMPLETION[filter]}`,
      )
      .pluck()
  return {
    upsert: db.prepare(
      `INSERT OR REPLACE INTO snapshots (${SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    page: { true: page('true'), false: page('false'), all: page('all') },
    count: { true: count('true'), false: count('false'), all: count('all') },
    get: db.prepare<{ clusterId: string; id: string; now: string }, SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE id = @id AND cluster_id = @clusterId AND ${UNEXPIRED}`,
    ),
    ofCluster: db.prepare<[string], SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = ? ORDER BY created, id`,
    ),
    base: db.prepare<{ clusterId: string; at: string; now: string }, SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = @clusterId AND created <= @at
         AND completed_at IS NOT NULL AND ${UNEXPIRED} ORDER BY created DESC, id DESC LIMIT 1`,
    ),
    floor: db
      .prepare<{ clusterId: string; now: string }, string | null>(
        `SELECT min(created) FROM snapshots WHERE cluster_id = @clusterId AND completed_at IS NOT NULL AND ${UNEXPIRED}`,
      )
      .pluck(),
    delete: db.prepare<[string, string]>('DELETE FROM snapshots WHERE id = ? AND cluster_id = ?'),
    deleteExpired: db.prepare<[string, number]>(
      `DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots WHERE expires IS NOT NULL AND expires <= ? ORDER BY expires LIMIT ?)`,
    ),
    nextExpiry: db
      .prepare<[string], string | null>('SELECT min(expires) FROM snapshots WHERE expires IS NOT NULL AND expires > ?')
      .pluck(),
    getSettings: db.prepare<[string], string>('SELECT settings FROM snapshot_settings WHERE cluster_id = ?').pluck(),
    putSettings: db.prepare<[string, string]>('INSERT OR REPLACE INTO snapshot_settings (cluster_id, settings) VALUES (?, ?)'),
    track: db.prepare<[string]>(`INSERT OR IGNORE INTO snapshot_settings (cluster_id, settings) VALUES (?, '{}')`),
    deleteOfCluster: db.prepare<[string]>('DELETE FROM snapshots WHERE cluster_id = ?'),
    deleteSettingsOf: db.prepare<[string]>('DELETE FROM snapshot_settings WHERE cluster_id = ?'),
    deleteAll: db.prepare('DELETE FROM snapshots'),
    deleteAllSettings: db.prepare('DELETE FROM snapshot_settings'),
  }
}

const sqliteBool = (b: boolean): number => (b ? 1 : 0)

/**
 * The snapshots and snapshot settings of the SQLite engine (Store's {@link SnapshotStore} part), on the
 * tables of migration 10. Synchronous underneath; `SqliteStore` delegates to it.
 */
export class SqliteSnapshots {
  private readonly stmt: ReturnType<typeof prepare>
  private readonly putAll: Database.Transaction<(snapshots: readonly Snapshot[]) => number>
  private readonly pageTransaction: Database.Transaction<
    (clusterId: string, filter: CompletedFilter, now: string, offset: number, limit: number) => SnapshotPage
  >

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
    this.putAll = db.transaction((snapshots: readonly Snapshot[]) => {
      for (const s of snapshots) this.stmt.upsert.run(...snapshotValues(s, sqliteBool))
      return snapshots.length
    })
    this.pageTransaction = db.transaction((clusterId, filter, now, offset, limit) => ({
      items: this.stmt.page[filter].all({ clusterId, now, limit, offset }).map(snapshotFromRow),
      totalCount: this.stmt.count[filter].get({ clusterId, now }) ?? 0,
    }))
  }

  put(snapshots: readonly Snapshot[]): number {
    return this.putAll.immediate(snapshots)
  }

  page(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, offset: number, limit: number): SnapshotPage {
    return this.pageTransaction.deferred(clusterId, filter, now, offset, limit)
  }

  get(clusterId: ObjectIdHex, id: ObjectIdHex, now: IsoSeconds): Snapshot | undefined {
    const row = this.stmt.get.get({ clusterId, id, now })
    return row && snapshotFromRow(row)
  }

  ofCluster(clusterId: ObjectIdHex): Snapshot[] {
    return this.stmt.ofCluster.all(clusterId).map(snapshotFromRow)
  }

  base(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Snapshot | undefined {
    const row = this.stmt.base.get({ clusterId, at, now })
    return row && snapshotFromRow(row)
  }

  floor(clusterId: ObjectIdHex, now: IsoSeconds): IsoSeconds | null {
    return this.stmt.floor.get({ clusterId, now }) ?? null
  }

  delete(clusterId: ObjectIdHex, id: ObjectIdHex): boolean {
    return this.stmt.delete.run(id, clusterId).changes === 1
  }

  deleteExpired(now: IsoSeconds, limit: number): number {
    return this.stmt.deleteExpired.run(now, limit).changes
  }

  nextExpiry(now: IsoSeconds): IsoSeconds | null {
    return this.stmt.nextExpiry.get(now) ?? null
  }

  getSettings(clusterId: ObjectIdHex): SnapshotSettings | undefined {
    const json = this.stmt.getSettings.get(clusterId)
    return json === undefined ? undefined : settingsFromJson(json)
  }

  putSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): void {
    this.stmt.putSettings.run(clusterId, settingsToJson(settings))
  }

  /**
   * Inside the caller's transaction (`apply`): a data set's schedules, then its snapshots (the last of each
   * id wins); a cluster given snapshots without a schedule is tracked (default settings stored unless it
   * has some), so that it gets no derived snapshots (domain/legacy-backup/snapshot-coverage.ts).
   */
  writeSync(schedules: readonly SnapshotSchedule[], snapshots: readonly Snapshot[]): { snapshotSchedules: number; snapshots: number } {
    const scheduled = lastById(schedules, (s) => s.clusterId)
    for (const { clusterId, groupId: _group, ...settings } of scheduled) this.stmt.putSettings.run(clusterId, settingsToJson(settings))
    const written = lastById(snapshots, (s) => s.id)
    for (const s of written) this.stmt.upsert.run(...snapshotValues(s, sqliteBool))
    for (const clusterId of new Set(written.map((s) => s.clusterId))) this.stmt.track.run(clusterId)
    return { snapshotSchedules: scheduled.length, snapshots: written.length }
  }

  /** Inside the caller's transaction: what deleting a cluster removes here. Answers the snapshots deleted. */
  deleteOfCluster(clusterId: ObjectIdHex): number {
    this.stmt.deleteSettingsOf.run(clusterId)
    return this.stmt.deleteOfCluster.run(clusterId).changes
  }

  /** Inside the caller's transaction: what `reset` removes here. */
  deleteAll(): void {
    this.stmt.deleteAll.run()
    this.stmt.deleteAllSettings.run()
  }
}
