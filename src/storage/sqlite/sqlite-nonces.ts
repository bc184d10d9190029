import type Database from 'better-sqlite3'
import { PruneSchedule } from '../prune-schedule.js'
import type { StoreClock } from '../store.js'
import { TurnBatch } from '../turn-batch.js'

/** One Digest nonce lease to claim (`Store.claimNonceLease`). */
interface LeaseClaim {
  readonly nonce: string
  readonly owner: string
  readonly expiresAt: number
}

function prepare(db: Database.Database) {
  return {
    claimNonceLease: db.prepare<[string, string, number]>(
      'INSERT INTO digest_nonce_leases (nonce, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    nonceLeaseOwner: db.prepare<[string], string>('SELECT owner FROM digest_nonce_leases WHERE nonce = ?').pluck(),
    forgetExpiredNonceLeases: db.prepare<[number]>('DELETE FROM digest_nonce_leases WHERE expires_at <= ?'),
  }
}

/**
 * The nonces slot of the SQLite engine: Digest nonce leases, so that processes sharing one file never
 * accept the same nonce twice.
 */
export class SqliteNonces {
  private readonly stmt: ReturnType<typeof prepare>
  private readonly prune = new PruneSchedule()
  private readonly claims: TurnBatch<LeaseClaim, boolean>

  constructor(
    db: Database.Database,
    private readonly clock: StoreClock,
  ) {
    this.stmt = prepare(db)
    const claimTransaction = db.transaction((claims: readonly LeaseClaim[]) => this.claimSync(claims))
    this.claims = new TurnBatch((claims) => (claims.length === 1 ? this.claimSync(claims) : claimTransaction.immediate(claims)))
  }

  claim(nonce: string, owner: string, expiresAtSeconds: number): Promise<boolean> {
    return this.claims.add({ nonce, owner, expiresAt: Math.floor(expiresAtSeconds) })
  }

  /**
   * The lease claims of one event-loop turn in one immediate transaction: one commit instead of one per
   * request. Each is stored before its request is answered, so another process sharing the file finds
   * the nonce leased at once. A nonce already leased answers whether `owner` is the one holding it (a
   * claim retried after an error whose insert had committed finds its own row).
   */
  private claimSync(claims: readonly LeaseClaim[]): boolean[] {
    const nowSeconds = Math.floor(this.clock() / 1000)
    if (this.prune.due(nowSeconds)) this.stmt.forgetExpiredNonceLeases.run(nowSeconds)
    return claims.map(
      (claim) =>
        this.stmt.claimNonceLease.run(claim.nonce, claim.owner, claim.expiresAt).changes === 1 ||
        this.stmt.nonceLeaseOwner.get(claim.nonce) === claim.owner,
    )
  }
}
