import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto'

const scryptAsync = (password: BinaryLike, salt: BinaryLike, length: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))))

/** scrypt cost: N=2^14, r=8, p=1 (about 16 MiB and tens of milliseconds per hash). */
const COST = { N: 16_384, r: 8, p: 1 } as const
const KEY_LENGTH = 32

/** A new service account client id in the real format: `mdb_sa_id_` and 24 hex characters. */
export function newClientId(): string {
  return `mdb_sa_id_${randomBytes(12).toString('hex')}`
}

/**
 * A new service account identity (`ServiceAccount.uid`): 32 random hex characters, made once when the
 * account is created; tokens carry it, so they never pass to a later account with the same client id.
 */
export function newAccountUid(): string {
  return randomBytes(16).toString('hex')
}

/** A new client secret in the real format: `mdb_sa_sk_` and 40 random characters. */
export function newClientSecret(): string {
  return `mdb_sa_sk_${randomBytes(30).toString('base64url')}`
}

/**
 * A slow, salted hash of a client secret: `scrypt$N$r$p$salt$hash` (base64url). The secret itself is
 * shown once at creation and never stored.
 */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(secret, salt, KEY_LENGTH, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/** Whether `secret` matches a hash made by hashClientSecret; timing-safe, false for a malformed hash. */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
