import type pg from 'pg'
import type { Snapshot, SnapshotSchedule, SnapshotSettings } from '../../domain/legacy-backup/snapshot-types.js'
import { lastById } from '../rank-plan.js'
import type { IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import type { CompletedFilter, SnapshotPage } from '../snapshot-store.js'
import { SNAPSHOT_COLUMNS, settingsFromJson, settingsToJson, snapshotFromRow, snapshotValues, type SnapshotRow } from '../snapshot-rows.js'
import { NOTIFY_CHANGE, NOTIFY_CHANGE_CALL } from './postgres-change-listener.js'

const UNEXPIRED = '(expires IS NULL OR expires > $2)'
const COMPLETION: Record<CompletedFilter, string> = {
  true: 'AND completed_at IS NOT NULL',
  false: 'AND completed_at IS NULL',
  all: '',
}

const UPSERT_SNAPSHOT = `INSERT INTO snapshots (${SNAPSHOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, group_id = EXCLUDED.group_id,
    created = EXCLUDED.created, completed_at = EXCLUDED.completed_at, expires = EXCLUDED.expires,
    expires_explicit = EXCLUDED.expires_explicit, do_not_delete = EXCLUDED.do_not_delete,
    incremental = EXCLUDED.incremental, parts = EXCLUDED.parts`
const PUT_SETTINGS = `INSERT INTO snapshot_settings (cluster_id, settings) VALUES ($1, $2)
  ON CONFLICT (cluster_id) DO UPDATE SET settings = EXCLUDED.settings`

/**
 * Inside `apply`'s transaction: a data set's schedules, then its snapshots (the last of each id wins); a
 * cluster given snapshots without a schedule is tracked (default settings stored unless it has some), so
 * that it gets no derived snapshots (domain/legacy-backup/snapshot-coverage.ts).
 */
export async function writeSnapshotsIn(
  client: pg.PoolClient,
  schedules: readonly SnapshotSchedule[],
  snapshots: readonly Snapshot[],
): Promise<{ snapshotSchedules: number; snapshots: number }> {
  const scheduled = lastById(schedules, (s) => s.clusterId)
  for (const { clusterId, groupId: _group, ...settings } of scheduled) await client.query(PUT_SETTINGS, [clusterId, settingsToJson(settings)])
  const written = lastById(snapshots, (s) => s.id)
  for (const s of written) await client.query(UPSERT_SNAPSHOT, snapshotValues(s, (b) => b))
  for (const clusterId of new Set(written.map((s) => s.clusterId))) {
    await client.query(`INSERT INTO snapshot_settings (cluster_id, settings) VALUES ($1, '{}') ON CONFLICT (cluster_id) DO NOTHING`, [clusterId])
  }
  return { snapshotSchedules: scheduled.length, snapshots: written.length }
}

/** One statement that also notifies this schema's listeners when it changed a row (as postgres-store.ts does). */
async function notifying(pool: pg.Pool, statement: string, values: unknown[]): Promise<number> {
  const text = `WITH w AS (${statement} RETURNING 1), n AS (SELECT count(*)::int AS n FROM w)
    SELECT n.n, CASE WHEN n.n > 0 THEN ${NOTIFY_CHANGE_CALL} END AS notified FROM n`
  const [row] = (await pool.query<{ n: number }>(text, values)).rows
  return row?.n ?? 0
}

/**
 * The snapshots and snapshot settings of the PostgreSQL engine (Store's {@link SnapshotStore} part), on the
 * tables of migration 10; `PostgresStore` delegates to it. Every write notifies the schema's listeners.
 */
export class PostgresSnapshots {
  constructor(private readonly pool: pg.Pool) {}

  async put(snapshots: readonly Snapshot[]): Promise<number> {
    if (snapshots.length === 0) return 0
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        for (const s of snapshots) {
          await client.query(UPSERT_SNAPSHOT, snapshotValues(s, (b) => b))
        }
        await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return snapshots.length
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      client.release()
    }
  }

  async page(clusterId: ObjectIdHex, filter: CompletedFilter, now: IsoSeconds, offset: number, limit: number): Promise<SnapshotPage> {
    const where = `cluster_id = $1 AND ${UNEXPIRED} ${COMPLETION[filter]}`
    const [items, count] = await Promise.all([
      this.pool.query<SnapshotRow>(
        `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE ${where} ORDER BY created DESC, id DESC LIMIT $3 OFFSET $4`,
        [clusterId, now, limit, offset],
      ),
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM snapshots WHERE ${where}`, [clusterId, now]),
    ])
    return { items: items.rows.map(snapshotFromRow), totalCount: count.rows[0]?.n ?? 0 }
  }

  async get(clusterId: ObjectIdHex, id: ObjectIdHex, now: IsoSeconds): Promise<Snapshot | undefined> {
    const { rows } = await this.pool.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = $1 AND ${UNEXPIRED} AND id = $3`,
      [clusterId, now, id],
    )
    return rows[0] && snapshotFromRow(rows[0])
  }

  async ofCluster(clusterId: ObjectIdHex): Promise<Snapshot[]> {
    const { rows } = await this.pool.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = $1 ORDER BY created, id`,
      [clusterId],
    )
    return rows.map(snapshotFromRow)
  }

  async base(clusterId: ObjectIdHex, at: IsoSeconds, now: IsoSeconds): Promise<Snapshot | undefined> {
    const { rows } = await this.pool.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE cluster_id = $1 AND ${UNEXPIRED} AND created <= $3
         AND completed_at IS NOT NULL ORDER BY created DESC, id DESC LIMIT 1`,
      [clusterId, now, at],
    )
    return rows[0] && snapshotFromRow(rows[0])
  }

  async floor(clusterId: ObjectIdHex, now: IsoSeconds): Promise<IsoSeconds | null> {
    const { rows } = await this.pool.query<{ floor: string | null }>(
      `SELECT min(created) AS floor FROM snapshots WHERE cluster_id = $1 AND ${UNEXPIRED} AND completed_at IS NOT NULL`,
      [clusterId, now],
    )
    return rows[0]?.floor ?? null
  }

  async delete(clusterId: ObjectIdHex, id: ObjectIdHex): Promise<boolean> {
    return (await notifying(this.pool, 'DELETE FROM snapshots WHERE id = $1 AND cluster_id = $2', [id, clusterId])) === 1
  }

  async deleteExpired(now: IsoSeconds, limit: number): Promise<number> {
    return notifying(
      this.pool,
      `DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots WHERE expires IS NOT NULL AND expires <= $1 ORDER BY expires LIMIT $2)`,
      [now, limit],
    )
  }

  async nextExpiry(now: IsoSeconds): Promise<IsoSeconds | null> {
    const { rows } = await this.pool.query<{ next: string | null }>(
      'SELECT min(expires) AS next FROM snapshots WHERE expires IS NOT NULL AND expires > $1',
      [now],
    )
    return rows[0]?.next ?? null
  }

  async getSettings(clusterId: ObjectIdHex): Promise<SnapshotSettings | undefined> {
    const { rows } = await this.pool.query<{ settings: string }>('SELECT settings FROM snapshot_settings WHERE cluster_id = $1', [clusterId])
    return rows[0] && settingsFromJson(rows[0].settings)
  }

  async putSettings(clusterId: ObjectIdHex, settings: SnapshotSettings): Promise<void> {
    await notifying(
      this.pool,
      `INSERT INTO snapshot_settings (cluster_id, settings) VALUES ($1, $2)
       ON CONFLICT (cluster_id) DO UPDATE SET settings = EXCLUDED.settings`,
      [clusterId, settingsToJson(settings)],
    )
  }
}

/** Inside a delete's transaction: what deleting a cluster removes here. */
export async function deleteSnapshotsOfCluster(client: pg.PoolClient, clusterId: string): Promise<void> {
  await client.query('DELETE FROM snapshots WHERE cluster_id = $1', [clusterId])
  await client.query('DELETE FROM snapshot_settings WHERE cluster_id = $1', [clusterId])
}

/** Inside `reset`'s transaction. */
export async function deleteAllSnapshots(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM snapshots')
  await client.query('DELETE FROM snapshot_settings')
}
