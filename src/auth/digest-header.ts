import { DIGEST_REALM } from './digest-profile.js'

/**
 * The parameters of an `Authorization: Digest …` header that the server uses. Values are unquoted and
 * unescaped; optional ones are absent when the client did not send them.
 */
export interface DigestAuthorization {
  /** The API public key. */
  readonly username: string
  readonly realm: string
  readonly nonce: string
  readonly uri: string
  readonly response: string
  readonly algorithm?: string
  readonly qop?: string
  readonly nc?: string
  readonly cnonce?: string
  readonly opaque?: string
}

type Field = keyof DigestAuthorization
type Writable<T> = { -readonly [K in keyof T]: T[K] }

const FIELDS: ReadonlySet<string> = new Set<Field>([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'qop',
  'nc',
  'cnonce',
  'opaque',
])

const SPACE = 0x20
const TAB = 0x09
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const EQUALS = 0x3d

/** RFC 9110 tchar: the characters of a token (scheme and parameter names). */
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1
}

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1
}

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB
}

/** A character allowed in an unquoted value: visible, not a quote, comma or backslash. */
function isBareChar(code: number): boolean {
  return (code > SPACE && code < 0x7f && code !== QUOTE && code !== COMMA && code !== BACKSLASH) || code >= 0x80
}

/** A character allowed inside a quoted string, or after a backslash (RFC 9110 qdtext, quoted-pair). */
function isQuotedChar(code: number): boolean {
  return code === TAB || (code >= SPACE && code !== 0x7f)
}

function skipSpaces(text: string, at: number): number {
  let i = at
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}

function scanToken(text: string, at: number): number {
  let i = at
  while (i < text.length && isTchar(text.charCodeAt(i))) i++
  return i
}

/** Reads the quoted string whose opening quote is at `at`: its unescaped value and the index after it. */
function readQuoted(text: string, at: number): [string, number] | undefined {
  let value = ''
  let run = at + 1
  let i = run
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) return [value + text.slice(run, i), i + 1]
    if (code === BACKSLASH) {
      if (i + 1 >= text.length || !isQuotedChar(text.charCodeAt(i + 1))) return undefined
      value += text.slice(run, i) + text.charAt(i + 1)
      i += 2
      run = i
    } else if (isQuotedChar(code)) {
      i++
    } else {
      return undefined
    }
  }
  return undefined
}

/**
 * Parses an `Authorization` header value of the Digest scheme (RFC 7616), as the clients of the real API
 * send it: scheme case-insensitive, parameter names case-insensitive and in any order, values quoted
 * (with backslash escapes) or bare (clients differ on `qop`, `nc` and `algorithm`), optional spaces around
 * `=` and `,`, empty list elements skipped. Unknown parameters are ignored.
 *
 * Returns undefined for another scheme, malformed syntax, a repeated parameter, or a missing `username`,
 * `realm`, `nonce`, `uri` or `response`. Never throws; one pass over the text, no regular expressions.
 */
export function parseDigestAuthorization(header: string): DigestAuthorization | undefined {
  if (typeof header !== 'string') return undefined
  const text = header
  let i = skipSpaces(text, 0)
  const schemeEnd = scanToken(text, i)
  if (schemeEnd - i !== 6 || text.slice(i, schemeEnd).toLowerCase() !== 'digest') return undefined
  i = schemeEnd
  if (i >= text.length || !isSpace(text.charCodeAt(i))) return undefined

  const seen = new Set<string>()
  const found = new Map<Field, string>()
  for (;;) {
    while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === COMMA)) i++
    if (i >= text.length) break

    const nameEnd = scanToken(text, i)
    if (nameEnd === i) return undefined
    const name = text.slice(i, nameEnd).toLowerCase()
    i = skipSpaces(text, nameEnd)
    if (text.charCodeAt(i) !== EQUALS) return undefined
    i = skipSpaces(text, i + 1)

    let value: string
    if (text.charCodeAt(i) === QUOTE) {
      const quoted = readQuoted(text, i)
      if (quoted === undefined) return undefined
      value = quoted[0]
      i = quoted[1]
    } else {
      const start = i
      while (i < text.length && isBareChar(text.charCodeAt(i))) i++
      if (i === start) return undefined
      value = text.slice(start, i)
    }

    if (seen.has(name)) return undefined
    seen.add(name)
    if (FIELDS.has(name)) found.set(name as Field, value)

    i = skipSpaces(text, i)
    if (i < text.length && text.charCodeAt(i) !== COMMA) return undefined
  }

  const username = found.get('username')
  const realm = found.get('realm')
  const nonce = found.get('nonce')
  const uri = found.get('uri')
  const response = found.get('response')
  if (username === undefined || realm === undefined || nonce === undefined) return undefined
  if (uri === undefined || response === undefined) return undefined

  const auth: Writable<DigestAuthorization> = { username, realm, nonce, uri, response }
  for (const optional of ['algorithm', 'qop', 'nc', 'cnonce', 'opaque'] as const) {
    const value = found.get(optional)
    if (value !== undefined) auth[optional] = value
  }
  return auth
}

/**
 * The `WWW-Authenticate` value of a Digest challenge, exactly as the real API sends it. The Go digest
 * library behind the Atlas Go SDK, CLI and Terraform splits it on `", "` and refuses any other parameter,
 * so nothing may be added or reordered.
 *
 * @param nonce a nonce from NonceBook.issue(); visible ASCII without `"`, `\` or `,` (throws TypeError
 *   otherwise, since it could not be sent intact).
 * @param stale true when the client's credentials were good but its nonce had expired.
 */
export function formatDigestChallenge(nonce: string, stale: boolean): string {
  if (nonce.length === 0) throw new TypeError('A Digest nonce must not be empty')
  for (let i = 0; i < nonce.length; i++) {
    const code = nonce.charCodeAt(i)
    if (code <= SPACE || code >= 0x7f || code === QUOTE || code === BACKSLASH || code === COMMA) {
      throw new TypeError('A Digest nonce must be visible ASCII without quote, backslash or comma')
    }
  }
  return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`
}
