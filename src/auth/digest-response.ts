import { createHash, timingSafeEqual } from 'node:crypto'
import { BoundedMap } from '../memory/bounded-map.js'
import type { DigestAuthorization } from './digest-header.js'
import { DIGEST_REALM } from './digest-profile.js'

export { DIGEST_REALM }

const NC_SYNTAX = /^[0-9a-fA-F]{8}$/
const HA1_SYNTAX = /^[0-9a-fA-F]{32}$/

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex')
}

/**
 * HA1 = MD5(username ":" realm ":" password) as lower-case hex (RFC 7616, algorithm MD5). For an API key
 * the username is the public key and the password the private key. HA1 is password-equivalent: it is
 * what the store keeps instead of the private key, and it must be guarded like one.
 * Text is hashed as UTF-8 (API keys are ASCII, so this matches every client).
 */
export function digestHa1(username: string, realm: string, password: string): string {
  return md5Hex(`${username}:${realm}:${password}`)
}

/** What the `response` of an MD5, qop=auth Digest authorization is computed from. */
export interface DigestResponseInput {
  /** Lower-case hex HA1, see {@link digestHa1}. */
  readonly ha1: string
  /** The request method, e.g. `GET`. */
  readonly method: string
  /** The `uri` parameter of the authorization, as the client sent it. */
  readonly uri: string
  readonly nonce: string
  /** The nonce count, 8 hex digits as sent. */
  readonly nc: string
  readonly cnonce: string
  /** The qop as sent, e.g. `auth`. */
  readonly qop: string
}

/**
 * The `response` a client holding `ha1` must send: MD5(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
 * with HA2 = MD5(method ":" uri), lower-case hex (RFC 7616 section 3.4.1, qop=auth).
 */
export function expectedDigestResponse(input: DigestResponseInput): string {
  return md5Hex(`${input.ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2Of(input.method, input.uri)}`)
}

/**
 * HA2 = MD5(method ":" uri), remembered: a client asks for the same few URLs again and again, each time
 * with a new nc and cnonce, so only the second hash of a call depends on the call. Bounded.
 */
function ha2Of(method: string, uri: string): string {
  const text = `${method}:${uri}`
  let ha2 = HA2S.get(text)
  if (ha2 === undefined) HA2S.set(text, (ha2 = md5Hex(text)), 48)
  return ha2
}

/** The `uri` is the client's (up to the 16 KiB header limit), so bytes are bounded as well as entries. */
const HA2S = new BoundedMap<string, string>({ maxEntries: 1_000, maxBytes: 1024 * 1024 })

/**
 * Whether a parsed authorization proves knowledge of the key behind `ha1` for this request method.
 * Refuses anything but the one profile the server offers: realm exactly {@link DIGEST_REALM}, algorithm
 * absent or MD5, qop `auth`, an 8-hex-digit nc and a non-empty cnonce (case-insensitive tokens). The
 * comparison is constant-time.
 *
 * Checking the nonce itself (signature, age, replay of nc) is the NonceBook's job; checking that `uri`
 * names the request target is the caller's.
 */
export function verifyDigestResponse(auth: DigestAuthorization, ha1: string, method: string): boolean {
  const { qop, nc, cnonce, algorithm } = auth
  if (auth.realm !== DIGEST_REALM) return false
  if (algorithm !== undefined && algorithm.toLowerCase() !== 'md5') return false
  if (qop === undefined || qop.toLowerCase() !== 'auth') return false
  if (nc === undefined || !NC_SYNTAX.test(nc)) return false
  if (cnonce === undefined || cnonce.length === 0) return false
  if (!HA1_SYNTAX.test(ha1)) return false
  const expected = Buffer.from(
    expectedDigestResponse({ ha1: ha1.toLowerCase(), method, uri: auth.uri, nonce: auth.nonce, nc, cnonce, qop }),
    'utf8',
  )
  const given = Buffer.from(auth.response.toLowerCase(), 'utf8')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
