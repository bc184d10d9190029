import type pg from 'pg'
import type { ForcedEnd, RestoreJob } from '../../domain/legacy-backup/restore-types.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import { lastById } from '../rank-plan.js'
import type { RestoreJobPage } from '../restore-job-store.js'
import { RESTORE_JOB_COLUMNS, restoreJobFromRow, restoreJobValues, type RestoreJobRow } from '../restore-job-rows.js'
import { NOTIFY_CHANGE, NOTIFY_CHANGE_CALL } from './postgres-change-listener.js'

const PLACEHOLDERS = Array.from({ length: 11 }, (_, i) => `$${i + 1}`).join(', ')

const UPSERT_JOB = `INSERT INTO restore_jobs (${RESTORE_JOB_COLUMNS}) VALUES (${PLACEHOLDERS})
  ON CONFLICT (id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, group_id = EXCLUDED.group_id,
    batch_id = EXCLUDED.batch_id, created = EXCLUDED.created, target_cluster_id = EXCLUDED.target_cluster_id,
    downloads = EXCLUDED.downloads, hash = EXCLUDED.hash, ended_status = EXCLUDED.ended_status,
    ended_at = EXCLUDED.ended_at, doc = EXCLUDED.doc`

/** Inside `apply`'s transaction: a data set's restore jobs, the last of each id winning. */
export async function writeRestoreJobsIn(client: pg.PoolClient, jobs: readonly RestoreJob[]): Promise<number> {
  const written = lastById(jobs, (j) => j.id)
  for (const job of written) await client.query(UPSERT_JOB, restoreJobValues(job))
  return written.length
}

/** One statement that also notifies this schema's listeners when it changed a row; answers the rows it returned. */
async function notifying<R extends pg.QueryResultRow>(pool: pg.Pool, statement: string, returning: string, values: unknown[]): Promise<R[]> {
  const text = `WITH w AS (${statement} RETURNING ${returning}), n AS (SELECT count(*)::int AS n FROM w)
    SELECT w.*, CASE WHEN n.n > 0 THEN ${NOTIFY_CHANGE_CALL} END AS notified FROM n LEFT JOIN w ON true`
  return (await pool.query<R>(text, values)).rows.filter((row) => Object.values(row).some((v) => v !== null))
}

/**
 * The restore jobs of the PostgreSQL engine (Store's {@link RestoreJobStore} part), on the table of
 * migration 11; `PostgresStore` delegates to it. Every write notifies the schema's listeners.
 */
export class PostgresRestoreJobs {
  constructor(private readonly pool: pg.Pool) {}

  async put(jobs: readonly RestoreJob[]): Promise<number> {
    if (jobs.length === 0) return 0
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        for (const job of jobs) {
          await client.query(UPSERT_JOB, restoreJobValues(job))
        }
        await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return jobs.length
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      client.release()
    }
  }

  async page(clusterId: ObjectIdHex, batchId: ObjectIdHex | undefined, offset: number, limit: number): Promise<RestoreJobPage> {
    const where = batchId === undefined ? 'cluster_id = $1' : 'cluster_id = $1 AND batch_id = $2'
    const keys = batchId === undefined ? [clusterId] : [clusterId, batchId]
    const n = keys.length
    const [items, count] = await Promise.all([
      this.pool.query<RestoreJobRow>(
        `SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE ${where} ORDER BY created DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...keys, limit, offset],
      ),
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM restore_jobs WHERE ${where}`, keys),
    ])
    return { items: items.rows.map(restoreJobFromRow), totalCount: count.rows[0]?.n ?? 0 }
  }

  async get(id: ObjectIdHex): Promise<RestoreJob | undefined> {
    const { rows } = await this.pool.query<RestoreJobRow>(`SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE id = $1`, [id])
    return rows[0] && restoreJobFromRow(rows[0])
  }

  async intoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]> {
    const { rows } = await this.pool.query<RestoreJobRow>(
      `SELECT ${RESTORE_JOB_COLUMNS} FROM restore_jobs WHERE target_cluster_id = $1 AND ended_status IS NULL ORDER BY created, id`,
      [targetClusterId],
    )
    return rows.map(restoreJobFromRow)
  }

  async countDownload(id: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined> {
    const rows = await notifying<{ downloads: number | null }>(
      this.pool,
      'UPDATE restore_jobs SET downloads = downloads + 1, hash = coalesce(hash, $1) WHERE id = $2 AND downloads < $3',
      'downloads',
      [hash, id, maxDownloads],
    )
    const counted = rows[0]?.downloads
    return counted === undefined || counted === null ? undefined : Number(counted)
  }

  async end(id: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean> {
    const rows = await notifying<{ id: string | null }>(
      this.pool,
      'UPDATE restore_jobs SET ended_status = $1, ended_at = $2 WHERE id = $3 AND ended_status IS NULL',
      'id',
      [status, at, id],
    )
    return rows.length === 1
  }
}

/** Inside a delete's transaction: what deleting a cluster removes here. */
export async function deleteRestoreJobsOfCluster(client: pg.PoolClient, clusterId: string): Promise<void> {
  await client.query('DELETE FROM restore_jobs WHERE cluster_id = $1', [clusterId])
}

/** Inside `reset`'s transaction. */
export async function deleteAllRestoreJobs(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM restore_jobs')
}
