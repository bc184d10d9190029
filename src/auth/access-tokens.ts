import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** What a bearer token says: whose it is, when it ends, and its id for revocation. */
export interface TokenClaims {
  /** The service account's client id. */
  readonly sub: string
  /** The account's own identity (`ServiceAccount.uid`): the token dies with the account it was issued to. */
  readonly aid: string
  /** The id of the client secret the token was issued with: removing that secret ends the token. */
  readonly sid: string
  /** Issued at, seconds since the epoch. */
  readonly iat: number
  /** Expires at, seconds since the epoch. */
  readonly exp: number
  /** Unique token id; revocation records it. */
  readonly jti: string
}

/** Whom a token is issued to: the account (client id and identity) and the secret it authenticated with. */
export type TokenSubject = Pick<TokenClaims, 'sub' | 'aid' | 'sid'>

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')

/**
 * Access tokens are JWTs signed with HS256 by a secret kept in the store, so every server instance on the
 * store can verify any instance's tokens without a lookup; only revocation needs the store. (The real
 * service also issues JWTs; clients treat them as opaque.)
 */
export function signAccessToken(
  secret: string,
  subject: TokenSubject,
  nowSeconds: number,
  lifetimeSeconds: number,
): {
  readonly token: string
  readonly claims: TokenClaims
} {
  const claims: TokenClaims = {
    sub: subject.sub,
    aid: subject.aid,
    sid: subject.sid,
    iat: nowSeconds,
    exp: nowSeconds + lifetimeSeconds,
    jti: randomBytes(16).toString('hex'),
  }
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return { token: `${HEADER}.${payload}.${mac(secret, `${HEADER}.${payload}`)}`, claims }
}

/** The claims of a token this secret signed, or undefined when it is malformed or forged. Expiry is the caller's. */
export function readAccessToken(secret: string, token: string): TokenClaims | undefined {
  if (token.length > 4096) return undefined
  const [header, payload, signature, extra] = token.split('.')
  if (header !== HEADER || payload === undefined || signature === undefined || extra !== undefined) return undefined
  const expected = Buffer.from(mac(secret, `${header}.${payload}`))
  const actual = Buffer.from(signature)
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') return undefined
    // Tokens signed before accounts had an identity carry neither: they are refused, as if expired.
    if (typeof claims.aid !== 'string' || typeof claims.sid !== 'string') return undefined
    if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp)) return undefined
    return claims as TokenClaims
  } catch {
    return undefined
  }
}

function mac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url')
}
