import { createHash, randomBytes } from 'node:crypto'
import type { Challenge } from './fuzz-api.js'
import type { Rng } from './fuzz-prng.js'

/**
 * Authorization headers for the fuzz suite: a correct Digest answer or bearer token, or one broken at
 * a single field, each with the verdict docs/behaviour.md gives it. No side effects on import.
 */

export interface DigestKey {
  readonly publicKey: string
  readonly privateKey: string
}

/** What the generator needs to build good and broken credentials for one request. */
export interface AuthContext {
  readonly key: DigestKey
  /** A nonce the server issued (fresh). */
  readonly nonce: string
  /** A nonce count not used before with `nonce`. */
  readonly nc: number
  /** A well-signed nonce issued long ago (expired) and one dated in the future. */
  readonly expiredNonce: string
  readonly futureNonce: string
  /** A valid access token of a service account that reads the world's project. */
  readonly token: string
  /** Tokens signed with the right secret but expired, revoked, or for an unknown account. */
  readonly expiredToken: string
  readonly revokedToken: string
  readonly unknownSubjectToken: string
}

/** One Authorization header (undefined: none) and how the server must judge it. */
export interface AuthPlan {
  readonly header: string | undefined
  readonly ok: boolean
  readonly challenge: Challenge
  readonly label: string
  /** Send this header once first (with the same request): a replay case primes its nc. */
  readonly primeWith?: string
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex')
const REALM = 'MMS Public API'

interface DigestFields {
  username: string
  realm: string
  nonce: string
  uri: string
  algorithm: string
  qop: string
  nc: string
  cnonce: string
  response: string
}

type FieldName = keyof DigestFields
const QUOTED: readonly FieldName[] = ['username', 'realm', 'nonce', 'uri', 'cnonce', 'response']
const ORDER: readonly FieldName[] = ['username', 'realm', 'nonce', 'uri', 'algorithm', 'qop', 'nc', 'cnonce', 'response']

function responseFor(f: Omit<DigestFields, 'response'>, password: string, method: string): string {
  const ha1 = md5(`${f.username}:${f.realm}:${password}`)
  const ha2 = md5(`${method}:${f.uri}`)
  return md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`)
}

function goodFields(ctx: AuthContext, method: string, target: string, overrides: Partial<DigestFields> = {}): DigestFields {
  const base = {
    username: ctx.key.publicKey,
    realm: REALM,
    nonce: ctx.nonce,
    uri: target,
    algorithm: 'MD5',
    qop: 'auth',
    nc: ctx.nc.toString(16).padStart(8, '0'),
    cnonce: randomBytes(8).toString('hex'),
    ...overrides,
  }
  return { ...base, response: responseFor(base, ctx.key.privateKey, method) }
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

interface Param {
  readonly name: string
  readonly text: string
}

function params(fields: DigestFields, omit: readonly FieldName[] = []): Param[] {
  return ORDER.filter((name) => !omit.includes(name)).map((name) => ({
    name,
    text: `${name}=${QUOTED.includes(name) ? quote(fields[name]) : fields[name]}`,
  }))
}

function header(parts: readonly Param[], scheme = 'Digest', separator = ', '): string {
  return `${scheme} ${parts.map((p) => p.text).join(separator)}`
}

const FAIL = (label: string, headerText: string | undefined, challenge: Challenge = 'digest'): AuthPlan => ({ header: headerText, ok: false, challenge, label })
const PASS = (label: string, headerText: string): AuthPlan => ({ header: headerText, ok: true, challenge: 'digest', label })

function garble(rng: Rng, value: string): string {
  const kinds = [
    () => value.slice(0, Math.max(0, value.length - rng.int(1, 4))),
    () => `${value}${rng.string('abcdef0123', rng.int(1, 3))}`,
    () => rng.string('!#$%&\'*+-.^_`|~ABCxyz09', Math.max(1, value.length)),
    () => value.split('').reverse().join(''),
    () => `${value}\u00e9`,
  ]
  let out = rng.pick(kinds)()
  if (out === value) out = `${value}x`
  return out
}

/** A correct Digest authorization, or one broken at one field, with what the server must say. */
export function digestPlan(rng: Rng, ctx: AuthContext, method: string, target: string, brokenRate: number): AuthPlan {
  if (!rng.chance(brokenRate)) {
    const fields = goodFields(ctx, method, target)
    const variants: (() => AuthPlan)[] = [
      () => PASS('digest', header(params(fields))),
      () => PASS('digest without algorithm', header(params(fields, ['algorithm']))),
      () => PASS('digest, lower-case algorithm', header(params({ ...fields, algorithm: 'md5' }))),
      () => PASS('digest, quoted qop, nc and algorithm', header(params(fields).map((p) => (['qop', 'nc', 'algorithm'].includes(p.name) ? { ...p, text: `${p.name}="${fields[p.name as FieldName]}"` } : p)))),
      () => PASS('digest, parameters shuffled', header([...params(fields)].sort(() => (rng.chance(0.5) ? 1 : -1)))),
      () => PASS('digest, upper-case parameter names and scheme', header(params(fields).map((p) => ({ ...p, text: p.text.replace(/^[a-z]+/, (n) => n.toUpperCase()) })), 'DIGEST')),
      () => PASS('digest, extra unknown parameter and opaque', header([...params(fields), { name: 'opaque', text: 'opaque="abc"' }, { name: 'userhash', text: 'userhash=false' }])),
      () => PASS('digest, odd spacing', header(params(fields).map((p) => ({ ...p, text: p.text.replace('=', ' = ') })), 'Digest', ' ,\t, ')),
      () => PASS('digest, upper-case response', header(params({ ...fields, response: fields.response.toUpperCase() }))),
      () => PASS('digest, escaped characters in username', header(params(fields).map((p) => (p.name === 'username' ? { ...p, text: `username="${fields.username.replace(/^(.)/, '\\$1')}"` } : p)))),
      () => {
        const long = goodFields(ctx, method, target, { cnonce: rng.string('abcdef0123456789', 4000) })
        return PASS('digest, 4000-character cnonce', header(params(long)))
      },
    ]
    return rng.pick(variants)()
  }

  const fields = goodFields(ctx, method, target)
  const field = rng.pick(ORDER)
  const kinds: (() => AuthPlan)[] = [
    () => (field === 'algorithm' ? PASS('algorithm missing', header(params(fields, [field]))) : FAIL(`${field} missing`, header(params(fields, [field])))),
    () => {
      const all = params(fields)
      const twice = all.find((p) => p.name === field) as Param
      return FAIL(`${field} duplicated`, header([...all, twice]))
    },
    () => FAIL(`${field} empty`, header(params({ ...fields, [field]: '' }).map((p) => (p.name === field ? { ...p, text: `${field}=""` } : p)))),
    () => FAIL(`${field} garbled`, header(params({ ...fields, [field]: garble(rng, fields[field]) }))),
    () => FAIL(`${field} with an unterminated quote`, header(params(fields).map((p) => (p.name === field ? { ...p, text: `${field}="${fields[field]}` } : p)))),
    () => FAIL(`${field} in single quotes`, header(params(fields).map((p) => (p.name === field ? { ...p, text: `${field}='${fields[field]}'` } : p)))),
    () => FAIL(`${field} without '='`, header(params(fields).map((p) => (p.name === field ? { ...p, text: `${field}` } : p)))),
  ]
  const specific: (() => AuthPlan)[] = [
    () => FAIL('wrong realm', header(params(goodFields(ctx, method, target, { realm: rng.pick(['mms public api', 'MMS Public API ', 'MongoDB Cloud', '']) })))),
    () => {
      const others = [target.split('?')[0] ?? '/', '/', decodeURIComponentSafe(target), `http://127.0.0.1${target}`].filter((uri) => uri !== target && /^[\x20-\x7e]*$/.test(uri))
      return FAIL('uri of another target', header(params(goodFields(ctx, method, target, { uri: rng.pick([`${target}x`, ...others]) }))))
    },
    () => FAIL('qop auth-int', header(params(goodFields(ctx, method, target, { qop: 'auth-int' })))),
    () => FAIL('qop list', header(params(goodFields(ctx, method, target, { qop: 'auth,auth-int' })))),
    () => FAIL('nc not 8 hex digits', header(params(goodFields(ctx, method, target, { nc: rng.pick(['1', '0000001', '000000001', 'zzzzzzzz', '0000000g', '-0000001', '0x000001']) })))),
    () => FAIL('nc zero', header(params(goodFields(ctx, method, target, { nc: '00000000' })))),
    () => FAIL('algorithm SHA-256', header(params(goodFields(ctx, method, target, { algorithm: rng.pick(['SHA-256', 'MD5-sess', 'SHA-512-256', 'md4']) })))),
    () => FAIL('forged nonce', header(params(goodFields(ctx, method, target, { nonce: rng.string('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 32) })))),
    () => FAIL('truncated nonce', header(params(goodFields(ctx, method, target, { nonce: ctx.nonce.slice(0, rng.int(0, 31)) })))),
    () => FAIL('nonce with a flipped character', header(params(goodFields(ctx, method, target, { nonce: flip(rng, ctx.nonce) })))),
    () => FAIL('expired nonce', header(params(goodFields(ctx, method, target, { nonce: ctx.expiredNonce }))), 'digest-stale'),
    () => FAIL('nonce from the future', header(params(goodFields(ctx, method, target, { nonce: ctx.futureNonce }))), 'digest-stale'),
    () => FAIL('wrong response', header(params({ ...fields, response: flip(rng, fields.response) }))),
    () => FAIL('wrong private key', header(params({ ...fields, response: responseFor(fields, `${ctx.key.privateKey}x`, method) }))),
    () => FAIL('unknown public key', header(params(goodFields(ctx, method, target, { username: rng.pick(['nobody', 'DEMOREAD', 'demoread ', 'demo%72ead', '', 'x'.repeat(300)]) })))),
    () => FAIL('response for another method', header(params({ ...fields, response: responseFor(fields, ctx.key.privateKey, method === 'GET' ? 'POST' : 'GET') }))),
    () => FAIL('Digest without parameters', rng.pick(['Digest', 'Digest ', 'Digest ,,,', 'Digest =', 'Digest a', 'Digest "x"'])),
    () => FAIL('Digest with garbage', `Digest ${rng.string('abc=", \\\t;', rng.int(1, 60))}`),
    () => FAIL('no Authorization', undefined),
    () => FAIL('Basic credentials', `Basic ${Buffer.from(`${ctx.key.publicKey}:${ctx.key.privateKey}`).toString('base64')}`),
    () => FAIL('unknown scheme', `${rng.pick(['Negotiate', 'NTLM', 'Token', 'AWS4-HMAC-SHA256', 'HOBA', 'Mutual', 'Digestx', 'X'])} ${rng.string('abcdef0123=', 20)}`),
    () => FAIL('empty Authorization', ''),
    () => ({ ...FAIL('replayed nc', header(params(fields))), primeWith: header(params(goodFields(ctx, method, target, { nc: fields.nc }))) }),
  ]
  return rng.chance(0.45) ? rng.pick(kinds)() : rng.pick(specific)()
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return `${text}x`
  }
}

function flip(rng: Rng, text: string): string {
  if (text.length === 0) return 'x'
  const at = rng.int(0, text.length - 1)
  const char = text.charAt(at)
  const replacement = char === 'a' ? 'b' : char === 'A' ? 'B' : 'a'
  return text.slice(0, at) + replacement + text.slice(at + 1)
}

/** A bearer token, good or broken, with its verdict. */
export function bearerPlan(rng: Rng, ctx: AuthContext, brokenRate: number): AuthPlan {
  if (!rng.chance(brokenRate)) {
    return rng.pick([
      { header: `Bearer ${ctx.token}`, ok: true, challenge: 'bearer' as const, label: 'bearer token' },
      { header: `bearer ${ctx.token}`, ok: true, challenge: 'bearer' as const, label: 'bearer token, lower-case scheme' },
      { header: `Bearer   ${ctx.token}`, ok: true, challenge: 'bearer' as const, label: 'bearer token after several spaces' },
    ])
  }
  const [head = '', payload = '', signature = ''] = ctx.token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  const reencode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const bad = (label: string, token: string): AuthPlan => ({ header: `Bearer ${token}`, ok: false, challenge: 'bearer', label })
  return rng.pick([
    () => bad('garbage token', rng.string('abcdefghijklmnopqrstuvwxyz0123456789-_.', rng.int(1, 200))),
    () => bad('truncated token', ctx.token.slice(0, rng.int(1, ctx.token.length - 1))),
    () => bad('token with a flipped character', flip(rng, ctx.token)),
    () => bad('tampered payload (exp)', `${head}.${reencode({ ...claims, exp: Number(claims['exp']) + 86_400 })}.${signature}`),
    () => bad('tampered payload (sub)', `${head}.${reencode({ ...claims, sub: 'mdb_sa_id_ffffffffffffffffffffffff' })}.${signature}`),
    () => bad('alg none', `${reencode({ alg: 'none', typ: 'JWT' })}.${payload}.`),
    () => bad('no signature', `${head}.${payload}`),
    () => bad('extra segment', `${ctx.token}.x`),
    () => bad('expired token', ctx.expiredToken),
    () => bad('revoked token', ctx.revokedToken),
    () => bad('token of an unknown account', ctx.unknownSubjectToken),
    () => bad('token with trailing garbage', `${ctx.token} extra`),
    () => bad('5000-character token', 'a'.repeat(5000)),
    () => bad('payload not JSON', `${head}.${Buffer.from('not json').toString('base64url')}.${signature}`),
    () => ({ header: rng.pick(['Bearer', 'Bearer ', 'Bearer\t']), ok: false, challenge: 'digest-or-bearer' as const, label: 'Bearer without a token' }),
  ])()
}
