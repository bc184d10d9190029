import type pg from 'pg'
import type { PoolClient, QueryResultRow } from 'pg'
import type { Checkpoint, IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import { compareKeys, firstChanged, numberEntering, planRanks, type OrderKey } from '../rank-plan.js'
import { checkpointFromRow, partsToJson, type CheckpointRow } from '../row-mapping.js'
import type { CheckpointKey, CheckpointPage, PageRequest } from '../store.js'
import { NOTIFY_CHANGE } from './postgres-change-listener.js'
import { APPLY_LOCK, chunks, inWriteTransaction, named, notifying, readNamed, write } from './postgres-connection.js'

/** Rows per multi-row INSERT of an `apply`. */
const BATCH = 5_000

/** A seq below any real one (seq is an INTEGER here): renumbering "after" it renumbers the whole cluster. */
const BEFORE_ALL = -2_147_483_648

const CHECKPOINT_COLUMNS = 'id, cluster_id, group_id, timestamp, started, completed, restorable, parts'

/** The statements of the checkpoints slot, prepared once per connection by name. */
const READS = {
  getCheckpoint: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE id = $1 AND cluster_id = $2`,
  /**
   * One round trip for a page: the cluster's seq range from both ends of the (cluster_id, seq) index,
   * then the page's rows by seq range ($2 = offset, $3 = limit). A page past the end, or of an empty
   * cluster, is one row of NULL checkpoint columns that still carries the range.
   */
  page: `WITH r AS (
      SELECT (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo,
             (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1) AS hi
    )
    SELECT r.lo, r.hi, c.* FROM r LEFT JOIN LATERAL (
      SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
      WHERE cluster_id = $1 AND seq <= r.hi::bigint - $2::bigint AND seq > r.hi::bigint - $2::bigint - $3::bigint
      ORDER BY seq DESC
    ) AS c ON true`,
  seqRange: `SELECT (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo,
      (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1) AS hi`,
  keyAtSeq: 'SELECT timestamp, id FROM checkpoints WHERE cluster_id = $1 AND seq = $2 LIMIT 1',
  firstFromOldest: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT $2`,
  /**
   * One statement, so one snapshot: `at` is the seq of the key ($2 id, $3 timestamp) when it is stored at
   * that place in the cluster, and the rows are those after it by seq (an index range). `at` NULL: the key
   * is not stored there, see afterKey. No rows after it: one row of NULL checkpoint columns.
   */
  afterStoredKey: `WITH k AS (
      SELECT (SELECT seq FROM checkpoints WHERE id = $2 AND cluster_id = $1 AND timestamp = $3) AS at
    )
    SELECT k.at, c.* FROM k LEFT JOIN LATERAL (
      SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
      WHERE cluster_id = $1 AND seq > k.at ORDER BY seq ASC LIMIT $4
    ) AS c ON true`,
  /** After a key that is not stored at its place: a scan in seq order from the cluster's oldest. */
  afterKey: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints
    WHERE cluster_id = $1 AND (timestamp > $3 OR (timestamp = $3 AND id > $2))
    ORDER BY seq ASC LIMIT $4`,
  /** A stored key's count is its distance from the oldest seq (a dense rank); otherwise a count. */
  countUpTo: `WITH k AS (
      SELECT (SELECT seq FROM checkpoints WHERE id = $2 AND cluster_id = $1 AND timestamp = $3) AS at,
             (SELECT seq FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1) AS lo
    )
    SELECT CASE WHEN k.at IS NOT NULL THEN k.at - k.lo + 1
      ELSE (SELECT count(*) FROM checkpoints
            WHERE cluster_id = $1 AND (timestamp < $3 OR (timestamp = $3 AND id <= $2))) END AS n
    FROM k`,
} as const

function statement(name: keyof typeof READS, values: unknown[]) {
  return named(name, READS[name], values)
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
}

/**
 * The checkpoints slot of the PostgreSQL engine: pages by a dense per-cluster rank (`seq`) of
 * (timestamp, id), reads after a key, expiry, pruning and deletes that keep the rank dense.
 */
export class PostgresCheckpoints {
  constructor(private readonly pool: pg.Pool) {}

  private read<R extends QueryResultRow>(name: keyof typeof READS, values: unknown[]): Promise<R[]> {
    return readNamed<R>(this.pool, name, READS[name], values)
  }

  async page(clusterId: ObjectIdHex, page: PageRequest): Promise<CheckpointPage> {
    const { offset, limit } = page
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Invalid page offset ${offset}`)
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid page limit ${limit}`)
    const rows = await this.read<{ lo: number | null; hi: number | null } & Partial<CheckpointRow>>('page', [
      clusterId,
      offset,
      limit,
    ])
    const first = rows[0]
    if (!first || first.lo === null || first.hi === null) return { items: [], totalCount: 0 }
    const totalCount = first.hi - first.lo + 1
    if (offset >= totalCount || first.id == null) return { items: [], totalCount }
    return { items: rows.map((row) => checkpointFromRow(row as CheckpointRow)), totalCount }
  }

  async get(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const [row] = await this.read<CheckpointRow>('getCheckpoint', [checkpointId, clusterId])
    return row && checkpointFromRow(row)
  }

  async find(checkpointId: ObjectIdHex): Promise<Checkpoint | undefined> {
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE id = $1`, [checkpointId])
    return rows[0] && checkpointFromRow(rows[0])
  }

  async after(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Promise<Checkpoint[]> {
    checkLimit(limit)
    if (after === undefined) {
      return (await this.read<CheckpointRow>('firstFromOldest', [clusterId, limit])).map(checkpointFromRow)
    }
    const values = [clusterId, after.id, after.timestamp, limit]
    const rows = await this.read<{ at: number | null } & Partial<CheckpointRow>>('afterStoredKey', values)
    if (rows[0]?.at == null) {
      return (await this.read<CheckpointRow>('afterKey', values)).map(checkpointFromRow)
    }
    return rows.filter((row) => row.id != null).map((row) => checkpointFromRow(row as CheckpointRow))
  }

  async countUpTo(clusterId: ObjectIdHex, key: CheckpointKey): Promise<number> {
    // count(*) is a BIGINT, which comes back as a string.
    const [row] = await this.read<{ n: string | number }>('countUpTo', [clusterId, key.id, key.timestamp])
    return Number(row?.n ?? 0)
  }

  async expire(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    // The partial index of restorable checkpoints: only the ones still restorable are read.
    return notifying(
      this.pool,
      `UPDATE checkpoints SET restorable = false WHERE id IN (
         SELECT id FROM checkpoints WHERE cluster_id = $1 AND restorable AND timestamp < $2
         ORDER BY timestamp LIMIT $3)`,
      [clusterId, before, limit],
    )
  }

  async prune(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): Promise<number> {
    checkLimit(limit)
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        // The oldest ranks lo .. lo + limit - 1 that are before the time: a prefix, so the rest stay dense.
        // Under the apply lock, so that no apply plans ranks from a lo that is going away.
        await client.query(APPLY_LOCK)
        const [range] = (await client.query<{ lo: number | null }>(statement('seqRange', [clusterId]))).rows
        const lo = range?.lo ?? null
        const deleted =
          lo === null
            ? 0
            : ((
                await client.query(
                  'DELETE FROM checkpoints WHERE cluster_id = $1 AND seq >= $2 AND seq < $3 AND timestamp < $4',
                  [clusterId, lo, lo + limit, before],
                )
              ).rowCount ?? 0)
        if (deleted > 0) await client.query(NOTIFY_CHANGE)
        await client.query('COMMIT')
        return deleted
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    } finally {
      client.release()
    }
  }

  /** Removes one checkpoint and closes the gap in the rank from the nearer end. */
  async delete(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Promise<boolean> {
    return inWriteTransaction(this.pool, async (client) => {
      const [range] = (await client.query<{ lo: number | null; hi: number | null }>(statement('seqRange', [clusterId]))).rows
      const removed = await client.query<{ seq: number }>(
        'DELETE FROM checkpoints WHERE id = $1 AND cluster_id = $2 RETURNING seq',
        [checkpointId, clusterId],
      )
      const seq = removed.rows[0]?.seq
      if (seq === undefined) return false
      const lo = range?.lo ?? seq
      const hi = range?.hi ?? seq
      if (seq - lo <= hi - seq) {
        await client.query('UPDATE checkpoints SET seq = seq + 1 WHERE cluster_id = $1 AND seq < $2', [clusterId, seq])
      } else {
        await client.query('UPDATE checkpoints SET seq = seq - 1 WHERE cluster_id = $1 AND seq > $2', [clusterId, seq])
      }
      return true
    })
  }
}

/**
 * Writes checkpoints and keeps each cluster's seq a dense rank of (timestamp, id), as the SQLite engine
 * does: only the places from the smallest changed (timestamp, id) of a cluster onwards can move, so each
 * affected cluster is renumbered from there (one UPDATE … FROM with row_number()); everything before
 * keeps its seq. Checkpoints that all come after a cluster's newest are simply numbered on from its max.
 */
export async function writeCheckpoints(client: PoolClient, checkpoints: readonly Checkpoint[]): Promise<number> {
  if (checkpoints.length === 0) return 0
  const places = new Map<string, { id: string; cluster_id: string; timestamp: string; seq: number }>()
  for (const batch of chunks(checkpoints, BATCH)) {
    const rows = await write<{ id: string; cluster_id: string; timestamp: string; seq: number }>(
      client,
      'SELECT id, cluster_id, timestamp, seq FROM checkpoints WHERE id = ANY($1::text[])',
      [batch.map((cp) => cp.id)],
    )
    for (const row of rows) places.set(row.id, row)
  }
  const { plans, seqOf } = planRanks(checkpoints, places)

  const renumber: Array<{ clusterId: string; after: number }> = []
  for (const [clusterId, plan] of plans) {
    const [range] = await client.query<{ lo: number | null; hi: number | null }>(
      statement('seqRange', [clusterId]),
    ).then((r) => r.rows)
    const lo = range?.lo ?? null
    const hi = range?.hi ?? null
    const first = firstChanged(plan)
    if (!first) continue
    const after = lo === null || hi === null ? 0 : await lastSeqBefore(client, clusterId, first, lo, hi)
    if (numberEntering(plan, after, hi, seqOf, BEFORE_ALL)) renumber.push({ clusterId, after })
  }

  for (const batch of chunks(checkpoints, BATCH)) {
    await write(
      client,
      `INSERT INTO checkpoints (id, cluster_id, group_id, seq, timestamp, started, completed, restorable, parts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
         $8::boolean[], $9::text[])
       ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, group_id = excluded.group_id,
         seq = excluded.seq, timestamp = excluded.timestamp, started = excluded.started,
         completed = excluded.completed, restorable = excluded.restorable, parts = excluded.parts`,
      [
        batch.map((cp) => cp.id),
        batch.map((cp) => cp.clusterId),
        batch.map((cp) => cp.groupId),
        batch.map((cp) => seqOf.get(cp.id) ?? 0),
        batch.map((cp) => cp.timestamp),
        batch.map((cp) => cp.started),
        batch.map((cp) => cp.completed ?? null),
        batch.map((cp) => cp.restorable),
        batch.map((cp) => partsToJson(cp.parts)),
      ],
    )
  }
  for (const { clusterId, after } of renumber) {
    await write(
      client,
      `UPDATE checkpoints AS c SET seq = r.rn
       FROM (SELECT id, $3::int + row_number() OVER (ORDER BY timestamp, id) AS rn
             FROM checkpoints WHERE cluster_id = $1 AND seq > $2::int) AS r
       WHERE c.id = r.id AND c.seq <> r.rn`,
      [clusterId, after, after === BEFORE_ALL ? 0 : after],
    )
  }
  return checkpoints.length
}

/**
 * The seq of the cluster's last checkpoint ordered before `key`, by binary search over the dense seqs
 * lo..hi (a point lookup on the index per step); lo - 1 when none is. Should the seqs not be dense after
 * all, {@link BEFORE_ALL}, so that the whole cluster is renumbered.
 */
async function lastSeqBefore(
  client: PoolClient,
  clusterId: string,
  key: OrderKey,
  lo: number,
  hi: number,
): Promise<number> {
  const keyAt = async (seq: number): Promise<OrderKey | undefined> =>
    (await client.query<OrderKey>(statement('keyAtSeq', [clusterId, seq]))).rows[0]
  const newest = await keyAt(hi)
  if (!newest) return BEFORE_ALL
  if (compareKeys(newest, key) < 0) return hi
  let below = lo - 1
  let above = hi
  while (above - below > 1) {
    const mid = Math.floor((below + above) / 2)
    const k = await keyAt(mid)
    if (!k) return BEFORE_ALL
    if (compareKeys(k, key) < 0) below = mid
    else above = mid
  }
  return below
}
