import type Database from 'better-sqlite3'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import { lastById } from '../rank-plan.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import { RESTORE_JOB_COLUMNS, restoreJobFromRow, restoreJobValues, type RestoreJobRow } from '../restore-job-rows.js'

function prepare(db: Database.Database) {
  return {
    upsert: db.prepare(`INSERT OR REPLACE INTO restore_jobs (${RESTORE_JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    page: db.prepare<{ clusterId: string; limit: number; offset: number }, RestoreJobRow>(
      `SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE cluster_id = @clusterId ORDER BY created DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    count: db.prepare<[string], number>('SELECT count(*) FROM restore_jobs WHERE cluster_id = ?').pluck(),
    pageBatch: db.prepare<{ clusterId: string; batchId: string; limit: number; offset: number }, RestoreJobRow>(
      `SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE cluster_id = @clusterId AND batch_id = @batchId
       ORDER BY created DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    countBatch: db.prepare<[string, string], number>('SELECT count(*) FROM restore_jobs WHERE cluster_id = ? AND batch_id = ?').pluck(),
    get: db.prepare<[string], RestoreJobRow>(`SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE id = ?`),
    intoTarget: db.prepare<[string], RestoreJobRow>(
      `SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE target_cluster_id = ? AND ended_status IS NULL ORDER BY created, id`,
    ),
    countDownload: db.prepare<[string, string, number], number>(
      'UPDATE restore_jobs SET downloads = downloads + 1, hash = coalesce(hash, ?) WHERE id = ? AND downloads < ? RETURNING downloads',
    ).pluck(),
    end: db.prepare<[string, string, string]>('UPDATE restore_jobs SET ended_status = ?, ended_at = ? WHERE id = ? AND ended_status IS NULL'),
    deleteOfCluster: db.prepare<[string]>('DELETE FROM restore_jobs WHERE cluster_id = ?'),
    deleteAll: db.prepare('DELETE FROM restore_jobs'),
  }
}

/**
 * The restore jobs of the SQLite engine (Store's {@link RestoreJobStore} part), on the table of migration
 * 11. Synchronous underneath; `SqliteStore` delegates to it.
 */
export class SqliteRestoreJobs {
  private readonly stmt: ReturnType<typeof prepare>
  private readonly putAll: Database.Transaction<(jobs: readonly RestoreJob[]) => number>
  private readonly pageTransaction: Database.Transaction<(clusterId: string, batchId: string | undefined, offset: number, limit: number) => RestoreJobPage>

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
    this.putAll = db.transaction((jobs: readonly RestoreJob[]) => {
      for (const job of jobs) this.stmt.upsert.run(...restoreJobValues(job))
      return jobs.length
    })
    this.pageTransaction = db.transaction((clusterId, batchId, offset, limit) =>
      batchId === undefined
        ? { items: this.stmt.page.all({ clusterId, limit, offset }).map(restoreJobFromRow), totalCount: this.stmt.count.get(clusterId) ?? 0 }
        : {
            items: this.stmt.pageBatch.all({ clusterId, batchId, limit, offset }).map(restoreJobFromRow),
            totalCount: this.stmt.countBatch.get(clusterId, batchId) ?? 0,
          },
    )
  }

  put(jobs: readonly RestoreJob[]): number {
    return this.putAll.immediate(jobs)
  }

  page(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, offset: number, limit: number): RestoreJobPage {
    return this.pageTransaction.deferred(clusterId, batchId, offset, limit)
  }

  get(id: ObjectIdHex): RestoreJob | undefined {
    const row = this.stmt.get.get(id)
    return row && restoreJobFromRow(row)
  }

  intoTarget(targetClusterId: ObjectIdHex): RestoreJob[] {
    return this.stmt.intoTarget.all(targetClusterId).map(restoreJobFromRow)
  }

  countDownload(id: ObjectIdHex, hash: string, maxDownloads: number): number | undefined {
    return this.stmt.countDownload.get(hash, id, maxDownloads)
  }

  end(id: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): boolean {
    return this.stmt.end.run(status, at, id).changes === 1
  }

  /** Inside the caller's transaction (`apply`): a data set's jobs, the last of each id winning. */
  writeSync(jobs: readonly RestoreJob[]): number {
    const written = lastById(jobs, (j) => j.id)
    for (const job of written) this.stmt.upsert.run(...restoreJobValues(job))
    return written.length
  }

  /** Inside the caller's transaction: what deleting a cluster removes here. */
  deleteOfCluster(clusterId: ObjectIdHex): number {
    return this.stmt.deleteOfCluster.run(clusterId).changes
  }

  /** Inside the caller's transaction: what `reset` removes here. */
  deleteAll(): void {
    this.stmt.deleteAll.run()
  }
}
