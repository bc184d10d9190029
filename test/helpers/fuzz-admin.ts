import { decodeOnce, encodeSome, malformedSegment } from './fuzz-api.js'
import { answered, apiErrorProblems } from './fuzz-oracle.js'
import { assertAdminResponse } from './admin-openapi.js'
import type { Rng } from './fuzz-prng.js'
import { FUZZ_ADMIN_TOKEN, FUZZ_CLIENT, type CaseResult, type FuzzServer } from './fuzz-server.js'
import type { RequestSpec } from './fuzz-wire.js'
import { IDS } from './fixtures.js'

/**
 * The admin API and the health probes under fuzz. Without the admin token every request under
 * `/_admin` is 401 ADMIN_UNAUTHORIZED, whatever its path, method or body; with it, reading routes get
 * malformed ids, queries and bodies and must answer what the admin OpenAPI document declares, errors
 * in the catalogue. Requests with the token never change data a later case relies on (no valid body,
 * no real id on a writing method, no /reset). No side effects on import.
 */

const OBJECT_ID = /^[a-f0-9]{24}$/
const TEMPLATES = [
  '/orgs',
  '/orgs/{orgId}',
  '/groups',
  '/groups/{groupId}',
  '/groups/{groupId}/clusters',
  '/groups/{groupId}/clusters/{clusterId}',
  '/groups/{groupId}/clusters/{clusterId}/checkpoints',
  '/groups/{groupId}/clusters/{clusterId}/checkpoints/{checkpointId}',
  '/groups/{groupId}/clusters/{clusterId}/snapshotSchedule',
  '/groups/{groupId}/clusters/{clusterId}/snapshots',
  '/groups/{groupId}/clusters/{clusterId}/snapshots/{snapshotId}',
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs',
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}',
  '/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}/end',
  '/apiKeys',
  '/apiKeys/{publicKey}',
  '/serviceAccounts',
  '/serviceAccounts/{clientId}',
  '/openapi.json',
  '/fixtures',
]
/** Templates whose only method is POST. */
const POST_ONLY = new Set(['/groups/{groupId}/clusters/{clusterId}/restoreJobs/{jobId}/end'])
const GOOD: Readonly<Record<string, string>> = {
  orgId: IDS.orgA,
  groupId: IDS.projectA,
  clusterId: IDS.cluster0,
  checkpointId: IDS.scccCheckpoint1,
  // Well-formed ids no snapshot or job has: a writing method never reaches a real one.
  snapshotId: '65a1f0c2e4b0a1b2c3d4ffa1',
  jobId: '65a1f0c2e4b0a1b2c3d4ffa2',
  publicKey: 'demoread',
  clientId: FUZZ_CLIENT.clientId,
}
const INVALID_ID_CODE: Readonly<Record<string, string>> = {
  orgId: 'INVALID_ORG_ID',
  groupId: 'INVALID_GROUP_ID',
  clusterId: 'INVALID_CLUSTER_ID',
  checkpointId: 'INVALID_CHECKPOINT_ID',
  snapshotId: 'INVALID_SNAPSHOT_ID',
  jobId: 'INVALID_JOB_ID',
}
const BAD_BODIES = ['{', '[', 'null', '"x"', '1', '{"name":', '\u0000', 'x'.repeat(3000), '{"id":"zz"}', '{"__proto__":{"x":1}}', '{"name":""}', '[]', 'true', '{"name":"a\\u0000b","orgId":"65a1f0c2e4b0a1b2c3d4e501"}']
const BAD_TOKENS = [
  undefined,
  '',
  'Bearer',
  `Bearer ${FUZZ_ADMIN_TOKEN}x`,
  `Bearer ${FUZZ_ADMIN_TOKEN.slice(0, -1)}`,
  `Bearer ${FUZZ_ADMIN_TOKEN.toUpperCase()}`,
  `Basic ${Buffer.from(`admin:${FUZZ_ADMIN_TOKEN}`).toString('base64')}`,
  `Digest username="admin"`,
  `Bearer "${FUZZ_ADMIN_TOKEN}"`,
  `Bearer ${FUZZ_ADMIN_TOKEN} ${FUZZ_ADMIN_TOKEN}`,
  `Token ${FUZZ_ADMIN_TOKEN}`,
  `Bearer ${'x'.repeat(2000)}`,
]

/** One admin case: a path of the admin API (or near it), with or without the token. */
export async function runAdminCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const withToken = rng.chance(0.6)
  const template = rng.pick(TEMPLATES)
  const labels: string[] = [template, withToken ? 'admin token' : 'no or wrong token']
  let firstBad: { name: string; raw: string } | undefined
  let emptyParam = false
  const segments = template.split('/').map((part) => {
    const param = /^\{(\w+)\}$/.exec(part)?.[1]
    if (param === undefined) return part
    if (rng.chance(0.45)) {
      const bad = malformedSegment(rng, GOOD[param] ?? 'x')
      labels.push(`${param}: ${bad.label}`)
      firstBad ??= { name: param, raw: bad.raw }
      if (bad.raw === '') emptyParam = true
      return bad.raw
    }
    return rng.chance(0.2) ? encodeSome(rng, GOOD[param] ?? 'x') : (GOOD[param] ?? 'x')
  })
  let path = `/_admin/v1${segments.join('/')}`
  if (rng.chance(0.1)) {
    path = rng.pick([`${path}/`, `/_admin/v1/${path.slice(10)}`, '/_admin', '/_admin/', '/_admin/v2/orgs', `/_admin/v1/nothing${rng.int(0, 9)}`, '/_admin/v1/%zz', '/_admin/%2e%2e/healthz', '/_admin/v1/orgs;x'])
    labels.push('path variant')
    firstBad = undefined
  }
  const query = rng.chance(0.25)
    ? `?${rng.pick(['pageNum=0', 'itemsPerPage=501', 'pageNum=%zz', 'orgId=zz', `orgId=${IDS.orgA}&orgId=${IDS.orgA}`, 'orgId=', 'demo=maybe', 'x=%', 'itemsPerPage=5', 'pageNum=2&itemsPerPage=1'])}`
    : ''
  const writing = rng.chance(0.25)
  let method = writing ? rng.pick(['POST', 'PATCH', 'DELETE', 'PUT']) : rng.pick(['GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'QUERY', 'TRACE'])
  // With the token, a writing method only goes where it cannot change data: a malformed id, or a bad body.
  let body: string | undefined
  if (writing || rng.chance(0.05)) body = rng.pick(BAD_BODIES)
  if (withToken && writing && method === 'DELETE' && firstBad === undefined) method = 'PUT'
  if (withToken && writing && template === '/fixtures' && body === '{"__proto__":{"x":1}}') body = '{'
  if (method !== 'GET') labels.push(method)

  const authorization = withToken
    ? rng.pick([`Bearer ${FUZZ_ADMIN_TOKEN}`, `bearer ${FUZZ_ADMIN_TOKEN}`, `Bearer  ${FUZZ_ADMIN_TOKEN}`])
    : rng.pick(BAD_TOKENS)
  const headers: [string, string][] = []
  if (authorization !== undefined) headers.push(['Authorization', authorization])
  if (body !== undefined || rng.chance(0.1)) headers.push(['Content-Type', rng.pick(['application/json', 'text/plain', 'garbage', '', 'application/json; charset=utf-8'])])
  const target = `${path}${query}`
  const request: RequestSpec = { method, target, headers, ...(body === undefined ? {} : { body }) }
  const head = method === 'HEAD'

  const { response, problems } = answered(await server.send(request))
  if (!response) return { request, labels, problems }
  if (!withToken) {
    if (response.status !== 401 || response.headers['x-error-code'] !== 'ADMIN_UNAUTHORIZED') {
      problems.push(`status ${response.status} ${response.headers['x-error-code'] ?? ''}, expected 401 ADMIN_UNAUTHORIZED: ${response.body.slice(0, 200)}`)
    } else {
      problems.push(...apiErrorProblems(response, { head }))
      if (response.headers['www-authenticate'] !== 'Bearer realm="Waymark admin"') problems.push(`WWW-Authenticate ${response.headers['www-authenticate']}`)
    }
    return { request, labels, problems }
  }
  if (response.status >= 400) problems.push(...apiErrorProblems(response, { head }))
  else if (response.status !== 200 && response.status !== 201) problems.push(`status ${response.status}`)
  // A route without GET (a restore job's /end) answers GET 405 before any check of its ids, as the API's
  // routes do; a path variant may name no route at all (404).
  if (POST_ONLY.has(template) && method === 'GET' && path.startsWith('/_admin/v1/groups/')) {
    const code = response.headers['x-error-code']
    const namesNone = path.endsWith('/') || isUndecodable(target.split('?')[0] ?? '')
    if (code !== 'METHOD_NOT_ALLOWED' && !(code === 'RESOURCE_NOT_FOUND' && namesNone)) problems.push(`errorCode ${code} (${response.status}), expected METHOD_NOT_ALLOWED`)
  }
  // A malformed ObjectId on a reading route is its INVALID_*_ID (after decoding; an undecodable URL is 404).
  if (firstBad && method === 'GET' && !POST_ONLY.has(template) && INVALID_ID_CODE[firstBad.name] !== undefined && path.startsWith('/_admin/v1/')) {
    const decoded = decodeOnce(firstBad.raw)
    // An empty segment anywhere names no route (src/admin/admin-routes.ts), nor does an undecodable URL.
    const expected =
      isUndecodable(target.split('?')[0] ?? '') || emptyParam ? 'RESOURCE_NOT_FOUND' : OBJECT_ID.test(decoded) ? undefined : INVALID_ID_CODE[firstBad.name]
    if (expected !== undefined && response.headers['x-error-code'] !== expected) {
      problems.push(`errorCode ${response.headers['x-error-code']} (${response.status}), expected ${expected}: ${response.body.slice(0, 200)}`)
    }
  }
  if (problems.length === 0 && !head && path.startsWith('/_admin/v1/') && method !== 'QUERY') {
    try {
      assertAdminResponse(method, target, response.status, response.body)
    } catch (error) {
      problems.push(error instanceof Error ? error.message.slice(0, 600) : String(error))
    }
  }
  return { request, labels, problems }
}

function isUndecodable(path: string): boolean {
  try {
    decodeURIComponent(path)
    return false
  } catch {
    return true
  }
}

/** One health probe case: any query, header or method; GET and HEAD answer 200, nothing answers 5xx. */
export async function runHealthCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const probe = rng.pick(['/healthz', '/readyz'])
  const variant = rng.chance(0.25) ? rng.pick([`${probe}/`, probe.toUpperCase(), `/${probe}`, `${probe}%20`, `${probe}/x`, `/%68${probe.slice(2)}`, `${probe};x`]) : probe
  const query = rng.chance(0.4) ? `?${rng.pick(['pretty=true', '%zz', '%', 'x=1&x=2', 'envelope=yes', 'a'.repeat(3000)])}` : ''
  const method = rng.chance(0.8) ? rng.pick(['GET', 'GET', 'HEAD']) : rng.pick(['POST', 'PUT', 'DELETE', 'OPTIONS', 'QUERY', 'PATCH'])
  const headers: [string, string][] = []
  if (rng.chance(0.3)) headers.push(['Authorization', rng.pick(['Bearer x', 'Digest x', 'Basic', ''])])
  if (rng.chance(0.2)) headers.push(['Accept', rng.pick(['*/*', 'text/html', 'garbage', ''])])
  if (method !== 'GET' && method !== 'HEAD' && rng.chance(0.5)) headers.push(['Content-Type', rng.pick(['application/json', 'garbage', ''])])
  const request: RequestSpec = { method, target: `${variant}${query}`, headers, ...(method === 'POST' && rng.chance(0.5) ? { body: '{' } : {}) }
  const labels = [variant, method]
  const head = method === 'HEAD'
  const { response, problems } = answered(await server.send(request))
  if (!response) return { request, labels, problems }
  // Fastify routes the probes: it decodes the path first (`/%68ealthz` is `/healthz`).
  if (decodeOnce(variant) === probe && (method === 'GET' || head)) {
    if (response.status !== 200) problems.push(`status ${response.status}, expected 200`)
    const wanted = probe === '/healthz' ? '{"status":"OK"}' : '{"status":"OK","store":"reachable"}'
    if (!head && response.body !== wanted) problems.push(`body ${response.body.slice(0, 100)}`)
    return { request, labels, problems }
  }
  if (response.status !== 404 && response.status !== 405) problems.push(`status ${response.status}, expected 404 or 405`)
  problems.push(...apiErrorProblems(response, { head }))
  return { request, labels, problems }
}
