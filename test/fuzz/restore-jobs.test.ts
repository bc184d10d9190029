import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { IDS } from '../helpers/fixtures.js'
import { answerProblems, bodyText, CONTENT_TYPES, digestRequester, oddValue, V2_ACCEPT, type Answer, type Requester } from '../helpers/fuzz-legacy.js'
import { predictRestoreBody, RESTORE_LATER_CODES, type Expected } from '../helpers/fuzz-legacy-oracle.js'
import { apiErrorProblems } from '../helpers/fuzz-oracle.js'
import { caseCount, fuzzSettings } from '../helpers/fuzz-prng.js'
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

const DIALECTS = [
  { name: 'atlas-v2', prefix: '/api/atlas/v2', sharded: 'Cluster0', rs: 'ReplicaSet0', accept: V2_ACCEPT },
  { name: 'atlas-v1', prefix: '/api/atlas/v1.0', sharded: 'Cluster0', rs: 'ReplicaSet0', accept: 'application/json' },
  { name: 'ops-manager', prefix: '/api/public/v1.0', sharded: IDS.cluster0, rs: IDS.replicaSet0, accept: 'application/json' },
] as const

const METHODS = ['HTTP', 'AUTOMATED_RESTORE', 'SCP', 'CLIENT_PIT_SCP', 'QUERY', 'THIRD_PARTY_COPY', 'CLIENT_PIT_HTTP', 'http', '', 'FTP']
const HEX = '0123456789abcdef'
/** Values of the fields whose edges the oracle knows: int32 and uint32 bounds, the schema's minimum, calendar dates. */
const EDGES: Readonly<Record<string, readonly unknown[]>> = {
  oplogTs: ['1793476800', 1_793_476_800, 0, -1, '-1', 4_294_967_295, 4_294_967_296, '4294967296', '2026-10-31T20:00:00Z', '2026-02-29T00:00:00Z', '2026-10-31T24:00:00Z', '2026-10-31', '1.5', 1.5],
  oplogInc: [1, '1', 0, '0', -1, '-1', 2_147_483_647, '2147483647', 2_147_483_648, '2147483648', -2_147_483_649, 1.5, '1e3'],
  pointInTimeUTCMillis: [1_199_145_600_000, 1_199_145_599_999, '1199145600000', 253_402_300_799_999, 253_402_300_800_000, '9999999999999999', 8.64e15, 9e15, 1e300, 1.5e12 + 0.5],
  maxDownloads: [1, 0, -1, '-1', 2_147_483_647, 2_147_483_648, '2147483648', '1'],
  expirationHours: [1, 0, -5, '48', 2_147_483_648, -2_147_483_649],
  expires: ['2026-11-03T00:00:00Z', '2026-11-03', '2026-02-29', '2026-11-31T00:00:00Z', '2026-11-03T10:00:00+19:00', 'soon', 5],
  targetClusterName: ['NoBackup0', 'ReplicaSet0', '-bad', 'a_b', 5, '', null],
  targetClusterId: [IDS.noBackup, IDS.replicaSet0, 'xyz', 'ab'.repeat(12)],
  targetGroupId: [IDS.projectA, IDS.projectB, 'nope'],
}

describe('fuzz: restore jobs over a real socket (SQLite)', () => {
  let t: TestApp
  let base: string
  let snapshots: { rs: string; sharded: string } = { rs: '', sharded: '' }
  let checkpoint = ''
  let downloads: { url: string; urlV2: string; auth: string } | undefined

  let request: Requester

  /** The invariants of every answer, and the exact one when the oracle knows it. */
  const problemsOf = (answer: Answer, v2: boolean, expected?: Expected): string[] =>
    answerProblems(answer, {
      expected,
      ...(v2 ? { success: (parsed: unknown) => legacySchemaErrors('results' in (parsed as object) ? 'PaginatedRestoreJobView' : 'BackupRestoreJob', parsed) } : {}),
    })

  before(async () => {
    const clock = Date.parse('2026-11-01T00:00:00Z')
    t = await startTestApp({ now: () => clock, env: { WAYMARK_RATE_LIMIT: 'off', WAYMARK_RESTORE_START_SECONDS: '0', WAYMARK_RESTORE_FINISH_SECONDS: '0' } })
    await coverWithSnapshots(t.store, [IDS.cluster0, IDS.replicaSet0], clock)
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    request = digestRequester(base)
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

  test('POST bodies: valid ones mutated field by field (every field of each dialect, int32 and date edges), garbage JSON, any Content-Type', async () => {
    let passed = 0
    await runProperty('restore bodies', settings, caseCount(settings, 400), 4, async (rng): Promise<CaseResult> => {
      const dialect = rng.pick(DIALECTS)
      const sharded = rng.chance(0.5)
      const cluster = sharded ? dialect.sharded : dialect.rs
      const target = `${dialect.prefix}/groups/${IDS.projectA}/clusters/${cluster}/restoreJobs${rng.chance(0.2) ? '?pretty=true' : ''}`
      const ops = dialect.name === 'ops-manager'
      const valid: Record<string, unknown> = rng.pick([
        { delivery: { methodName: 'HTTP', maxDownloads: rng.int(1, 5), expirationHours: rng.int(1, 48) }, snapshotId: sharded ? snapshots.sharded : snapshots.rs },
        { delivery: { methodName: 'HTTP', ...(ops ? { expires: '2026-11-03T00:00:00Z' } : {}) }, snapshotId: sharded ? snapshots.sharded : snapshots.rs },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, ...(ops ? { targetClusterId: IDS.noBackup } : { targetClusterName: 'NoBackup0' }) }, checkpointId: checkpoint },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }, pointInTimeUTCMillis: Date.parse('2026-10-31T20:00:00Z') },
        { delivery: { methodName: 'AUTOMATED_RESTORE', targetGroupId: IDS.projectA, targetClusterId: IDS.noBackup }, oplogTs: '1793476800', oplogInc: 1 },
      ])
      const labels: string[] = [dialect.name, sharded ? 'sharded' : 'replica set']
      const body = structuredClone(valid)
      for (let i = rng.int(0, 3); i > 0; i--) {
        const where = rng.pick(['top', 'delivery', 'edge', 'edge', 'method', 'drop', 'extra'])
        labels.push(where)
        const delivery = body['delivery']
        const inDelivery = typeof delivery === 'object' && delivery !== null && !Array.isArray(delivery) ? (delivery as Record<string, unknown>) : undefined
        if (where === 'top') body[rng.pick(['snapshotId', 'checkpointId', 'pointInTimeUTCMillis', 'oplogTs', 'oplogInc', 'checkPointId', 'delivery'])] = oddValue(rng)
        else if (where === 'delivery' && inDelivery) inDelivery[rng.pick(['maxDownloads', 'expirationHours', 'expires', 'targetGroupId', 'targetClusterId', 'targetClusterName'])] = oddValue(rng)
        else if (where === 'edge') {
          const field = rng.pick(Object.keys(EDGES))
          const value = rng.pick(EDGES[field] ?? [])
          if (['oplogTs', 'oplogInc', 'pointInTimeUTCMillis'].includes(field)) body[field] = value
          else if (inDelivery) inDelivery[field] = value
          labels.push(`${field}=${JSON.stringify(value)}`)
        } else if (where === 'method' && inDelivery) inDelivery['methodName'] = rng.pick(METHODS)
        else if (where === 'drop' && Object.keys(body).length > 0) delete body[rng.pick(Object.keys(body))]
        else if (where === 'extra') body[rng.string('abcdefghijklmnopqrstuvwxyz', rng.int(1, 12))] = oddValue(rng)
      }
      const { text, parse, label } = bodyText(rng, body)
      if (label !== undefined) labels.push(label)
      let expected: Expected
      if (parse !== 'ok') expected = { status: 400, errorCode: parse }
      else {
        const prediction = predictRestoreBody(body, ops ? 'ops-manager' : 'atlas')
        if ('error' in prediction) expected = prediction.error
        else {
          passed++
          expected = { status: [200, 400, 403, 404, 409], errorCode: [...RESTORE_LATER_CODES] }
        }
      }
      const contentType = rng.pick(CONTENT_TYPES)
      const headers: Record<string, string> = { accept: dialect.accept, ...(contentType === '' ? {} : { 'content-type': contentType }) }
      labels.push(`content-type ${JSON.stringify(contentType)}`)
      const answer = await request('POST', target, headers, text)
      // A success has no X-Error-Code: the later codes are the errors a passing body may still get.
      const want = answer.status === 200 && Array.isArray(expected.status) ? { status: 200 } : expected
      return { request: { method: 'POST', target, headers: Object.entries(headers), body: text.slice(0, 2000) } as never, labels, problems: problemsOf(answer, dialect.name === 'atlas-v2', want) }
    })
    assert.ok(passed > 40, `only ${passed} bodies passed steps 1 to 5`)
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

  test('the server still answers after all of the above', async () => {
    const answer = await request('GET', `/api/atlas/v2/groups/${IDS.projectA}/clusters/ReplicaSet0/restoreJobs?itemsPerPage=1`, { accept: V2_ACCEPT })
    assert.equal(answer.status, 200, answer.body)
  })
})
