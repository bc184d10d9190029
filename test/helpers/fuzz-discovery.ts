import { createHash } from 'node:crypto'
import type { ApiCase, ApiCaseRates, ApiExpectation, AuthVerdict, DialectName, World } from './fuzz-api.js'
import { decodeOnce, malformedSegment, planAccept, planQuery, structuralMutation } from './fuzz-api.js'
import type { Rng } from './fuzz-prng.js'

/**
 * The discovery routes in the fuzz suite: a generator of requests to the projects, organizations,
 * clusters and backup configurations of the three dialects with malformed parts, and the model of what
 * docs/behaviour.md#discovery makes the server answer, computed from the generated parts (the order of
 * checks, the resource version an Accept header picks, the deprecation headers, who sees what), not from
 * the server's code. No side effects on import; nothing from fuzz-api.ts is used at module level (the two
 * import each other).
 */

/** What the model knows of the discovery world, besides World's checkpoint records. */
export interface DiscoveryWorld {
  /** The caller's organization, and another one. */
  readonly orgId: string
  readonly foreignOrgId: string
  /** The one project the caller sees, a project of its organization it does not see, one of another organization. */
  readonly projectName: string
  readonly hiddenProjectName: string
  readonly foreignProjectName: string
  /** Every cluster name of the visible project. */
  readonly clusterNames: readonly string[]
  /** Every Ops Manager cluster entry id of the visible project: its clusters' and their parts'. */
  readonly entryIds: readonly string[]
}

type Operation =
  | 'listGroups'
  | 'getGroupByName'
  | 'getGroup'
  | 'listGroupClusters'
  | 'getGroupCluster'
  | 'listOrgs'
  | 'getOrg'
  | 'getOrgGroups'
  | 'listClusterDetails'
  | 'listBackupConfigs'
  | 'getBackupConfig'

interface Template {
  readonly operation: Operation
  readonly segments: readonly string[]
  readonly list: boolean
  readonly opsManagerOnly?: boolean
}

/** In the order the server tries them: `groups/byName/{groupName}` before `groups/{groupId}/…`. */
const TEMPLATES: readonly Template[] = [
  { operation: 'listGroups', segments: ['groups'], list: true },
  { operation: 'getGroupByName', segments: ['groups', 'byName', '{groupName}'], list: false },
  { operation: 'getGroup', segments: ['groups', '{groupId}'], list: false },
  { operation: 'listGroupClusters', segments: ['groups', '{groupId}', 'clusters'], list: true },
  { operation: 'getGroupCluster', segments: ['groups', '{groupId}', 'clusters', '{cluster}'], list: false },
  { operation: 'listOrgs', segments: ['orgs'], list: true },
  { operation: 'getOrg', segments: ['orgs', '{orgId}'], list: false },
  { operation: 'getOrgGroups', segments: ['orgs', '{orgId}', 'groups'], list: true },
  { operation: 'listClusterDetails', segments: ['clusters'], list: true },
  { operation: 'listBackupConfigs', segments: ['groups', '{groupId}', 'backupConfigs'], list: true, opsManagerOnly: true },
  { operation: 'getBackupConfig', segments: ['groups', '{groupId}', 'backupConfigs', '{cluster}'], list: false, opsManagerOnly: true },
]

const PREFIXES: Readonly<Record<DialectName, readonly string[]>> = {
  'atlas-v2': ['api', 'atlas', 'v2'],
  'atlas-v1': ['api', 'atlas', 'v1.0'],
  'ops-manager': ['api', 'public', 'v1.0'],
}

/** The upstream spec path of each v2 operation (spec/atlas-discovery-openapi.json). */
const SPEC_PATHS: Readonly<Partial<Record<Operation, string>>> = {
  listGroups: '/api/atlas/v2/groups',
  getGroupByName: '/api/atlas/v2/groups/byName/{groupName}',
  getGroup: '/api/atlas/v2/groups/{groupId}',
  listGroupClusters: '/api/atlas/v2/groups/{groupId}/clusters',
  getGroupCluster: '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}',
  listOrgs: '/api/atlas/v2/orgs',
  getOrg: '/api/atlas/v2/orgs/{orgId}',
  getOrgGroups: '/api/atlas/v2/orgs/{orgId}/groups',
  listClusterDetails: '/api/atlas/v2/clusters',
}

/** The cluster resource's versions and the deprecation headers of the deprecated ones. */
const CLUSTER_VERSIONS: readonly (readonly [string, string | undefined, string | undefined])[] = [
  ['2023-01-01', 'Wed, 1 Feb 2023 00:00:00 GMT', 'Thu, 1 Jul 2027 00:00:00 GMT'],
  ['2023-02-01', 'Mon, 5 Aug 2024 00:00:00 GMT', 'Thu, 1 Jul 2027 00:00:00 GMT'],
  ['2024-08-05', undefined, undefined],
]

const OBJECT_ID = /^[a-f0-9]{24}$/
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/

export interface DiscoveryRouteMatch {
  readonly dialect: DialectName
  readonly template: Template
  /** Raw segments by parameter name. */
  readonly params: Readonly<Record<string, string>>
}

/** The model's route match of a discovery path: literal segments equal, the same count, templates in order. */
export function matchDiscoveryRoute(path: string): DiscoveryRouteMatch | undefined {
  if (!path.startsWith('/')) return undefined
  const parts = path.split('/').slice(1)
  for (const [dialect, prefix] of Object.entries(PREFIXES) as [DialectName, readonly string[]][]) {
    if (!prefix.every((p, i) => parts[i] === p)) continue
    const rest = parts.slice(prefix.length)
    for (const template of TEMPLATES) {
      if (template.opsManagerOnly && dialect !== 'ops-manager') continue
      if (template.segments.length !== rest.length) continue
      if (!template.segments.every((t, i) => t.startsWith('{') || t === rest[i])) continue
      const params: Record<string, string> = {}
      template.segments.forEach((t, i) => {
        if (t.startsWith('{')) params[t.slice(1, -1)] = rest[i] as string
      })
      return { dialect, template, params }
    }
  }
  return undefined
}

/** The latest valid date an Accept header names (docs/behaviour.md's versioned media type), or undefined. */
function requestedDate(accept: string | undefined): string | undefined {
  let latest: string | undefined
  for (const range of (accept ?? '').split(',')) {
    const type = (range.split(';')[0] ?? '').trim().toLowerCase()
    const m = /^application\/vnd\.atlas\.(\d{4})-(\d{2})-(\d{2})\+json$/.exec(type)
    if (!m) continue
    const date = `${m[1]}-${m[2]}-${m[3]}`
    const parsed = new Date(`${date}T00:00:00Z`)
    if (Number.isNaN(parsed.getTime()) || !parsed.toISOString().startsWith(date) || date < '2023-01-01') continue
    if (latest === undefined || date > latest) latest = date
  }
  return latest
}

/** The query's problems: paging and format as on the checkpoint routes, plus the operation's own parameters. */
function queryVerdict(search: string, list: boolean, flags: readonly string[], texts: readonly string[]): { invalid: string[]; envelope: boolean; pretty: boolean } {
  const params = new URLSearchParams(search)
  const booleans = ['envelope', 'pretty', ...(list ? ['includeCount'] : []), ...flags]
  const integers = list ? ['itemsPerPage', 'pageNum'] : []
  const invalid: string[] = []
  for (const name of [...booleans, ...integers, ...texts]) {
    const values = params.getAll(name)
    if (values.length === 0) continue
    const value = values[0] as string
    if (values.length > 1) invalid.push(name)
    else if (booleans.includes(name) && !/^(true|false)$/i.test(value)) invalid.push(name)
    else if (integers.includes(name) && !(/^[+-]?\d{1,10}$/.test(value) && Number(value) >= 1 && Number(value) <= (name === 'itemsPerPage' ? 500 : 2_147_483_647))) invalid.push(name)
  }
  const flag = (name: string) => params.getAll(name).length === 1 && (params.get(name) as string).toLowerCase() === 'true'
  return { invalid, envelope: flag('envelope'), pretty: flag('pretty') }
}

/** The D(parent, label) of docs/behaviour.md#discovery: the parent's 8 first characters and 16 of SHA-256(parent:label). */
export function derivedEntryId(parent: string, label: string): string {
  return parent.slice(0, 8) + createHash('sha256').update(`${parent}:${label}`, 'utf8').digest('hex').slice(0, 16)
}

/** What the discovery rules make the server answer to this request, given how its authentication fares. */
export function expectDiscovery(world: World, request: ApiCase, route: DiscoveryRouteMatch, auth: AuthVerdict): ApiExpectation {
  const d = world.discovery
  const at = request.target.indexOf('?')
  const path = at === -1 ? request.target : request.target.slice(0, at)
  const search = at === -1 ? '' : request.target.slice(at + 1)
  const { operation, list } = route.template
  const lenient = queryVerdict(search, false, [], [])
  let format = { envelope: lenient.envelope, pretty: lenient.pretty }
  let headers: Record<string, string | undefined> = {}
  const error = (status: number, errorCode: string, extra: Partial<ApiExpectation> = {}): ApiExpectation => ({ status, kind: 'error', errorCode, ...format, headers, ...extra })
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return error(405, 'METHOD_NOT_ALLOWED', { parameters: [request.method, decodeOnce(path)], allow: 'GET, HEAD' })
  }
  if (!auth.ok) return { status: 401, kind: 'unauthenticated', challenge: auth.challenge, envelope: false, pretty: false }
  const clusters = operation === 'listGroupClusters' || operation === 'getGroupCluster'
  let version = '2023-01-01'
  if (route.dialect === 'atlas-v2') {
    const date = requestedDate(request.accept)
    if (date === undefined) return error(406, 'INVALID_VERSION_DATE', { parameters: [] })
    if (clusters) {
      const [chosen, deprecation, sunset] = [...CLUSTER_VERSIONS].reverse().find(([v]) => v <= date) ?? CLUSTER_VERSIONS[0] ?? ['', undefined, undefined]
      version = chosen
      headers = { deprecation, sunset }
    } else {
      headers = { deprecation: undefined, sunset: undefined }
    }
  }

  const groupId = route.params['groupId'] === undefined ? undefined : decodeOnce(route.params['groupId'])
  if (groupId !== undefined && !OBJECT_ID.test(groupId)) return error(404, 'INVALID_GROUP_ID', { parameters: [groupId] })
  const orgId = route.params['orgId'] === undefined ? undefined : decodeOnce(route.params['orgId'])
  if (orgId !== undefined && !OBJECT_ID.test(orgId)) return error(404, 'INVALID_ORG_ID', { parameters: [orgId] })
  const name = route.params['groupName'] === undefined ? undefined : decodeOnce(route.params['groupName'])
  if (name !== undefined && (name.length === 0 || name.length > 64)) return error(404, 'GROUP_NAME_NOT_FOUND', { parameters: [name] })
  const cluster = route.params['cluster'] === undefined ? undefined : decodeOnce(route.params['cluster'])
  const byName = route.dialect !== 'ops-manager'
  if (cluster !== undefined && byName && (cluster.length > 64 || !CLUSTER_NAME.test(cluster))) {
    return error(404, 'CLUSTER_NOT_FOUND', { parameters: [cluster, groupId] })
  }
  if (cluster !== undefined && !byName && !OBJECT_ID.test(cluster)) return error(404, 'INVALID_CLUSTER_ID', { parameters: [cluster] })

  const texts = operation === 'listOrgs' || operation === 'getOrgGroups' ? ['name'] : []
  const flags = operation === 'listGroupClusters' && route.dialect === 'atlas-v2' ? ['includeDeletedWithRetainedBackups'] : []
  const query = queryVerdict(search, list, flags, texts)
  if (query.invalid.length > 0) return error(400, 'INVALID_QUERY_PARAMETER', { oneOfParameters: query.invalid })
  format = { envelope: query.envelope, pretty: query.pretty }

  if (groupId !== undefined && groupId === world.foreignGroupId) return error(401, 'USER_UNAUTHORIZED', { parameters: [] })
  if (groupId !== undefined && groupId !== world.groupId) return error(404, 'GROUP_NOT_FOUND', { parameters: [groupId] })
  if (orgId !== undefined && orgId === d.foreignOrgId) return error(401, 'USER_UNAUTHORIZED', { parameters: [] })
  if (orgId !== undefined && orgId !== d.orgId) return error(404, 'ORG_NOT_FOUND', { parameters: [orgId] })
  if (name !== undefined && name !== d.projectName) return error(404, 'GROUP_NAME_NOT_FOUND', { parameters: [name] })
  if (cluster !== undefined && byName && !d.clusterNames.includes(cluster)) return error(404, 'CLUSTER_NOT_FOUND', { parameters: [cluster, groupId] })
  if (cluster !== undefined && !byName && !d.entryIds.includes(cluster)) return error(404, 'CLUSTER_NOT_FOUND', { parameters: [cluster, groupId] })

  const v2 = route.dialect === 'atlas-v2'
  return {
    status: 200,
    kind: 'success',
    entity: list ? 'list' : 'entity',
    contentType: v2 ? `application/vnd.atlas.${version}+json;charset=utf-8` : 'application/json',
    successSchema: v2 ? { kind: 'discovery', template: SPEC_PATHS[operation] ?? '', mediaType: `application/vnd.atlas.${version}+json` } : { kind: 'json' },
    headers,
    ...format,
  }
}

/** Accept headers for the discovery cases: the checkpoint ones, and dates on each side of the cluster versions. */
const DISCOVERY_ACCEPTS = [
  'application/vnd.atlas.2023-01-31+json',
  'application/vnd.atlas.2023-02-01+json',
  'application/vnd.atlas.2024-08-04+json',
  'application/vnd.atlas.2024-08-05+json',
  'application/vnd.atlas.2024-10-23+json',
  'application/vnd.atlas.2025-03-12+json;charset=utf-8',
  'application/vnd.atlas.2023-02-01+json, application/vnd.atlas.2024-08-05+json',
]

/** The same value (a valid segment) with some more of its characters percent-encoded. */
function encodeMore(rng: Rng, segment: string): string {
  let out = ''
  for (const char of decodeOnce(segment)) {
    const needed = encodeURIComponent(char)
    out += needed !== char || !rng.chance(0.3) ? needed : `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const NAMES = ['', 'demo', 'DEMO', 'Waymark', 'w', 'x', '%E2%9C%93', 'Demo%20P', '%zz']

/** A generated discovery request (its Authorization is added by fuzz-api-case.ts). */
export function generateDiscoveryCase(rng: Rng, world: World, rates: ApiCaseRates): ApiCase {
  const d = world.discovery
  const dialect = rng.pick(['atlas-v2', 'atlas-v1', 'ops-manager'] as const)
  const template = rng.pick(TEMPLATES.filter((t) => !t.opsManagerOnly || dialect === 'ops-manager'))
  const labels: string[] = [dialect, template.operation]
  const value = (what: string, good: () => string, alternatives: readonly (() => string)[], like: string): string => {
    if (rng.chance(rates.malformedSegment)) {
      const bad = malformedSegment(rng, like)
      labels.push(`${what}: ${bad.label}`)
      return bad.raw
    }
    const chosen = rng.chance(0.7) || alternatives.length === 0 ? good() : rng.pick(alternatives)()
    return rng.chance(0.1) ? encodeMore(rng, chosen) : chosen
  }
  const unknownId = () => `ffff${rng.string('0123456789abcdef', 20)}`
  const segments = [...PREFIXES[dialect]]
  for (const segment of template.segments) {
    if (!segment.startsWith('{')) {
      segments.push(segment)
    } else if (segment === '{groupId}') {
      segments.push(value('groupId', () => world.groupId, [() => world.foreignGroupId, unknownId], world.groupId))
    } else if (segment === '{orgId}') {
      segments.push(value('orgId', () => d.orgId, [() => d.foreignOrgId, unknownId], d.orgId))
    } else if (segment === '{groupName}') {
      const encoded = encodeURIComponent(d.projectName)
      segments.push(
        value('groupName', () => encoded, [
          () => encodeURIComponent(d.hiddenProjectName),
          () => encodeURIComponent(d.foreignProjectName),
          () => encodeURIComponent(d.projectName.toLowerCase()),
          () => 'x'.repeat(rng.pick([64, 65])),
          () => encodeURIComponent('Ωμέγα project'),
        ], encoded),
      )
    } else if (dialect === 'ops-manager') {
      const first = d.entryIds[0] ?? world.clusterId
      segments.push(value('clusterId', () => rng.pick(d.entryIds), [unknownId, () => world.checkpointIds[0] ?? unknownId()], first))
    } else {
      segments.push(value('clusterName', () => rng.pick(d.clusterNames), [() => `Nope-${rng.int(0, 99)}`, () => 'cluster0'], world.clusterName))
    }
  }
  let path = segments
  if (rng.chance(rates.structural)) {
    const mutation = structuralMutation(rng, segments)
    path = mutation.segments
    labels.push(mutation.label)
  }
  const query = planQuery(rng, rates.badQuery)
  labels.push(...query.labels)
  const extra: string[] = []
  if (rng.chance(0.3)) {
    const repeated = rng.chance(0.1)
    const nameValue = rng.pick(NAMES)
    extra.push(`name=${nameValue}`, ...(repeated ? [`name=${nameValue}`] : []))
    labels.push(`name=${nameValue}${repeated ? ' repeated' : ''}`)
  }
  if (rng.chance(0.2)) {
    const flag = rng.pick(['true', 'FALSE', 'yes', '', '1'])
    extra.push(`includeDeletedWithRetainedBackups=${flag}`)
    labels.push(`includeDeletedWithRetainedBackups=${flag}`)
  }
  const search = [query.search.replace(/^\?/, ''), ...extra].filter((p) => p !== '').join('&')
  let accept: { header: string | undefined; valid: boolean; label: string } = { header: undefined, valid: true, label: '' }
  if (dialect === 'atlas-v2') {
    accept = rng.chance(0.5) ? { header: rng.pick(DISCOVERY_ACCEPTS), valid: true, label: 'a cluster version date' } : planAccept(rng, rates.badAccept)
  } else if (rng.chance(0.2)) {
    accept = planAccept(rng, 0.7)
  }
  if (accept.header !== undefined) labels.push(`accept ${accept.header.slice(0, 60)}`)
  const method = rng.chance(rates.otherMethod) ? rng.pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) : rng.chance(0.08) ? 'HEAD' : 'GET'
  if (method !== 'GET') labels.push(method)
  return {
    method,
    target: `/${path.join('/')}${search === '' ? (query.search === '?' ? '?' : '') : `?${search}`}`,
    accept: accept.header,
    acceptValid: accept.valid,
    extraHeaders: [],
    labels,
  }
}
