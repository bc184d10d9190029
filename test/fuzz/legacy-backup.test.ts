import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { IDS } from '../helpers/fixtures.js'
import { derivedEntryId } from '../helpers/fuzz-discovery.js'
import { answerProblems, bodyText, CONTENT_TYPES, digestRequester, oddValue, V2_ACCEPT, type Answer, type Requester } from '../helpers/fuzz-legacy.js'
import { predictSchedule, predictSnapshotBody, SCHEDULE_FIELDS, SCHEDULE_GOOD, type Expected, type ScheduleRules } from '../helpers/fuzz-legacy-oracle.js'
import { caseCount, fuzzSettings, type Rng } from '../helpers/fuzz-prng.js'
import { runProperty, type CaseResult } from '../helpers/fuzz-server.js'
import { legacySchemaErrors, type LegacySchema } from '../helpers/legacy-openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * Fuzz of the snapshot schedule and snapshot routes of the three dialects over a real socket
 * (docs/behaviour.md#legacy-backup-snapshot-schedule-and-snapshots): schedule PATCH bodies made of every
 * field of the dialect with good, wrong-typed, out-of-range, int32-edge, signed-string, float, null,
 * unknown and deeply nested values, under any Content-Type, broken JSON; snapshot PATCH bodies
 * (`doNotDelete`, `expires` with impossible calendar dates, bare dates, offsets) and DELETEs against a model
 * of the snapshots; random group, cluster and snapshot segments, methods and queries. The oracle
 * (test/helpers/fuzz-legacy-oracle.ts) predicts each answer's status and errorCode from the documented
 * rules; every answer must also be the API's JSON error or a success valid against the upstream schemas
 * (Atlas v2), carry an X-Request-Id, come within the deadline, never be a 5xx; the server still serves
 * after each property. Seeded (WAYMARK_FUZZ_SEED / _COUNT / _CASE, test/helpers/fuzz-prng.ts).
 */

const settings = fuzzSettings()
const NOW = Date.parse('2026-11-01T00:00:00Z')
const HEX = '0123456789abcdef'
const G = IDS.projectA

interface DialectInfo {
  readonly name: ScheduleRules
  readonly prefix: string
  readonly accept: string
}
const DIALECTS: readonly DialectInfo[] = [
  { name: 'atlas-v2', prefix: '/api/atlas/v2', accept: V2_ACCEPT },
  { name: 'atlas-v1', prefix: '/api/atlas/v1.0', accept: 'application/json' },
  { name: 'ops-manager', prefix: '/api/public/v1.0', accept: 'application/json' },
]

interface KnownCluster {
  readonly id: string
  readonly name: string
  readonly type: 'SHARDED' | 'REPLICASET'
  readonly backup: 'LEGACY' | 'CLOUD' | 'NONE'
  /** A shard's or config server's replica set (Ops Manager ids only). */
  readonly part: boolean
}

/** A target cluster: known (with how the path names it) or a path segment the oracle knows the error of. */
type ClusterPick = { kind: 'known'; cluster: KnownCluster; segment: string } | { kind: 'error'; segment: string; expected: Expected; atPath: boolean }

async function startApp(): Promise<{ t: TestApp; request: Requester; clusters: KnownCluster[] }> {
  const t = await startTestApp({ now: () => NOW, env: { WAYMARK_RATE_LIMIT: 'off' } })
  const stored = await t.store.listClustersOfProject(G)
  await coverWithSnapshots(t.store, stored.map((c) => c.id), NOW)
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  const clusters: KnownCluster[] = stored.flatMap((c) => [
    { id: c.id, name: c.name, type: c.type, backup: c.backup, part: false },
    ...(c.type === 'SHARDED'
      ? [...c.shards.map((s) => s.replicaSetName), ...(c.configServer?.typeName === 'CONFIG_SERVER_REPLICA_SET' ? [c.configServer.replicaSetName] : [])].map(
          (rs): KnownCluster => ({ id: derivedEntryId(c.id, rs), name: '', type: 'REPLICASET', backup: c.backup, part: true }),
        )
      : []),
  ])
  return { t, request: digestRequester(base), clusters }
}

/** The cluster segment of a path: mostly a known cluster, else a malformed or unknown one. */
function pickCluster(rng: Rng, dialect: DialectInfo, clusters: readonly KnownCluster[], group: string): ClusterPick {
  const ops = dialect.name === 'ops-manager'
  const usable = clusters.filter((c) => ops || !c.part)
  if (rng.chance(0.85)) {
    const cluster = rng.pick(usable)
    return { kind: 'known', cluster, segment: ops ? cluster.id : cluster.name }
  }
  if (ops) {
    const segment = rng.pick([rng.string(HEX, 24), rng.string(HEX, rng.int(1, 30)), rng.string(HEX.toUpperCase(), 24), 'Cluster0'])
    if (/^[a-f0-9]{24}$/.test(segment)) return { kind: 'error', segment, expected: { status: 404, errorCode: 'CLUSTER_NOT_FOUND', parameters: [segment, group] }, atPath: false }
    return { kind: 'error', segment, expected: { status: 404, errorCode: 'INVALID_CLUSTER_ID', parameters: [segment] }, atPath: true }
  }
  const segment = rng.pick(['Nope0', 'cluster0', `x${rng.string('abcXYZ019-', rng.int(0, 20))}`, '-lead', 'a_b', 'a'.repeat(65), '%C3%A9t%C3%A9'])
  const decoded = decodeURIComponent(segment)
  const malformed = decoded.length > 64 || !/^[a-zA-Z0-9][a-zA-Z0-9-]*$/.test(decoded)
  return { kind: 'error', segment, expected: { status: 404, errorCode: 'CLUSTER_NOT_FOUND', parameters: [decoded, group] }, atPath: malformed }
}

/** The group segment: the test project mostly, else one whose error the oracle knows. */
function pickGroup(rng: Rng): { segment: string; expected?: Expected; atPath: boolean } {
  if (rng.chance(0.9)) return { segment: G, atPath: false }
  const segment = rng.pick([rng.string(HEX, 24), IDS.projectB, rng.string(HEX + 'g', rng.int(0, 30))])
  if (!/^[a-f0-9]{24}$/.test(segment)) return { segment, expected: { status: 404, errorCode: 'INVALID_GROUP_ID', parameters: [segment] }, atPath: true }
  if (segment === IDS.projectB) return { segment, expected: { status: 401, errorCode: 'USER_UNAUTHORIZED' }, atPath: false }
  return { segment, expected: { status: 404, errorCode: 'GROUP_NOT_FOUND', parameters: [segment] }, atPath: false }
}

/** A value of a schedule field: a good one, an odd one of any type, or one just past its range. */
function scheduleValue(rng: Rng, field: (typeof SCHEDULE_FIELDS)[number]): unknown {
  const roll = rng.int(0, 9)
  if (roll < 5) return rng.pick(SCHEDULE_GOOD[field])
  if (roll < 8) return oddValue(rng)
  return rng.pick<unknown>([-1, 1, 7, 9, 14, 16, 24, 25, 59, 60, 61, 365, 366, 8761, '-15', '0', 'MONDAY', 'monday', '+1500', '+14:60', '0200', 'z', '+02', rng.int(-100, 9000)])
}

function scheduleBody(rng: Rng): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (rng.chance(0.15)) {
    // A typed client's round trip: every field (the Atlas Go SDK), zeros included.
    for (const field of SCHEDULE_FIELDS) body[field] = rng.chance(0.7) ? rng.pick(SCHEDULE_GOOD[field]) : 0
    body['clusterId'] = ''
    body['groupId'] = ''
  } else {
    for (let i = rng.int(0, 5); i > 0; i--) {
      const field = rng.pick(SCHEDULE_FIELDS)
      body[field] = scheduleValue(rng, field)
    }
  }
  if (rng.chance(0.2)) body[rng.pick(['links', 'id', 'groupId', 'clusterId', rng.string('abcdefghijklmnopqrstuvwxyz', rng.int(1, 12))])] = oddValue(rng)
  return body
}

/** The schema of a v2 success, when the route has one. */
function v2Success(schema: LegacySchema): (parsed: unknown) => string[] {
  return (parsed) => legacySchemaErrors(schema, parsed).flatMap((problem) => (schema === 'ApiAtlasSnapshotScheduleView' ? outsideOpsRanges(problem) : [problem]))
}

/**
 * The v2 schedule's errors but for a retention outside the v2 enums: the properties write one cluster's
 * schedule through every dialect, and Ops Manager's ranges (0–365 days, 0–52 weeks, 0–36 months) take
 * values v2 then shows as stored (docs/behaviour.md#snapshot-schedule says so).
 */
function outsideOpsRanges(problem: string): string[] {
  const errors = JSON.parse(problem.slice(problem.indexOf(': ') + 2)) as { instancePath: string; keyword: string }[]
  const RETENTION = ['/dailySnapshotRetentionDays', '/weeklySnapshotRetentionWeeks', '/monthlySnapshotRetentionMonths']
  const left = errors.filter((e) => !(e.keyword === 'enum' && RETENTION.includes(e.instancePath)))
  return left.length === 0 ? [] : [`ApiAtlasSnapshotScheduleView: ${JSON.stringify(left)}`]
}

/** The first of the path's, the body's parse and the access errors, in the documented order; undefined when none. */
function earlyError(group: ReturnType<typeof pickGroup>, cluster: ClusterPick, parse: 'ok' | 'MALFORMED_JSON' | 'INVALID_JSON' | undefined): Expected | undefined {
  if (group.atPath && group.expected) return group.expected
  if (cluster.kind === 'error' && cluster.atPath) return cluster.expected
  if (parse !== undefined && parse !== 'ok') return { status: 400, errorCode: parse }
  if (group.expected) return group.expected
  if (cluster.kind === 'error') return cluster.expected
  return undefined
}

function cloudEndpoint(dialect: DialectInfo, cluster: ClusterPick, resource: string): Expected | undefined {
  if (cluster.kind !== 'known' || cluster.cluster.backup !== 'CLOUD' || dialect.name === 'ops-manager') return undefined
  return { status: 400, errorCode: 'INCORRECT_BACKUP_API_ENDPOINT', parameters: [`${dialect.prefix}/groups/{groupId}/clusters/{clusterName}/${resource}`] }
}

function scheduleTarget(dialect: DialectInfo, group: string, cluster: string): string {
  return dialect.name === 'ops-manager' ? `${dialect.prefix}/groups/${group}/backupConfigs/${cluster}/snapshotSchedule` : `${dialect.prefix}/groups/${group}/clusters/${cluster}/snapshotSchedule`
}

async function stillServes(request: Requester): Promise<void> {
  const answer = await request('GET', `/api/atlas/v2/groups/${G}/clusters/Cluster0/snapshotSchedule`, { accept: V2_ACCEPT })
  assert.equal(answer.status, 200, `the server still answers: ${answer.body}`)
}

describe('fuzz: the snapshot schedule over a real socket (SQLite)', () => {
  let t: TestApp
  let request: Requester
  let clusters: KnownCluster[]
  before(async () => {
    ;({ t, request, clusters } = await startApp())
  })
  after(() => t.close())

  test('PATCH bodies: every field of each dialect, wrong types, int32 edges, signed strings, nulls, unknown fields, broken JSON, any Content-Type', async () => {
    const seen = new Map<string, number>()
    await runProperty('legacy schedule bodies', settings, caseCount(settings, 500), 4, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const group = pickGroup(rng)
      const cluster = pickCluster(rng, dialect, clusters, group.segment)
      const body = scheduleBody(rng)
      const { text, parse, label } = bodyText(rng, body)
      const contentType = rng.pick(CONTENT_TYPES)
      const target = `${scheduleTarget(dialect, group.segment, cluster.segment)}${rng.chance(0.2) ? '?pretty=true' : ''}`
      const labels = [dialect.name, cluster.kind === 'known' ? `${cluster.cluster.type} ${cluster.cluster.backup}${cluster.cluster.part ? ' part' : ''}` : 'bad cluster', label ?? 'json', `content-type ${JSON.stringify(contentType)}`]
      let expected = earlyError(group, cluster, parse) ?? cloudEndpoint(dialect, cluster, 'backup/schedule')
      let shown: Record<string, unknown> | undefined
      if (expected === undefined && cluster.kind === 'known') {
        const prediction = predictSchedule(body, dialect.name, cluster.cluster.type)
        if ('error' in prediction) expected = prediction.error
        else if (cluster.cluster.part) expected = { status: 409, errorCode: 'CANNOT_MODIFY_SHARD_BACKUP_CONFIG', parameters: [cluster.cluster.id] }
        else {
          expected = { status: 200 }
          shown = prediction.ok
        }
      }
      const headers: Record<string, string> = { accept: dialect.accept, ...(contentType === '' ? {} : { 'content-type': contentType }) }
      const answer = await request('PATCH', target, headers, text)
      tally(seen, answer)
      const problems = answerProblems(answer, { expected, ...(dialect.name === 'atlas-v2' ? { success: v2Success('ApiAtlasSnapshotScheduleView') } : {}) })
      if (answer.status === 200 && shown !== undefined) problems.push(...shownProblems(answer, shown))
      return { request: { method: 'PATCH', target, headers: Object.entries(headers), body: text.slice(0, 2000) } as never, labels, problems }
    })
    // Not degenerate: changes applied, and the errors of every step reached.
    assertReached(seen, ['200', '400 INVALID_JSON_ATTRIBUTE', '400 MALFORMED_JSON', '400 INVALID_JSON', '409 CANNOT_MODIFY_SHARD_BACKUP_CONFIG', '400 INCORRECT_BACKUP_API_ENDPOINT', '404 CLUSTER_NOT_FOUND'])
    await stillServes(request)
  })

  test('GET, HEAD and other methods on the schedule, a wrong Accept on v2, random segments', async () => {
    await runProperty('legacy schedule reads', settings, caseCount(settings, 200), 4, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const group = pickGroup(rng)
      const cluster = pickCluster(rng, dialect, clusters, group.segment)
      const method = rng.pick(['GET', 'GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'])
      const target = scheduleTarget(dialect, group.segment, cluster.segment)
      const badAccept = dialect.name === 'atlas-v2' && rng.chance(0.1)
      const accept = badAccept ? rng.pick(['application/json', '*/*', 'application/vnd.atlas.2020-01-01+json']) : dialect.accept
      let expected: Expected | undefined
      if (!['GET', 'HEAD'].includes(method)) expected = { status: 405, errorCode: 'METHOD_NOT_ALLOWED' }
      else if (badAccept) expected = { status: 406, errorCode: 'INVALID_VERSION_DATE' }
      else expected = earlyError(group, cluster, undefined) ?? cloudEndpoint(dialect, cluster, 'backup/schedule') ?? { status: 200 }
      const answer = await request(method, target, { accept }, method === 'GET' || method === 'HEAD' ? undefined : '{}')
      const problems = method === 'HEAD' ? headProblems(answer, expected) : answerProblems(answer, { expected, ...(dialect.name === 'atlas-v2' ? { success: v2Success('ApiAtlasSnapshotScheduleView') } : {}) })
      if (answer.status === 405 && answer.headers['allow'] !== 'GET, HEAD, PATCH') problems.push(`Allow ${answer.headers['allow']}`)
      return { request: { method, target, headers: [['accept', accept]] } as never, labels: [dialect.name, method], problems }
    })
    await stillServes(request)
  })
})

/** Counts an answer by method, status and error code. */
function tally(seen: Map<string, number>, answer: Answer, method?: string): void {
  const key = [method, String(answer.status), answer.headers['x-error-code']].filter((part) => part !== undefined).join(' ')
  seen.set(key, (seen.get(key) ?? 0) + 1)
}

/** Fails unless every outcome was seen (only when the property ran its full count: a replayed case sees one). */
function assertReached(seen: Map<string, number>, outcomes: readonly string[]): void {
  if (settings.only !== undefined || settings.count !== undefined) return
  const missing = outcomes.filter((outcome) => !seen.has(outcome))
  assert.deepEqual(missing, [], `outcomes never reached: ${JSON.stringify([...seen].sort())}`)
}

/** A success shows the values the PATCH gave (a null interval: none). */
function shownProblems(answer: Answer, shown: Record<string, unknown>): string[] {
  const body = JSON.parse(answer.body) as Record<string, unknown>
  const problems: string[] = []
  for (const [field, value] of Object.entries(shown)) {
    if (body[field] !== value) problems.push(`${field} is ${JSON.stringify(body[field])}, expected ${JSON.stringify(value)}`)
  }
  return problems
}

/** A HEAD answer: the status and code expected, no body. */
function headProblems(answer: Answer, expected: Expected): string[] {
  const problems: string[] = []
  if (answer.status === 0) return [answer.body]
  if (answer.status >= 500) problems.push(`status ${answer.status}`)
  if (answer.headers['x-request-id'] === undefined) problems.push('no X-Request-Id')
  if (answer.body !== '') problems.push('a HEAD answer with a body')
  if (answer.status !== expected.status || (answer.headers['x-error-code'] ?? undefined) !== expected.errorCode) {
    problems.push(`expected ${JSON.stringify(expected.status)} ${String(expected.errorCode ?? '')}, got ${answer.status} ${answer.headers['x-error-code'] ?? ''}`)
  }
  return problems
}

/** The model of one snapshot the property acts on. */
interface SnapshotState {
  readonly id: string
  readonly cluster: KnownCluster
  readonly complete: boolean
  doNotDelete: boolean
  gone: boolean
}

const EXPIRES = [
  '2030-12-01',
  '2030-12-01T10:00:00Z',
  '2030-12-01T10:00Z',
  '2030-12-01T10:00:00.123456789Z',
  '2030-12-01T10:00:00+0200',
  '2030-12-01T10:00:00-05:30',
  '2028-02-29',
  '2028-02-29T12:00:00Z',
  '2030-02-28T23:59:59Z',
  // Impossible or malformed: INVALID_DATE_FORMAT.
  '2030-02-31',
  '2030-02-29',
  '2030-02-30T00:00:00Z',
  '2030-04-31T00:00:00Z',
  '2030-02-31T00:00:00Z',
  '1900-02-29',
  '2030-13-01',
  '2030-00-10',
  '2030-12-00',
  '2030-12-01T24:00:00Z',
  '2030-12-01T23:60:00Z',
  '2030-12-01T23:59:60Z',
  '2030-12-01T10:00:00+19:00',
  '2030-12-01T10:00:00+0260',
  '2030-12-01T10:00:00',
  '2030-12-01 10:00:00Z',
  '2030-1-1',
  '30-12-01',
  '+2030-12-01',
  '2030-12-01T10:00:00ZZ',
  'tomorrow',
  '',
  // In the past (or now): accepted, and the snapshot is then gone.
  '2026-11-01T00:00:00Z',
  '2020-01-01',
  '2000-02-29',
]

function snapshotBody(rng: Rng, snapshotId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const flag = rng.int(0, 9)
  if (flag < 3) body['doNotDelete'] = rng.pick([true, false, null])
  else if (flag === 3) body['doNotDelete'] = oddValue(rng)
  const expires = rng.int(0, 9)
  if (expires < 5) body['expires'] = rng.pick(EXPIRES)
  else if (expires === 5) body['expires'] = oddValue(rng)
  else if (expires === 6) body['expires'] = null
  if (rng.chance(0.2)) body[rng.pick(['id', 'complete', 'links', 'created', 'x'])] = rng.chance(0.5) ? oddValue(rng) : snapshotId
  return body
}

describe('fuzz: snapshots over a real socket (SQLite)', () => {
  let t: TestApp
  let request: Requester
  let clusters: KnownCluster[]
  const snapshots: SnapshotState[] = []
  before(async () => {
    ;({ t, request, clusters } = await startApp())
    for (const cluster of clusters.filter((c) => !c.part && c.backup === 'LEGACY')) {
      // Two kept snapshots per cluster from the start, for the rules of `doNotDelete`.
      const all = await t.store.listSnapshotsOfCluster(cluster.id)
      const keep = all.filter((s) => s.completedAt !== undefined && s.expires !== undefined && Date.parse(s.expires) > NOW).slice(0, 2)
      await t.store.putSnapshots(keep.map(({ expires: _expires, ...s }) => ({ ...s, doNotDelete: true, expiresExplicit: false })))
      for (const s of await t.store.listSnapshotsOfCluster(cluster.id)) {
        const gone = s.expires !== undefined && Date.parse(s.expires) <= NOW
        snapshots.push({ id: s.id, cluster, complete: s.completedAt !== undefined, doNotDelete: s.doNotDelete, gone })
      }
    }
    assert.ok(snapshots.some((s) => !s.complete), 'an in-progress snapshot to fuzz')
    assert.ok(snapshots.filter((s) => s.complete && !s.gone).length > 30, 'enough snapshots to fuzz')
  })
  after(() => t.close())

  test('PATCH and DELETE of snapshots against a model, GET one and lists, malformed and foreign ids, other methods', async () => {
    // One at a time: each answer depends on what the cases before did to the snapshots.
    const seen = new Map<string, number>()
    await runProperty('legacy snapshots', settings, caseCount(settings, 400), 1, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const ops = dialect.name === 'ops-manager'
      const group = pickGroup(rng)
      const labels: string[] = [dialect.name]
      // Mostly a snapshot of the model under its own cluster; else another cluster's, or any cluster.
      // Now and then one in progress or kept (`doNotDelete`), so that their rules are reached.
      const roll = rng.int(0, 9)
      const special = snapshots.filter((s) => !s.gone && (roll === 0 ? !s.complete : s.doNotDelete))
      const state = roll < 3 && special.length > 0 ? rng.pick(special) : rng.pick(snapshots)
      let cluster: ClusterPick
      if (rng.chance(0.8)) cluster = { kind: 'known', cluster: state.cluster, segment: ops ? state.cluster.id : state.cluster.name }
      else cluster = pickCluster(rng, dialect, clusters.filter((c) => ops || !c.part), group.segment)
      const idRoll = rng.int(0, 9)
      const snapshotId = idRoll < 8 ? state.id : idRoll === 8 ? rng.string(HEX, 24) : rng.pick([rng.string(HEX + 'XYZ', rng.int(1, 30)), state.id.toUpperCase(), `${state.id}0`])
      const known = cluster.kind === 'known' && cluster.cluster.id === state.cluster.id && snapshotId === state.id && !state.gone
      const clusterLabel = cluster.segment
      const list = `${dialect.prefix}/groups/${group.segment}/clusters/${cluster.segment}/snapshots`
      const kind = rng.int(0, 9)
      let method: string
      let target = `${list}/${snapshotId}`
      let text: string | undefined
      let expected: Expected | undefined
      let contentType = ''
      let change: { doNotDelete?: boolean; expires?: number } | undefined
      const idError: Expected | undefined = /^[a-f0-9]{24}$/.test(snapshotId) ? undefined : { status: 404, errorCode: 'INVALID_SNAPSHOT_ID', parameters: [snapshotId] }
      const pathError = (group.atPath && group.expected) || (cluster.kind === 'error' && cluster.atPath ? cluster.expected : undefined) || idError
      const lookup = (): Expected => {
        if (!known) return { status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', parameters: [snapshotId, clusterLabel] }
        return { status: 200 }
      }
      if (kind < 5) {
        method = 'PATCH'
        const body = snapshotBody(rng, snapshotId)
        const made = bodyText(rng, body)
        text = made.text
        contentType = rng.pick(CONTENT_TYPES)
        labels.push('PATCH', made.label ?? JSON.stringify(body).slice(0, 120))
        expected = pathError ?? earlyError({ ...group, atPath: false }, { ...cluster, atPath: false } as ClusterPick, made.parse) ?? cloudEndpoint(dialect, cluster, 'backup/snapshots')
        if (expected === undefined) {
          const prediction = predictSnapshotBody(body, snapshotId)
          if ('error' in prediction) expected = prediction.error
          else {
            expected = lookup()
            if (expected.status === 200 && !state.complete) expected = { status: 400, errorCode: 'CANNOT_MODIFY_IN_PROGRESS_SNAPSHOT_RETENTION' }
            if (expected.status === 200) change = prediction.ok
          }
        }
      } else if (kind < 7) {
        method = 'DELETE'
        labels.push('DELETE')
        expected = pathError ?? earlyError({ ...group, atPath: false }, { ...cluster, atPath: false } as ClusterPick, undefined) ?? cloudEndpoint(dialect, cluster, 'backup/snapshots') ?? lookup()
        if (expected.status === 200) {
          if (!state.complete) expected = { status: 400, errorCode: 'CANNOT_DELETE_IN_PROGRESS_SNAPSHOT', parameters: [snapshotId] }
          else if (state.doNotDelete) expected = { status: 403, errorCode: 'CANNOT_MODIFY_SNAPSHOT', parameters: [snapshotId] }
          else expected = { status: 204 }
        }
      } else if (kind < 8) {
        method = 'GET'
        labels.push('GET one')
        expected = pathError ?? earlyError({ ...group, atPath: false }, { ...cluster, atPath: false } as ClusterPick, undefined) ?? cloudEndpoint(dialect, cluster, 'backup/snapshots') ?? lookup()
      } else if (kind < 9) {
        method = 'GET'
        const completed = rng.pick(['true', 'FALSE', 'all', 'All', 'yes', '', '1'])
        target = `${list}?completed=${completed}&itemsPerPage=${rng.pick(['1', '100', '500'])}&pageNum=${rng.pick(['1', '2', '99999'])}`
        labels.push('list', completed)
        const listPath = (group.atPath && group.expected) || (cluster.kind === 'error' && cluster.atPath ? cluster.expected : undefined)
        const badCompleted = !['true', 'false', 'all'].includes(completed.toLowerCase())
        expected =
          listPath ||
          (badCompleted ? { status: 400, errorCode: 'INVALID_QUERY_PARAMETER', parameters: ['completed'] } : undefined) ||
          earlyError({ ...group, atPath: false }, { ...cluster, atPath: false } as ClusterPick, undefined) ||
          cloudEndpoint(dialect, cluster, 'backup/snapshots') || { status: 200 }
      } else {
        method = rng.pick(['PUT', 'POST', 'OPTIONS'])
        target = rng.chance(0.5) ? list : target
        labels.push(method)
        expected = { status: 405, errorCode: 'METHOD_NOT_ALLOWED' }
      }
      const headers: Record<string, string> = { accept: dialect.accept, ...(contentType === '' ? {} : { 'content-type': contentType }) }
      const answer = await request(method, target, headers, text)
      tally(seen, answer, method)
      const schema: LegacySchema = target.includes('/snapshots?') ? 'PaginatedSnapshotView' : 'BackupSnapshot'
      const problems = answerProblems(answer, { expected, ...(dialect.name === 'atlas-v2' ? { success: v2Success(schema) } : {}) })
      if (answer.status === 405) {
        const allow = target.endsWith('/snapshots') ? 'GET, HEAD' : 'GET, HEAD, PATCH, DELETE'
        if (answer.headers['allow'] !== allow) problems.push(`Allow ${answer.headers['allow']}, expected ${allow}`)
      }
      // The model learns what the API did.
      if (method === 'DELETE' && answer.status === 204) state.gone = true
      if (method === 'PATCH' && answer.status === 200) {
        const shown = JSON.parse(answer.body) as { doNotDelete?: boolean; expires?: string }
        if (change?.doNotDelete === true && (shown.doNotDelete !== true || shown.expires !== undefined)) problems.push(`doNotDelete not applied: ${answer.body.slice(0, 300)}`)
        if (change?.expires !== undefined) {
          const want = new Date(Math.floor(change.expires / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
          if (shown.expires !== want || shown.doNotDelete !== false) problems.push(`expires ${shown.expires} doNotDelete ${shown.doNotDelete}, expected ${want} false`)
        }
        state.doNotDelete = shown.doNotDelete === true
        if (shown.expires !== undefined && Date.parse(shown.expires) <= NOW) state.gone = true
      }
      return { request: { method, target, headers: Object.entries(headers), ...(text === undefined ? {} : { body: text.slice(0, 2000) }) } as never, labels, problems }
    })
    assertReached(seen, [
      'PATCH 200',
      'DELETE 204',
      'PATCH 400 INVALID_DATE_FORMAT',
      'PATCH 403 CANNOT_MODIFY_SNAPSHOT',
      'PATCH 400 CANNOT_MODIFY_IN_PROGRESS_SNAPSHOT_RETENTION',
      'DELETE 403 CANNOT_MODIFY_SNAPSHOT',
      'DELETE 404 SNAPSHOT_NOT_FOUND',
      'GET 200',
    ])
    await stillServes(request)
  })
})
