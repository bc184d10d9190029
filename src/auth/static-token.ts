import { createHash, timingSafeEqual } from 'node:crypto'

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i

/**
 * Whether an Authorization header carries a configured token (the admin token, the metrics token) as
 * `Bearer <token>`. Both sides are hashed (SHA-256) before a constant-time comparison, so neither the
 * token's characters nor its length leak through timing.
 */
export function staticTokenMatches(expected: string, authorization: string | undefined): boolean {
  const given = BEARER.exec(authorization ?? '')?.[1]
  const equal = timingSafeEqual(sha256(given ?? ''), sha256(expected))
  return given !== undefined && equal
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
