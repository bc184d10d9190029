import type Database from 'better-sqlite3'
import { checkpointFromRow, type CheckpointRow } from '../row-mapping.js'
import type { CheckpointBounds, CheckpointTally } from '../store.js'
import { checkBetween, checkBoundaries, talliesFromRanks } from '../timeline-checks.js'
import type { Checkpoint, IsoSeconds, ObjectIdHex } from '../../domain/types.js'

/**
 * The timeline's reads on SQLite (Store.tallyCheckpoints, checkpointBounds, checkpointsBetween), by the
 * indexes of migration 6. `INDEXED BY` names each index: should a query stop matching its partial index's
 * predicate, SQLite refuses the statement instead of silently scanning a million rows.
 */
export class SqliteTimeline {
  private readonly stmt: ReturnType<typeof prepare>
  private readonly tallyTransaction: Database.Transaction<(clusterId: string, boundaries: readonly IsoSeconds[]) => CheckpointTally[]>
  private readonly boundsTransaction: Database.Transaction<(clusterId: string) => CheckpointBounds>

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
    this.tallyTransaction = db.transaction((clusterId, boundaries) => this.tallySync(clusterId, boundaries))
    this.boundsTransaction = db.transaction((clusterId) => this.boundsSync(clusterId))
  }

  tally(clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): CheckpointTally[] {
    checkBoundaries(boundaries)
    return this.tallyTransaction.deferred(clusterId, boundaries)
  }

  bounds(clusterId: ObjectIdHex): CheckpointBounds {
    return this.boundsTransaction.deferred(clusterId)
  }

  between(clusterId: ObjectIdHex, from: IsoSeconds, to: IsoSeconds, limit: number): Checkpoint[] {
    checkBetween(from, to, limit)
    return this.stmt.between.all(clusterId, from, to, limit).map(checkpointFromRow)
  }

  private tallySync(clusterId: string, boundaries: readonly IsoSeconds[]): CheckpointTally[] {
    const s = this.stmt
    const past = (s.newestSeq.get(clusterId) ?? 0) + 1
    const ranks = boundaries.map((at) => s.firstSeqFrom.get(clusterId, at) ?? past)
    return talliesFromRanks(boundaries, ranks, (state, _range, from, to) => s[state].get(clusterId, from, to) ?? 0)
  }

  private boundsSync(clusterId: string): CheckpointBounds {
    const s = this.stmt
    const oldest = s.oldest.get(clusterId)
    if (oldest === undefined) return { count: 0, oldest: null, newest: null, newestRestorable: null }
    const newest = s.newest.get(clusterId) ?? oldest
    return {
      count: newest.seq - oldest.seq + 1,
      oldest: oldest.timestamp,
      newest: newest.timestamp,
      newestRestorable: s.newestRestorable.get(clusterId) ?? null,
    }
  }
}

function prepare(db: Database.Database) {
  const count = (index: string, predicate: string) =>
    db.prepare<[string, string, string], number>(
      `SELECT count(*) FROM checkpoints INDEXED BY ${index}
       WHERE cluster_id = ? AND ${predicate} AND timestamp >= ? AND timestamp < ?`,
    ).pluck()
  return {
    firstSeqFrom: db.prepare<[string, string], number>(
      `SELECT seq FROM checkpoints INDEXED BY checkpoints_cluster_time
       WHERE cluster_id = ? AND timestamp >= ? ORDER BY timestamp, seq LIMIT 1`,
    ).pluck(),
    newestSeq: db.prepare<[string], number>('SELECT seq FROM checkpoints WHERE cluster_id = ? ORDER BY seq DESC LIMIT 1').pluck(),
    restorable: count('checkpoints_restorable', 'restorable = 1'),
    inProgress: count('checkpoints_in_progress', 'restorable = 0 AND completed IS NULL'),
    // Word for word the predicate of the index (sqlite-migrations.ts, version 6; row-mapping.ts says why it is exact).
    tokenNotDiscovered: count(
      'checkpoints_undiscovered',
      `restorable = 0 AND completed IS NOT NULL AND (parts GLOB '*,false,"[0-9]*' OR parts GLOB '*"tokenDiscovered":false*')`,
    ),
    oldest: db.prepare<[string], { seq: number; timestamp: string }>(
      'SELECT seq, timestamp FROM checkpoints WHERE cluster_id = ? ORDER BY seq ASC LIMIT 1',
    ),
    newest: db.prepare<[string], { seq: number; timestamp: string }>(
      'SELECT seq, timestamp FROM checkpoints WHERE cluster_id = ? ORDER BY seq DESC LIMIT 1',
    ),
    newestRestorable: db.prepare<[string], string | null>(
      'SELECT max(timestamp) FROM checkpoints INDEXED BY checkpoints_restorable WHERE cluster_id = ? AND restorable = 1',
    ).pluck(),
    between: db.prepare<[string, string, string, number], CheckpointRow>(
      `SELECT id, cluster_id, group_id, timestamp, started, completed, restorable, parts
       FROM checkpoints INDEXED BY checkpoints_cluster_time
       WHERE cluster_id = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, seq LIMIT ?`,
    ),
  }
}
