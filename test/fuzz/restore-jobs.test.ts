import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { apiErrorProblems } from '../helpers/fuzz-oracle.js'
import { caseCount, fuzzSettings, type Rng } from '../helpers/fuzz-prng.js'
import { runProperty, type CaseResult } from '../helpers/fuzz-server.js'
import { legacySchemaErrors } from '../helpers/legacy-openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * Fuzz of the restore-job routes and bodies over a real socket (docs/behaviour.md#restore-jobs): POST
 * bodies mutated from valid ones (every field dropped, retyped, out of range, duplicated sources, garbage
 * JSON, any Content-Type), malformed job ids and batch ids, other methods, and the download URLs with
 * forged tokens and headers. Every answer must be the API's: a known errorCode with its status and the
 * upstream ApiError shape, or on Atlas v2 a body valid against the upstream restore-job schemas; never a
 * 5xx. Where the model knows the answer independently (a body that is not JSON, not an object, without
 * `delivery`; a malformed id), it must be exactly that.
 */

const settings = fuzzSettings()
const V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'

interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

const DIALECTS = [
  { name: 'atlas-v2', prefix: '/api/atlas/v2', sharded: 'Cluster0', rs: 'ReplicaSet0', accept: V2_ACCEPT },
  { name: 'atlas-v1', prefix: '/api/atlas/v1.0', sharded: 'Cluster0', rs: 'ReplicaSet0', accept: 'application/json' },
  { name: 'ops-manager', prefix: '/api/public/v1.0', sharded: IDS.cluster0, rs: IDS.replicaSet0, accept: 'application/json' },
] as const

const CONTENT_TYPES = ['application/json', V2_ACCEPT, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '', 'garbage/']
const METHODS = ['HTTP', 'AUTOMATED_RESTORE', 'SCP', 'CLIENT_PIT_SCP', 'QUERY', 'THIRD_PARTY_COPY', 'CLIENT_PIT_HTTP', 'http', '', 'FTP']
const HEX = '0123456789abcdef'

function oddValue(rng: Rng): unknown {
  return rng.pick<unknown>([
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    '1',
    '',
    'x'.repeat(rng.int(1, 300)),
    rng.string(HEX, 24),
    rng.string(HEX, rng.int(0, 30)),
    [],
    {},
    { nested: [1, { deeper: null }] },
    '2026-10-31T12:00:00Z',
    '1536610288',
    1_199_145_599_999,
    Date.parse('2026-10-31T20:00:00Z'),
  ])
}

describe('fuzz: restore jobs over a real socket (SQLite)', () => {
  let t: TestApp
  let base: string
  let snapshots: { rs: string; sharded: string } = { rs: '', sharded: '' }
  let checkpoint = ''
  let downloads: { url: string; urlV2: string; auth: string } | undefined

  /** One request over the socket, answering the Digest challenge with the org owner's key. */
  const request = async (method: string, target: string, headers: Record<string, string>, body?: string, digest = true): Promise<Answer> => {
    const once = async (extra: Record<string, string>): Promise<Answer> => {
      const res = await fetch(`${base}${target}`, { method, headers: { ...headers, ...extra }, ...(body === undefined ? {} : { body }) })
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }
    }
    const first = await once({})
    if (!digest || first.status !== 401 || first.headers['www-authenticate'] === undefined) return first
    const { nonce } = parseChallenge(first.headers['www-authenticate'])
    return once({ authorization: digestAuthorization({ credentials: KEYS.orgowner, method, uri: target, nonce, nc: 1 }) })
  }

  /** The invariants of every answer, and the exact error when the model knows it. */
  const problemsOf = (answer: Answer, v2: boolean, expected?: { status: number; errorCode: string }): string[] => {
    const problems: string[] = []
    if (answer.status >= 500) problems.push(`status ${answer.status}: ${answer.body.slice(0, 300)}`)
    if (answer.status === 200) {
      let parsed: unknown
      try {
        parsed = JSON.parse(answer.body)
      } catch {
        return [...problems, 'a 200 that is not JSON']
      }
      if (v2) problems.push(...legacySchemaErrors('results' in (parsed as object) ? 'PaginatedRestoreJobView' : 'BackupRestoreJob', parsed))
    } else if (answer.status !== 401 || answer.headers['x-error-code'] !== undefined) {
      problems.push(...apiErrorProblems({ ...answer, reason: '', closed: false }))
    }
    if (expected !== undefined && (answer.status !== expected.status || answer.headers['x-error-code'] !== expected.errorCode)) {
      problems.push(`expected ${expected.status} ${expected.errorCode}, got ${answer.status} ${answer.headers['x-error-code'] ?? ''}`)
    }
    return problems
  }

  before(async () => {
    const clock = Date.parse('2026-11-01T00:00:00Z')
    t = await startTestApp({ now: () => clock, env: { WAYMARK_RATE_LIMIT: 'off', WAYMARK_RESTORE_START_SECONDS: '0', WAYMARK_RESTORE_FINISH_SECONDS: '0' } })
    await coverWithSnapshots(t.store, [IDS.cluster0, IDS.replicaSet0], clock)
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    const now = '2026-11-01T00:00:00Z'
    snapshots = {
      rs: (await t.store.pageSnapshots(IDS.replicaSet0, 'true', now, { offset: 0, limit: 1 })).items[0]?.id ?? '',
      sharded: (await t.store.pageSnapshots(IDS.cluster0, 'true', now, { offset: 0, limit: 1 })).items[0]?.id ?? '',
    }
    const list = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=500`)
    checkpoint = (list.json().results as { id: string; restorable: boolean }[]).find((c) => c.restorable)?.id ?? ''
    assert.match(snapshots.rs + snapshots.sharded + checkpoint, /^[0-9a-f]{72}$/)
    // One finished HTTP job (jobs finish at once here) whose URLs the download property forges around.
    const created = await request('POST', `/api/atlas/v2/groups/${IDS.projectA}/clusters/ReplicaSet0/restoreJobs`, { accept: V2_ACCEPT }, JSON.stringify({ delivery: { methodName: 'HTTP', maxDownloads: 1_000_000 }, snapshotId: snapshots.rs }))
    assert.equal(created.status, 200, created.body)
    const job = JSON.parse(created.body).results[0]
    const one = JSON.parse((await request('GET', `/api/atlas/v2/groups/${IDS.projectA}/clusters/ReplicaSet0/restoreJobs/${job.id}`, { accept: V2_ACCEPT })).body)
    downloads = { url: new URL(one.delivery.url).pathname, urlV2: new URL(one.delivery.urlV2).pathname, auth: one.delivery.authValue }
  })
  after(() => t.close())

  test('POST bodies: valid ones mutated field by field, garbage JSON, any Content-Type, every dialect', async () => {
    await runProperty('restore bodies', settings, caseCount(settings, 400), 4, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const sharded = rng.chance(0.5)
      const cluster = sharded ? dialect.sharded : dialect.rs
      const target = `${dialect.prefix}/groups/${IDS.projectA}/clusters/${cluster}/restoreJobs${rng.chance(0.2) ? '?pretty=true' : ''}`
      const ops = dialect.name === 'ops-manager'
      const valid: Record<string, unknown> = rng.pick([
        { delivery: { methodName: 'HTTP', maxDownloads: rng.int(1, 5), expirationHours: rng.int(1, 48) }, snapshotId: sharded ? snapshots.sharded : snapshots.rs },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, ...(ops ? { targetClusterId: IDS.noBackup } : { targetClusterName: 'NoBackup0' }) }, checkpointId: checkpoint },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }, pointInTimeUTCMillis: Date.parse('2026-10-31T20:00:00Z') },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }, oplogTs: '1793476800', oplogInc: 1 },
      ])
      const labels: string[] = [dialect.name, sharded ? 'sharded' : 'replica set']
      const mutations = rng.int(0, 3)
      const body = structuredClone(valid)
      const delivery = body['delivery'] as Record<string, unknown>
      for (let i = 0; i < mutations; i++) {
        const where = rng.pick(['top', 'delivery', 'method', 'drop', 'extra'])
        labels.push(where)
        if (where === 'top') body[rng.pick(['snapshotId', 'checkpointId', 'pointInTimeUTCMillis', 'oplogTs', 'oplogInc', 'checkPointId', 'delivery'])] = oddValue(rng)
        else if (where === 'delivery' && typeof body['delivery'] === 'object' && body['delivery'] !== null) {
          ;(body['delivery'] as Record<string, unknown>)[rng.pick(['maxDownloads', 'expirationHours', 'expires', 'targetGroupId', 'targetClusterId', 'targetClusterName'])] = oddValue(rng)
        } else if (where === 'method') delivery['methodName'] = rng.pick(METHODS)
        else if (where === 'drop') delete body[rng.pick(Object.keys(body))]
        else body[rng.string('abcdefghijklmnopqrstuvwxyz', rng.int(1, 12))] = oddValue(rng)
      }
      const shape = rng.int(0, 9)
      let text = JSON.stringify(body)
      let expected: { status: number; errorCode: string } | undefined
      if (shape === 0) {
        text = text.slice(0, rng.int(0, text.length - 1))
        labels.push('truncated')
        expected = { status: 400, errorCode: 'MALFORMED_JSON' }
      } else if (shape === 1) {
        text = JSON.stringify([body])
        labels.push('array')
        expected = { status: 400, errorCode: 'INVALID_JSON' }
      } else if (shape === 2 && mutations === 0) {
        text = JSON.stringify({ ...body, delivery: undefined })
        labels.push('no delivery')
        expected = { status: 400, errorCode: 'MISSING_ATTRIBUTE' }
      }
      const contentType = rng.pick(CONTENT_TYPES)
      const headers: Record<string, string> = { accept: dialect.accept, ...(contentType === '' ? {} : { 'content-type': contentType }) }
      labels.push(`content-type ${JSON.stringify(contentType)}`)
      const answer = await request('POST', target, headers, text)
      return { request: { method: 'POST', target, headers: Object.entries(headers), body: text } as never, labels, problems: problemsOf(answer, dialect.name === 'atlas-v2', expected) }
    })
  })

  test('GET paths and queries: malformed and unknown job ids, batch ids, other methods', async () => {
    await runProperty('restore reads', settings, caseCount(settings, 300), 4, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const list = `${dialect.prefix}/groups/${IDS.projectA}/clusters/${rng.pick([dialect.sharded, dialect.rs])}/restoreJobs`
      const labels: string[] = [dialect.name]
      let target = list
      let method = 'GET'
      let expected: { status: number; errorCode: string } | undefined
      const kind = rng.int(0, 4)
      if (kind === 0) {
        const id = rng.pick([rng.string(HEX, 24), rng.string(HEX + 'XYZ-_', rng.int(1, 40)), '%zz', rng.string(HEX.toUpperCase(), 24)])
        target = `${list}/${id}`
        labels.push('job id')
        if (!/^[0-9a-f]{24}$/.test(id)) expected = { status: 404, errorCode: id === '%zz' ? 'INVALID_JOB_ID' : 'INVALID_JOB_ID' }
      } else if (kind === 1) {
        const batchId = rng.pick([rng.string(HEX, 24), rng.string(HEX + 'g', rng.int(0, 30)), `${rng.string(HEX, 24)}&batchId=${rng.string(HEX, 24)}`])
        target = `${list}?batchId=${batchId}`
        labels.push('batch id')
        if (!/^[0-9a-f]{24}$/.test(batchId)) expected = { status: 400, errorCode: 'INVALID_QUERY_PARAMETER' }
      } else if (kind === 2) {
        method = rng.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS'])
        target = rng.chance(0.5) ? list : `${list}/${rng.string(HEX, 24)}`
        labels.push(method)
        expected = { status: 405, errorCode: 'METHOD_NOT_ALLOWED' }
      } else if (kind === 3) {
        target = `${list}?itemsPerPage=${rng.pick(['0', '501', '-1', 'x', '2'])}&pageNum=${rng.pick(['1', '0', '99999'])}`
        labels.push('paging')
      }
      const answer = await request(method, target, { accept: dialect.accept }, method === 'GET' || method === 'OPTIONS' ? undefined : '{}')
      return { request: { method, target, headers: [] } as never, labels, problems: problemsOf(answer, dialect.name === 'atlas-v2' && method === 'GET', expected) }
    })
  })

  test('download URLs: forged tokens, file names, job ids and Authorization headers', async () => {
    const known = downloads
    assert.ok(known)
    await runProperty('restore downloads', settings, caseCount(settings, 300), 4, async (rng): Promise<CaseResult> => {
      const v3 = rng.chance(0.5)
      const parts = (v3 ? known.urlV2 : known.url).split('/')
      const labels: string[] = [v3 ? 'urlV2' : 'url']
      const at = rng.int(5, parts.length - 1)
      const forged = rng.chance(0.8)
      if (forged) {
        parts[at] = rng.pick([rng.string(HEX, (parts[at] ?? '').length), '', '%zz', '..', rng.string('abc', rng.int(1, 200))])
        labels.push(`segment ${at}`)
      }
      const headers: Record<string, string> = {}
      if (v3) {
        const auth = rng.pick([known.auth, `Bearer ${rng.string(HEX, 40)}`, 'Bearer', 'Basic abc', `bearer ${known.auth.slice(7)}`, undefined])
        if (auth !== undefined) headers['authorization'] = auth
        labels.push(`auth ${auth?.toLowerCase() === known.auth.toLowerCase() ? 'right' : 'wrong'}`)
      }
      const target = parts.join('/')
      const answer = await request(rng.pick(['GET', 'HEAD']), target, headers, undefined, false)
      const problems: string[] = []
      if (answer.status >= 500) problems.push(`status ${answer.status}`)
      const right = !forged && (!v3 || headers["authorization"]?.toLowerCase() === known.auth.toLowerCase())
      if (right && answer.status !== 200) problems.push(`the right URL answered ${answer.status}: ${answer.body.slice(0, 200)}`)
      if (!right && answer.status === 200) problems.push('a forged URL was served')
      if (answer.status !== 200 && answer.body !== '') problems.push(...apiErrorProblems({ ...answer, reason: '', closed: false }))
      return { request: { method: 'GET', target, headers: Object.entries(headers) } as never, labels, problems }
    })
  })
})
