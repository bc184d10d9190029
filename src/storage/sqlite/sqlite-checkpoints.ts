import type Database from 'better-sqlite3'
import type { Checkpoint, IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import { BEFORE_ALL, compareKeys, firstChanged, numberEntering, planRanks, type OrderKey } from '../rank-plan.js'
import { checkpointFromRow, partsToJson, type CheckpointRow } from '../row-mapping.js'
import type { CheckpointKey, CheckpointPage, PageRequest } from '../store.js'

const SELECT_CHECKPOINT = `SELECT id, cluster_id, group_id, timestamp, started, completed, restorable, parts
  FROM checkpoints`

function prepare(db: Database.Database) {
  return {
    getCheckpoint: db.prepare<[string, string], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE id = ? AND cluster_id = ?`,
    ),
    findCheckpoint: db.prepare<[string], CheckpointRow>(`${SELECT_CHECKPOINT} WHERE id = ?`),
    seqRange: db.prepare<[string, string], { lo: number | null; hi: number | null }>(
      `SELECT (SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq ASC LIMIT 1) AS lo,
              (SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq DESC LIMIT 1) AS hi`,
    ),
    pageBySeq: db.prepare<[string, number, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? AND seq <= ? AND seq > ? ORDER BY seq DESC`,
    ),
    keyAtSeq: db.prepare<[string, number], OrderKey>(
      'SELECT timestamp, id FROM checkpoints WHERE cluster_id = ? AND seq = ?',
    ),
    /** Where the checkpoints of a JSON array of ids are now: one statement for a whole batch. */
    placesOf: db.prepare<[string], { id: string; cluster_id: string; timestamp: string; seq: number }>(
      `SELECT c.id, c.cluster_id, c.timestamp, c.seq
       FROM json_each(?) AS j JOIN checkpoints AS c ON c.id = j.value`,
    ),
    upsertCheckpoint: db.prepare<
      [string, string, string, number, string, string, string | null, number, string]
    >(
      `INSERT INTO checkpoints (id, cluster_id, group_id, seq, timestamp, started, completed, restorable, parts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, group_id = excluded.group_id,
         seq = excluded.seq, timestamp = excluded.timestamp, started = excluded.started,
         completed = excluded.completed, restorable = excluded.restorable, parts = excluded.parts`,
    ),
    renumberAfter: db.prepare<{ clusterId: string; after: number; base: number }>(
      `UPDATE checkpoints SET seq = r.rn
       FROM (SELECT id, @base + row_number() OVER (ORDER BY timestamp, id) AS rn
             FROM checkpoints WHERE cluster_id = @clusterId AND seq > @after) AS r
       WHERE checkpoints.id = r.id AND checkpoints.seq <> r.rn`,
    ),
    /** By the partial index of restorable checkpoints: only the ones that are still restorable are read. */
    expireCheckpoints: db.prepare<[string, string, number]>(
      `UPDATE checkpoints SET restorable = 0 WHERE id IN (
         SELECT id FROM checkpoints WHERE cluster_id = ? AND restorable = 1 AND timestamp < ?
         ORDER BY timestamp LIMIT ?)`,
    ),
    /** The oldest checkpoints, seq lo .. lo + limit - 1, that are before a time: a prefix of the ranks. */
    pruneOldest: db.prepare<[string, number, number, string]>(
      'DELETE FROM checkpoints WHERE cluster_id = ? AND seq >= ? AND seq < ? AND timestamp < ?',
    ),
    /** The seq of a checkpoint still at that place in that cluster. */
    seqAt: db.prepare<[string, string, string], number>(
      'SELECT seq FROM checkpoints WHERE id = ? AND cluster_id = ? AND timestamp = ?',
    ).pluck(),
    oldestSeq: db.prepare<[string], number>(
      'SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq ASC LIMIT 1',
    ).pluck(),
    firstFromOldest: db.prepare<[string, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? ORDER BY seq ASC LIMIT ?`,
    ),
    afterSeq: db.prepare<[string, number, number], CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
    ),
    /** After a key that is not stored at its place: a scan of the cluster in seq order from its oldest. */
    afterKey: db.prepare<{ clusterId: string; timestamp: string; id: string; limit: number }, CheckpointRow>(
      `${SELECT_CHECKPOINT} WHERE cluster_id = @clusterId
         AND (timestamp > @timestamp OR (timestamp = @timestamp AND id > @id))
       ORDER BY seq ASC LIMIT @limit`,
    ),
    countUpToKey: db.prepare<{ clusterId: string; timestamp: string; id: string }, number>(
      `SELECT count(*) FROM checkpoints WHERE cluster_id = @clusterId
         AND (timestamp < @timestamp OR (timestamp = @timestamp AND id <= @id))`,
    ).pluck(),
    seqOf: db.prepare<[string, string], number>('SELECT seq FROM checkpoints WHERE id = ? AND cluster_id = ?').pluck(),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM checkpoints WHERE id = ?'),
    raiseBelow: db.prepare<[string, number]>('UPDATE checkpoints SET seq = seq + 1 WHERE cluster_id = ? AND seq < ?'),
    lowerAbove: db.prepare<[string, number]>('UPDATE checkpoints SET seq = seq - 1 WHERE cluster_id = ? AND seq > ?'),
  }
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid limit ${limit}`)
}

/**
 * The checkpoints slot of the SQLite engine: pages by a dense per-cluster rank (`seq`) of (timestamp, id),
 * reads after a key, expiry and pruning, and writes that keep the rank dense. Synchronous, like
 * better-sqlite3; the transactions that need several statements are this class's own.
 */
export class SqliteCheckpoints {
  private readonly stmt: ReturnType<typeof prepare>
  private readonly afterTransaction: Database.Transaction<
    (clusterId: string, after: CheckpointKey | undefined, limit: number) => CheckpointRow[]
  >
  private readonly pruneTransaction: Database.Transaction<(clusterId: string, before: string, limit: number) => number>
  private readonly deleteTransaction: Database.Transaction<(clusterId: string, checkpointId: string) => boolean>

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
    this.afterTransaction = db.transaction((clusterId, after, limit) => this.afterSync(clusterId, after, limit))
    this.pruneTransaction = db.transaction((clusterId: string, before: string, limit: number) => {
      const { lo } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null }
      return lo === null ? 0 : this.stmt.pruneOldest.run(clusterId, lo, lo + limit, before).changes
    })
    this.deleteTransaction = db.transaction((clusterId: string, checkpointId: string) => this.deleteSync(clusterId, checkpointId))
  }

  page(clusterId: ObjectIdHex, page: PageRequest): CheckpointPage {
    const { offset, limit } = page
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Invalid page offset ${offset}`)
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Invalid page limit ${limit}`)
    const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
    if (lo === null || hi === null) return { items: [], totalCount: 0 }
    const totalCount = hi - lo + 1
    if (offset >= totalCount) return { items: [], totalCount }
    const top = hi - offset
    const rows = this.stmt.pageBySeq.all(clusterId, top, top - limit)
    return { items: rows.map(checkpointFromRow), totalCount }
  }

  get(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): Checkpoint | undefined {
    const row = this.stmt.getCheckpoint.get(checkpointId, clusterId)
    return row && checkpointFromRow(row)
  }

  find(checkpointId: ObjectIdHex): Checkpoint | undefined {
    const row = this.stmt.findCheckpoint.get(checkpointId)
    return row && checkpointFromRow(row)
  }

  after(clusterId: ObjectIdHex, after: CheckpointKey | undefined, limit: number): Checkpoint[] {
    checkLimit(limit)
    return this.afterTransaction.deferred(clusterId, after, limit).map(checkpointFromRow)
  }

  countUpTo(clusterId: ObjectIdHex, key: CheckpointKey): number {
    const seq = this.stmt.seqAt.get(key.id, clusterId, key.timestamp)
    const oldest = this.stmt.oldestSeq.get(clusterId)
    // Seqs are a dense rank of (timestamp, id): a stored key's count is its distance from the oldest.
    if (seq !== undefined && oldest !== undefined) return seq - oldest + 1
    return this.stmt.countUpToKey.get({ clusterId, timestamp: key.timestamp, id: key.id }) ?? 0
  }

  expire(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): number {
    return this.stmt.expireCheckpoints.run(clusterId, before, limit).changes
  }

  prune(clusterId: ObjectIdHex, before: IsoSeconds, limit: number): number {
    return this.pruneTransaction.immediate(clusterId, before, limit)
  }

  delete(clusterId: ObjectIdHex, checkpointId: ObjectIdHex): boolean {
    return this.deleteTransaction.immediate(clusterId, checkpointId)
  }

  /**
   * Checkpoints after a key, by seq when the key is stored at its place (an index range), otherwise by
   * comparing keys (a scan from the cluster's oldest, only until the first `limit` after the key).
   */
  private afterSync(clusterId: string, after: CheckpointKey | undefined, limit: number): CheckpointRow[] {
    if (after === undefined) return this.stmt.firstFromOldest.all(clusterId, limit)
    const seq = this.stmt.seqAt.get(after.id, clusterId, after.timestamp)
    if (seq !== undefined) return this.stmt.afterSeq.all(clusterId, seq, limit)
    return this.stmt.afterKey.all({ clusterId, timestamp: after.timestamp, id: after.id, limit })
  }

  /** Removes one checkpoint and closes the gap in the rank from the nearer end. */
  private deleteSync(clusterId: string, checkpointId: string): boolean {
    const seq = this.stmt.seqOf.get(checkpointId, clusterId)
    if (seq === undefined) return false
    const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
    this.stmt.deleteCheckpoint.run(checkpointId)
    if (lo !== null && hi !== null) {
      if (seq - lo <= hi - seq) this.stmt.raiseBelow.run(clusterId, seq)
      else this.stmt.lowerAbove.run(clusterId, seq)
    }
    return true
  }

  /**
   * Writes checkpoints (inside the caller's transaction) and keeps each cluster's seq a dense rank of
   * (timestamp, id).
   *
   * Only the places from the smallest changed (timestamp, id) of a cluster onwards can move, so each
   * affected cluster is renumbered from there (one UPDATE with row_number()); everything before keeps its
   * seq. Checkpoints that all come after a cluster's newest are simply numbered on from its max.
   */
  writeSync(checkpoints: readonly Checkpoint[]): number {
    const places = new Map(
      this.stmt.placesOf.all(JSON.stringify(checkpoints.map((cp) => cp.id))).map((row) => [row.id, row]),
    )
    const { plans, seqOf } = planRanks(checkpoints, places)

    const renumber: Array<{ clusterId: string; after: number }> = []
    for (const [clusterId, plan] of plans) {
      const { lo, hi } = this.stmt.seqRange.get(clusterId, clusterId) ?? { lo: null, hi: null }
      const first = firstChanged(plan)
      if (!first) continue
      const after = lo === null || hi === null ? 0 : this.lastSeqBefore(clusterId, first, lo, hi)
      if (numberEntering(plan, after, hi, seqOf)) renumber.push({ clusterId, after })
    }

    for (const cp of checkpoints) {
      this.stmt.upsertCheckpoint.run(
        cp.id,
        cp.clusterId,
        cp.groupId,
        seqOf.get(cp.id) ?? 0,
        cp.timestamp,
        cp.started,
        cp.completed ?? null,
        cp.restorable ? 1 : 0,
        partsToJson(cp.parts),
      )
    }
    for (const { clusterId, after } of renumber) {
      this.stmt.renumberAfter.run({ clusterId, after, base: after === BEFORE_ALL ? 0 : after })
    }
    return checkpoints.length
  }

  /**
   * The seq of the cluster's last checkpoint ordered before `key`, by binary search over the dense seqs
   * lo..hi (a point lookup on the index per step); lo - 1 when none is. Should the seqs not be dense
   * after all, {@link BEFORE_ALL}, so that the whole cluster is renumbered.
   */
  private lastSeqBefore(clusterId: string, key: OrderKey, lo: number, hi: number): number {
    const keyAt = (seq: number) => this.stmt.keyAtSeq.get(clusterId, seq)
    const newest = keyAt(hi)
    if (!newest) return BEFORE_ALL
    if (compareKeys(newest, key) < 0) return hi
    let below = lo - 1
    let above = hi
    while (above - below > 1) {
      const mid = Math.floor((below + above) / 2)
      const k = keyAt(mid)
      if (!k) return BEFORE_ALL
      if (compareKeys(k, key) < 0) below = mid
      else above = mid
    }
    return below
  }
}
