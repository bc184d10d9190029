import type { Rng } from './fuzz-prng.js'

/**
 * Generators of checkpoint API requests (the three dialects' list and get-one) with malformed parts,
 * and the model that says what docs/behaviour.md makes the server answer to each: the order of checks
 * (route, authentication, media type, path then query parameters, group, role, cluster, checkpoint)
 * computed from the generated parts, independently of the server's code. No side effects on import.
 */

/** The known records the model answers from (the demo data and the test fixture). */
export interface World {
  /** A project the caller reads (GROUP_READ_ONLY). */
  readonly groupId: string
  /** A project of another organization: the caller has no role there. */
  readonly foreignGroupId: string
  readonly clusterName: string
  readonly clusterId: string
  readonly cloudClusterName: string
  readonly cloudClusterId: string
  /** Checkpoints of the cluster above, newest first. */
  readonly checkpointIds: readonly string[]
  /** A checkpoint of another cluster of the same project. */
  readonly otherClusterCheckpointId: string
}

export type DialectName = 'atlas-v2' | 'atlas-v1' | 'ops-manager'

interface DialectModel {
  readonly prefix: readonly string[]
  readonly collection: string
  readonly clusterBy: 'name' | 'id'
}

export const DIALECT_MODELS: Readonly<Record<DialectName, DialectModel>> = {
  'atlas-v2': { prefix: ['api', 'atlas', 'v2'], collection: 'backupCheckpoints', clusterBy: 'name' },
  'atlas-v1': { prefix: ['api', 'atlas', 'v1.0'], collection: 'backupCheckpoints', clusterBy: 'name' },
  'ops-manager': { prefix: ['api', 'public', 'v1.0'], collection: 'checkpoints', clusterBy: 'id' },
}

export const ATLAS_V2_MEDIA = 'application/vnd.atlas.2023-01-01+json'
export const ATLAS_V2_CONTENT_TYPE = 'application/vnd.atlas.2023-01-01+json;charset=utf-8'

/** What the server must answer: a status and, for API errors, the errorCode and parameters. */
export interface ApiExpectation {
  readonly status: number
  /** `success`, an API error, or the authentication failure (its fixed body and a challenge). */
  readonly kind: 'success' | 'error' | 'unauthenticated'
  readonly errorCode?: string
  /** Exact parameters when the model knows them. */
  readonly parameters?: readonly unknown[]
  /** For INVALID_QUERY_PARAMETER: the names any of which may be reported. */
  readonly oneOfParameters?: readonly string[]
  /** success: a single checkpoint or a page. */
  readonly entity?: 'entity' | 'list'
  readonly contentType?: string
  /** Whether the error or success body is wrapped as `{"status", "content"}` (or has `status` added). */
  readonly envelope: boolean
  readonly pretty: boolean
  /** The challenge kind of a 401. */
  readonly challenge?: Challenge
  readonly allow?: string
}

export type Challenge = 'digest' | 'digest-stale' | 'bearer' | 'digest-or-bearer'

/** How the request authenticates, as the auth generator decided (see fuzz-auth.ts). */
export interface AuthVerdict {
  readonly ok: boolean
  readonly challenge: Challenge
}

const HEX = '0123456789abcdef'

/** A path segment: what goes on the wire and what it decodes to (undefined: not valid percent-encoding). */
export interface Segment {
  readonly raw: string
  readonly label: string
}

/** decodeURIComponent, or the raw text when it is not valid percent-encoded UTF-8: docs/behaviour.md's "decoded once". */
export function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** Percent-encodes a random selection of a value's characters (still decodes to the value). */
export function encodeSome(rng: Rng, value: string): string {
  let out = ''
  for (const char of value) {
    if (rng.chance(0.3)) {
      const hex = Buffer.from(char, 'utf8').toString('hex')
      const upper = rng.chance(0.5)
      out += hex.replace(/../g, (pair) => `%${upper ? pair.toUpperCase() : pair}`)
    } else {
      out += char
    }
  }
  return out
}

/** Malformed values of a path segment, every kind docs/behaviour.md asks to survive. All are valid on the request line. */
export function malformedSegment(rng: Rng, like: string): Segment {
  const kinds: (() => Segment)[] = [
    () => ({ raw: like.slice(0, rng.int(0, Math.max(0, like.length - 1))), label: 'too short' }),
    () => ({ raw: like + rng.string(HEX, rng.int(1, 3)), label: 'too long' }),
    () => ({ raw: like.toUpperCase(), label: 'upper case' }),
    () => ({ raw: rng.string('ghijklmnopqrstuvwxyzGHIJ_-.~', like.length || 24), label: 'not hex' }),
    () => ({ raw: '', label: 'empty' }),
    () => ({ raw: '.', label: 'dot' }),
    () => ({ raw: '..', label: 'dot dot' }),
    () => ({ raw: '%2e%2E', label: 'encoded dot dot' }),
    () => ({ raw: `${like.slice(0, 6)}%2F${like.slice(6)}`, label: 'encoded slash' }),
    () => ({ raw: `${like.slice(0, 6)}%2f..%2f${like.slice(6)}`, label: 'encoded traversal' }),
    () => ({ raw: `${like}%00`, label: 'NUL' }),
    () => ({ raw: '%00'.repeat(rng.int(1, 24)), label: 'NULs' }),
    () => ({ raw: rng.pick(['%', '%0', '%zz', '%G1', `${like}%`, `%${like}`, '%%', '%u0041']), label: 'invalid percent-encoding' }),
    () => ({ raw: rng.pick(['%C0%AF', '%E0%80%AF', '%F0%80%80%AF', '%C0%80', '%ED%A0%80', '%FF', '%80', '%F4%90%80%80']), label: 'invalid or overlong UTF-8' }),
    () => ({ raw: encodeURIComponent(rng.pick(['Ωμέγα', '日本語', '😀', '\u202e', '\ufeff', 'a\u0301', 'ｃｌｕｓｔｅｒ', '\u0000\u0001'])), label: 'unicode' }),
    () => ({ raw: encodeURIComponent(rng.pick(['<script>', '"quoted"', "it's", '\r\nX-Evil: 1', 'a b', 'a+b', '#frag', '?q=1', ';jsessionid=1', '\\', '{}', '${x}'])), label: 'special characters' }),
    () => ({ raw: `%25${Buffer.from(like.slice(0, 1)).toString('hex')}${like.slice(1)}`, label: 'double-encoded' }),
    () => ({ raw: 'a'.repeat(rng.pick([65, 100, 101, 1000, 4000, 8000])), label: 'very long' }),
    () => ({ raw: rng.pick(['0', '-1', '1e24', 'null', 'undefined', 'NaN', '[object%20Object]', '__proto__', 'constructor', 'ObjectId("x")']), label: 'odd token' }),
    () => ({ raw: encodeSome(rng, like.slice(0, -1) + rng.pick(['G', 'g', 'z', '-'])) + rng.pick(['', '%20', '+']), label: 'one bad character, encoded' }),
  ]
  return rng.pick(kinds)()
}

/** Checkpoint API routes' parts, before the model reads them back from the path. */
interface PathPlan {
  readonly segments: readonly string[]
  readonly labels: readonly string[]
}

const OBJECT_ID = /^[a-f0-9]{24}$/
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/

/** A random ObjectId that names nothing in the world. */
function unknownObjectId(rng: Rng): string {
  return `ffff${rng.string(HEX, 20)}`
}

function planPath(rng: Rng, world: World, dialect: DialectName, list: boolean, malformedRate: number): PathPlan {
  const model = DIALECT_MODELS[dialect]
  const labels: string[] = []
  const segmentFor = (what: string, good: () => string, alternatives: readonly (() => string)[], like: string): string => {
    if (rng.chance(malformedRate)) {
      const bad = malformedSegment(rng, like)
      labels.push(`${what}: ${bad.label}`)
      return bad.raw
    }
    const value = rng.chance(0.75) || alternatives.length === 0 ? good() : rng.pick(alternatives)()
    return rng.chance(0.1) ? encodeSome(rng, value) : value
  }
  const groupId = segmentFor('groupId', () => world.groupId, [() => world.foreignGroupId, () => unknownObjectId(rng)], world.groupId)
  const cluster =
    model.clusterBy === 'name'
      ? segmentFor('clusterName', () => world.clusterName, [() => world.cloudClusterName, () => `Nope-${rng.int(0, 999)}`], world.clusterName)
      : segmentFor('clusterId', () => world.clusterId, [() => world.cloudClusterId, () => unknownObjectId(rng)], world.clusterId)
  const segments = [...model.prefix, 'groups', groupId, 'clusters', cluster, model.collection]
  if (!list) {
    const first = world.checkpointIds[0] ?? unknownObjectId(rng)
    segments.push(
      segmentFor('checkpointId', () => rng.pick(world.checkpointIds), [() => unknownObjectId(rng), () => world.otherClusterCheckpointId], first),
    )
  }
  return { segments, labels }
}

/** Changes the path's structure so that it may no longer match a route. */
function structuralMutation(rng: Rng, segments: readonly string[]): { segments: string[]; label: string } {
  const out = [...segments]
  const at = rng.int(0, out.length - 1)
  switch (rng.int(0, 8)) {
    case 0:
      out.push('')
      return { segments: out, label: 'trailing slash' }
    case 1:
      out.splice(at, 0, '')
      return { segments: out, label: 'double slash' }
    case 2:
      out.splice(at, 0, rng.pick(['.', '..']))
      return { segments: out, label: 'dot segment' }
    case 3:
      out.splice(at, 1)
      return { segments: out, label: 'missing segment' }
    case 4:
      out.push(rng.pick(['x', 'backupCheckpoints', '5a0a4c9e0000000000000001', '%2F']))
      return { segments: out, label: 'extra segment' }
    case 5:
      out[at] = (out[at] ?? '').toUpperCase()
      return { segments: out, label: 'upper-cased segment' }
    case 6:
      out[at] = encodeSome(rng, out[at] ?? '').replace(/^([^%])/, (c) => `%${c.charCodeAt(0).toString(16)}`)
      return { segments: out, label: 'encoded literal' }
    case 7:
      out[at] = `${out[at] ?? ''};x=1`
      return { segments: out, label: 'matrix parameter' }
    default:
      return { segments: ['', ...out], label: 'leading double slash' }
  }
}

/** One query parameter as generated: the raw `key=value` text and what it means. */
interface QueryPart {
  readonly text: string
}

const BOOLEAN_GOOD = ['true', 'false', 'TRUE', 'False', 'tRuE', '%74rue', 'fals%65']
const BOOLEAN_BAD = ['', 'yes', 'no', '1', '0', 't', 'f', 'true%20', '%20true', 'true%00', '%zz', '%', 'tru', 'truefalse', '%E2%9C%93', 'null', 'x'.repeat(2000), 'true+', '%22true%22']
const ITEMS_GOOD = ['1', '2', '5', '100', '499', '500', '+3', '07', '0000000010']
const ITEMS_BAD = ['', '0', '-1', '501', '1000', '1.5', '1e2', '0x10', 'abc', '2147483648', '9'.repeat(30), '%20%35', '5%20', '%EF%BC%95', '-0', '+', '1,2', 'NaN', 'Infinity', '%zz', '00000000005']
const PAGE_GOOD = ['1', '2', '7', '1000', '2147483647', '+1', '010']
const PAGE_BAD = ['', '0', '-1', '-2147483648', '2147483648', '4294967297', '1.0', '1e3', 'one', '9'.repeat(40), '%zz', '%', '%201', '0x1']
const KNOWN_KEYS = ['envelope', 'pretty', 'includeCount', 'itemsPerPage', 'pageNum'] as const

/** A query string for a request: known parameters with good or bad values, repeats, unknown and encoded keys. */
function planQuery(rng: Rng, badRate: number): { search: string; labels: string[] } {
  const parts: QueryPart[] = []
  const labels: string[] = []
  const count = rng.int(0, 4)
  for (let i = 0; i < count; i++) {
    const roll = rng.next()
    if (roll < 0.15) {
      const unknown = rng.pick(['foo=bar', 'PRETTY=maybe', 'pageNum[]=x', 'page%20Num=0', 'x', '=', '==', '&', 'a=%zz', '%=%', 'envelope%00=1', encodeURIComponent('ünïcode') + '=1', `k${'y'.repeat(1000)}=v`])
      parts.push({ text: unknown })
      labels.push('unknown parameter')
      continue
    }
    const key = rng.pick(KNOWN_KEYS)
    const bad = rng.chance(badRate)
    const value =
      key === 'envelope' || key === 'pretty' || key === 'includeCount'
        ? rng.pick(bad ? BOOLEAN_BAD : BOOLEAN_GOOD)
        : key === 'itemsPerPage'
          ? rng.pick(bad ? ITEMS_BAD : ITEMS_GOOD)
          : rng.pick(bad ? PAGE_BAD : PAGE_GOOD)
    const keyText = rng.chance(0.1) ? encodeSome(rng, key).replace(/^([a-z])/, (c) => `%${c.charCodeAt(0).toString(16)}`) : key
    const text = value === '' && rng.chance(0.5) ? keyText : `${keyText}=${value}`
    parts.push({ text })
    if (rng.chance(0.08)) {
      parts.push({ text })
      labels.push(`${key} repeated`)
    }
    labels.push(`${key}=${value.length > 20 ? `${value.slice(0, 20)}…` : value}`)
  }
  if (parts.length === 0) return { search: rng.chance(0.05) ? '?' : '', labels }
  const joined = parts.map((p) => p.text).join(rng.chance(0.05) ? '&&' : '&')
  return { search: `?${joined}`, labels }
}

/** The model's reading of a query string, the way docs/behaviour.md puts it (standard form decoding). */
export function queryVerdict(search: string, list: boolean): { invalid: string[]; envelope: boolean; pretty: boolean } {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search)
  const known = list ? KNOWN_KEYS : (['envelope', 'pretty'] as const)
  const invalid: string[] = []
  for (const name of known) {
    const values = params.getAll(name)
    if (values.length === 0) continue
    const value = values[0] as string
    if (values.length > 1) {
      invalid.push(name)
      continue
    }
    const good =
      name === 'envelope' || name === 'pretty' || name === 'includeCount'
        ? /^(true|false)$/i.test(value)
        : /^[+-]?\d{1,10}$/.test(value) && Number(value) >= 1 && Number(value) <= (name === 'itemsPerPage' ? 500 : 2_147_483_647)
    if (!good) invalid.push(name)
  }
  const flag = (name: string): boolean => {
    const values = params.getAll(name)
    return values.length === 1 && (values[0] as string).toLowerCase() === 'true'
  }
  return { invalid, envelope: flag('envelope'), pretty: flag('pretty') }
}

/** Accept header values of Atlas v2 and whether each picks the 2023-01-01 version. */
const ACCEPT_GOOD = [
  ATLAS_V2_MEDIA,
  'application/vnd.atlas.2023-01-01+json; charset=utf-8',
  'application/vnd.atlas.2024-05-30+json',
  'application/vnd.atlas.2099-12-31+json',
  'APPLICATION/VND.ATLAS.2023-01-01+JSON',
  'application/vnd.atlas.2023-01-01+json;q=0.9',
  'application/vnd.atlas.2024-02-29+json',
]
const ACCEPT_BAD = [
  '*/*',
  'application/json',
  'application/*',
  'application/vnd.atlas.preview+json',
  'application/vnd.atlas.2022-12-31+json',
  'application/vnd.atlas.2023-02-30+json',
  'application/vnd.atlas.2023-13-01+json',
  'application/vnd.atlas.2023-1-1+json',
  'application/vnd.atlas.20230101+json',
  'application/vnd.atlas.2023-01-01',
  'application/vnd.atlas.2023-01-01+xml',
  'application/vnd.atlas.2023-01-01+json+json',
  'application/vnd.atlas.9999-99-99+json',
  'application/vnd.atlas.2023-01-01 +json',
  'application/vnd.atlas.-2023-01-01+json',
  'text/html',
  '',
  ',',
  ';;;',
  'garbage',
  'application/vnd.atlas.2025-02-29+json',
  'application/vnd.atlas.２０２３-01-01+json',
  'x'.repeat(2000),
]

function planAccept(rng: Rng, badRate: number): { header: string | undefined; valid: boolean; label: string } {
  if (!rng.chance(badRate)) {
    const good = rng.pick(ACCEPT_GOOD)
    if (rng.chance(0.3)) {
      const others = [rng.pick(ACCEPT_BAD), good].sort(() => (rng.chance(0.5) ? 1 : -1))
      return { header: others.filter((o) => o !== '').join(', '), valid: true, label: `accept list with ${good}` }
    }
    return { header: good, valid: true, label: `accept ${good}` }
  }
  if (rng.chance(0.15)) return { header: undefined, valid: false, label: 'no accept' }
  const bad = rng.pick(ACCEPT_BAD)
  const withQ = rng.chance(0.2) ? `${bad};q=${rng.pick(['1', '0.5', '0', 'x', '-1'])}` : bad
  const header = rng.chance(0.2) ? `${withQ}, ${rng.pick(ACCEPT_BAD)}` : withQ
  return { header, valid: false, label: `accept ${header.length > 40 ? `${header.slice(0, 40)}…` : header}` }
}

/** A generated API request without its Authorization header, which the auth generator adds. */
export interface ApiCase {
  readonly method: string
  readonly target: string
  readonly accept: string | undefined
  readonly acceptValid: boolean
  readonly extraHeaders: readonly (readonly [string, string])[]
  readonly body?: string
  readonly labels: readonly string[]
}

export interface ApiCaseRates {
  readonly malformedSegment: number
  readonly structural: number
  readonly badQuery: number
  readonly badAccept: number
  readonly otherMethod: number
}

const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'QUERY', 'PURGE', 'M-SEARCH']
const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'garbage', '', 'application/json; charset=utf-8', 'multipart/form-data; boundary=x', ';']

export function generateApiCase(rng: Rng, world: World, rates: ApiCaseRates): ApiCase {
  const dialect = rng.pick(['atlas-v2', 'atlas-v1', 'ops-manager'] as const)
  const list = rng.chance(0.5)
  const plan = planPath(rng, world, dialect, list, rates.malformedSegment)
  const labels = [dialect, list ? 'list' : 'get-one', ...plan.labels]
  let segments = [...plan.segments]
  if (rng.chance(rates.structural)) {
    const mutation = structuralMutation(rng, segments)
    segments = mutation.segments
    labels.push(mutation.label)
  }
  const query = planQuery(rng, rates.badQuery)
  labels.push(...query.labels)
  const accept = dialect === 'atlas-v2' ? planAccept(rng, rates.badAccept) : rng.chance(0.2) ? planAccept(rng, 0.7) : { header: undefined, valid: true, label: '' }
  if (accept.label !== '') labels.push(accept.label)
  const roll = rng.next()
  const method = roll < rates.otherMethod ? rng.pick(OTHER_METHODS) : roll < rates.otherMethod + 0.08 ? 'HEAD' : 'GET'
  const extraHeaders: [string, string][] = []
  let body: string | undefined
  if (rng.chance(0.06)) {
    body = rng.pick(['{}', '{"a":', 'grant_type=client_credentials', 'x'.repeat(rng.int(1, 5000)), '\u0000\u0001'])
    const type = rng.pick(CONTENT_TYPES)
    extraHeaders.push(['Content-Type', type])
    labels.push(`body with Content-Type ${JSON.stringify(type)}`)
  } else if (method !== 'GET' && method !== 'HEAD' && rng.chance(0.3)) {
    extraHeaders.push(['Content-Type', rng.pick(CONTENT_TYPES)])
  }
  if (method !== 'GET') labels.push(method)
  return {
    method,
    target: `/${segments.join('/')}${query.search}`,
    accept: accept.header,
    acceptValid: accept.valid,
    extraHeaders,
    ...(body === undefined ? {} : { body }),
    labels,
  }
}

interface RouteMatch {
  readonly dialect: DialectName
  readonly list: boolean
  /** Raw segments of the parameters in path order: groupId, cluster, checkpointId. */
  readonly params: readonly string[]
}

/** The model's route match: literal segments equal, the same count (no normalisation of any kind). */
export function matchRoute(path: string): RouteMatch | undefined {
  if (!path.startsWith('/')) return undefined
  const parts = path.split('/').slice(1)
  for (const [dialect, model] of Object.entries(DIALECT_MODELS) as [DialectName, DialectModel][]) {
    const template = [...model.prefix, 'groups', '{}', 'clusters', '{}', model.collection]
    for (const list of [true, false]) {
      const full = list ? template : [...template, '{}']
      if (full.length !== parts.length) continue
      if (!full.every((t, i) => t === '{}' || t === parts[i])) continue
      return { dialect, list, params: full.flatMap((t, i) => (t === '{}' ? [parts[i] as string] : [])) }
    }
  }
  return undefined
}

/** What docs/behaviour.md makes the server answer to this request, given how its authentication fares. */
export function expectApi(world: World, request: ApiCase, auth: AuthVerdict): ApiExpectation {
  const at = request.target.indexOf('?')
  const path = at === -1 ? request.target : request.target.slice(0, at)
  const search = at === -1 ? '' : request.target.slice(at + 1)
  const route = matchRoute(path)
  const lenient = queryVerdict(search, false)
  const format = { envelope: lenient.envelope, pretty: lenient.pretty }
  const error = (status: number, errorCode: string, extra: Partial<ApiExpectation> = {}): ApiExpectation => ({
    status,
    kind: 'error',
    errorCode,
    ...format,
    ...extra,
  })
  if (!route) return error(404, 'RESOURCE_NOT_FOUND', { parameters: [decodeOnce(path)] })
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return error(405, 'METHOD_NOT_ALLOWED', { parameters: [request.method, decodeOnce(path)], allow: 'GET, HEAD' })
  }
  if (!auth.ok) return { status: 401, kind: 'unauthenticated', challenge: auth.challenge, envelope: false, pretty: false }
  if (route.dialect === 'atlas-v2' && !request.acceptValid) return error(406, 'INVALID_VERSION_DATE', { parameters: [] })

  const [groupRaw, clusterRaw, checkpointRaw] = route.params
  const groupId = decodeOnce(groupRaw ?? '')
  if (!OBJECT_ID.test(groupId)) return error(404, 'INVALID_GROUP_ID', { parameters: [groupId] })
  const cluster = decodeOnce(clusterRaw ?? '')
  const byName = DIALECT_MODELS[route.dialect].clusterBy === 'name'
  if (byName && (cluster.length > 64 || !CLUSTER_NAME.test(cluster))) {
    return error(404, 'CLUSTER_NOT_FOUND', { parameters: [cluster, groupId] })
  }
  if (!byName && !OBJECT_ID.test(cluster)) return error(404, 'INVALID_CLUSTER_ID', { parameters: [cluster] })
  const checkpointId = checkpointRaw === undefined ? undefined : decodeOnce(checkpointRaw)
  if (checkpointId !== undefined && !OBJECT_ID.test(checkpointId)) return error(404, 'INVALID_CHECKPOINT_ID', { parameters: [checkpointId] })

  const query = queryVerdict(search, route.list)
  if (query.invalid.length > 0) return error(400, 'INVALID_QUERY_PARAMETER', { oneOfParameters: query.invalid })
  const parsed = { envelope: query.envelope, pretty: query.pretty }

  if (groupId === world.foreignGroupId) return { ...error(401, 'USER_UNAUTHORIZED', { parameters: [] }), ...parsed }
  if (groupId !== world.groupId) return { ...error(404, 'GROUP_NOT_FOUND', { parameters: [groupId] }), ...parsed }
  const known = byName ? cluster === world.clusterName || cluster === world.cloudClusterName : cluster === world.clusterId || cluster === world.cloudClusterId
  if (!known) {
    return { ...error(404, 'CLUSTER_NOT_FOUND', { parameters: [cluster, groupId] }), ...parsed }
  }
  if (cluster === world.cloudClusterName || cluster === world.cloudClusterId) {
    return { ...error(400, 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP', { parameters: [] }), ...parsed }
  }
  if (checkpointId !== undefined && !world.checkpointIds.includes(checkpointId)) {
    return { ...error(404, 'CHECKPOINT_NOT_FOUND', { parameters: [checkpointId, cluster] }), ...parsed }
  }
  return {
    status: 200,
    kind: 'success',
    entity: route.list ? 'list' : 'entity',
    contentType: route.dialect === 'atlas-v2' ? ATLAS_V2_CONTENT_TYPE : 'application/json',
    ...parsed,
  }
}
