import type pg from 'pg'
import { PruneSchedule } from '../prune-schedule.js'
import type { StoreClock } from '../store.js'
import { TurnBatch } from '../turn-batch.js'
import { readNamed } from './postgres-connection.js'

/** One Digest nonce lease to claim (`Store.claimNonceLease`). */
interface LeaseClaim {
  readonly nonce: string
  readonly owner: string
  readonly expiresAt: number
}

/**
 * The owner of the nonce's lease after the claim: the claimant if the row is new, else whoever holds it.
 * A row another transaction committed after this statement's snapshot (the conflict waited for it) is
 * not seen by the second SELECT: no row, which the caller takes as "held by another".
 */
const CLAIM_ONE = `WITH claim AS (
    INSERT INTO digest_nonce_leases (nonce, owner, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING RETURNING owner)
  SELECT owner FROM claim
  UNION ALL SELECT owner FROM digest_nonce_leases WHERE nonce = $1 AND NOT EXISTS (SELECT 1 FROM claim)`

/** The claims of one event-loop turn, as CLAIM_ONE; a nonce repeated in the batch is inserted once. */
const CLAIM_MANY = `WITH claim AS (
    INSERT INTO digest_nonce_leases (nonce, owner, expires_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT DO NOTHING RETURNING nonce, owner)
  SELECT nonce, owner FROM claim
  UNION ALL SELECT nonce, owner FROM digest_nonce_leases
    WHERE nonce = ANY($1::text[]) AND nonce NOT IN (SELECT nonce FROM claim)`

/**
 * The nonces slot of the PostgreSQL engine: Digest nonce leases, so that processes sharing one database
 * never accept the same nonce twice.
 */
export class PostgresNonces {
  private readonly prune = new PruneSchedule()

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: StoreClock,
  ) {}

  async claim(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.clock() / 1000)
    if (this.prune.due(nowSeconds)) {
      await this.pool.query('DELETE FROM digest_nonce_leases WHERE expires_at <= $1', [nowSeconds])
    }
    return this.claims.add({ nonce, owner, expiresAt: Math.floor(expiresAtSeconds) })
  }

  /**
   * The lease claims of one event-loop turn in one statement, one round trip (a lone claim keeps the
   * simple one). Each request still waits for its lease to be stored before it is answered.
   */
  private readonly claims = new TurnBatch<LeaseClaim, boolean>(async (claims) => {
    const [only] = claims
    if (claims.length === 1 && only !== undefined) {
      const [row] = await readNamed<{ owner: string }>(this.pool, 'claimNonceLease', CLAIM_ONE, [only.nonce, only.owner, only.expiresAt])
      return [row?.owner === only.owner]
    }
    const rows = await readNamed<{ nonce: string; owner: string }>(this.pool, 'claimNonceLeases', CLAIM_MANY, [
      claims.map((c) => c.nonce),
      claims.map((c) => c.owner),
      claims.map((c) => c.expiresAt),
    ])
    const owners = new Map(rows.map((row) => [row.nonce, row.owner]))
    return claims.map((c) => owners.get(c.nonce) === c.owner)
  })
}
