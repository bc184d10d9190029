import type pg from 'pg'
import type { Checkpoint, IsoSeconds, ObjectIdHex } from '../../domain/types.js'
import { checkpointFromRow, type CheckpointRow } from '../row-mapping.js'
import type { CheckpointBounds, CheckpointTally } from '../store.js'
import { checkBetween, checkBoundaries, talliesFromRanks } from '../timeline-checks.js'

/**
 * The timeline's reads on PostgreSQL (Store.tallyCheckpoints, checkpointBounds, checkpointsBetween), each
 * one statement (one snapshot, one round trip) over the indexes of migration 6: per boundary an index
 * seek for the first dense rank at or after it, and counts over the partial indexes of the states.
 */
const READS = {
  tally: `
    SELECT b.i::int AS i,
      (SELECT seq FROM checkpoints c WHERE c.cluster_id = $1 AND c.timestamp >= b.lo ORDER BY c.timestamp, c.seq LIMIT 1) AS first_seq,
      (SELECT count(*) FROM checkpoints c WHERE c.cluster_id = $1 AND c.restorable
         AND c.timestamp >= b.lo AND c.timestamp < b.hi)::int AS restorable,
      (SELECT count(*) FROM checkpoints c WHERE c.cluster_id = $1 AND NOT restorable AND completed IS NULL
         AND c.timestamp >= b.lo AND c.timestamp < b.hi)::int AS in_progress,
      -- Word for word the predicate of checkpoints_undiscovered (postgres-migrations.ts, version 6).
      (SELECT count(*) FROM checkpoints c WHERE c.cluster_id = $1
         AND NOT restorable AND completed IS NOT NULL AND (parts ~ ',false,"[0-9]' OR strpos(parts, '"tokenDiscovered":false') > 0)
         AND c.timestamp >= b.lo AND c.timestamp < b.hi)::int AS undiscovered,
      (SELECT seq FROM checkpoints c WHERE c.cluster_id = $1 ORDER BY seq DESC LIMIT 1) AS newest_seq
    FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS b(lo, hi, i)
    ORDER BY b.i`,
  bounds: `
    WITH o AS (SELECT seq, timestamp FROM checkpoints WHERE cluster_id = $1 ORDER BY seq ASC LIMIT 1),
         n AS (SELECT seq, timestamp FROM checkpoints WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1)
    SELECT o.seq AS lo, o.timestamp AS oldest, n.seq AS hi, n.timestamp AS newest,
      (SELECT max(timestamp) FROM checkpoints WHERE cluster_id = $1 AND restorable) AS newest_restorable
    FROM o, n`,
  between: `
    SELECT id, cluster_id, group_id, timestamp, started, completed, restorable, parts FROM checkpoints
    WHERE cluster_id = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY timestamp, seq LIMIT $4`,
} as const

interface TallyRow {
  readonly i: number
  readonly first_seq: number | null
  readonly restorable: number
  readonly in_progress: number
  readonly undiscovered: number
  readonly newest_seq: number | null
}

type Queryable = Pick<pg.Pool, 'query'>

function named(name: keyof typeof READS, values: unknown[]): pg.QueryConfig {
  return { name: `waymark_timeline_${name}`, text: READS[name], values }
}

export async function tallyCheckpoints(pool: Queryable, clusterId: ObjectIdHex, boundaries: readonly IsoSeconds[]): Promise<CheckpointTally[]> {
  checkBoundaries(boundaries)
  // The last boundary is a range of its own with no end: only its first rank is used.
  const ends = [...boundaries.slice(1), null]
  const rows = (await pool.query<TallyRow>(named('tally', [clusterId, boundaries, ends]))).rows
  const past = (rows[0]?.newest_seq ?? 0) + 1
  const ranks = rows.map((row) => row.first_seq ?? past)
  return talliesFromRanks(boundaries, ranks, (state, range) => {
    const row = rows[range]
    if (row === undefined) return 0
    return state === 'restorable' ? row.restorable : state === 'inProgress' ? row.in_progress : row.undiscovered
  })
}

export async function checkpointBounds(pool: Queryable, clusterId: ObjectIdHex): Promise<CheckpointBounds> {
  const [row] = (
    await pool.query<{ lo: number; oldest: string; hi: number; newest: string; newest_restorable: string | null }>(named('bounds', [clusterId]))
  ).rows
  if (row === undefined) return { count: 0, oldest: null, newest: null, newestRestorable: null }
  return { count: row.hi - row.lo + 1, oldest: row.oldest, newest: row.newest, newestRestorable: row.newest_restorable }
}

export async function checkpointsBetween(
  pool: Queryable,
  clusterId: ObjectIdHex,
  from: IsoSeconds,
  to: IsoSeconds,
  limit: number,
): Promise<Checkpoint[]> {
  checkBetween(from, to, limit)
  return (await pool.query<CheckpointRow>(named('between', [clusterId, from, to, limit]))).rows.map(checkpointFromRow)
}
