import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { answered, apiErrorProblems } from '../helpers/fuzz-oracle.js'
import { FUZZ_ADMIN_TOKEN, startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js'
import { exchangeMany, type RequestSpec, type WireResponse } from '../helpers/fuzz-wire.js'
import { assertAdminResponse } from '../helpers/admin-openapi.js'
import { IDS } from '../helpers/fixtures.js'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { digestRequester, V2_ACCEPT, type Answer, type Requester } from '../helpers/fuzz-legacy.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * Every failure the fuzz suite found, kept as a named case: the seed and case that found it
 * (`WAYMARK_FUZZ_SEED=… WAYMARK_FUZZ_CASE=…` replays it in its property) and the concrete request.
 * Each answered 500 or a wrong error before its fix.
 */

const G = '65a1f0c2e4b0a1b2c3d4e502'
const ADMIN = `Bearer ${FUZZ_ADMIN_TOKEN}`
const INVALID_REQUEST = '{"error":"invalid_request","error_description":"The request is missing a required parameter or is otherwise malformed."}'

describe('fuzz regressions', () => {
  let server: FuzzServer
  before(async () => {
    server = await startFuzzServer({ admin: true })
  })
  after(() => server.close())

  const send = async (request: RequestSpec): Promise<WireResponse> => {
    const { response, problems } = answered(await server.send(request))
    assert.deepEqual(problems, [])
    assert.ok(response)
    return response
  }
  const apiError = (response: WireResponse, status: number, errorCode: string, envelope = false): Record<string, unknown> => {
    assert.equal(response.status, status, response.body)
    assert.deepEqual(apiErrorProblems(response, { envelope }), [])
    assert.equal(response.headers['x-error-code'], errorCode)
    const body = JSON.parse(response.body) as Record<string, unknown>
    return (envelope ? body['content'] : body) as Record<string, unknown>
  }

  // src/app.ts: Fastify's own 4xx refusals went to the app's error handler, which answered 500.
  test('QUERY without a Content-Type on an API path is 405, not 500 (api paths, seed 20261123 case 52)', async () => {
    const res = await send({
      method: 'QUERY',
      target: `/api/atlas/v1.0/groups/${G}/clusters//backupCheckpoints/5a0a4c9e0000000000000001?envelope=tRuE`,
      headers: [['Authorization', `bearer ${server.authContext().token}`]],
    })
    const body = apiError(res, 405, 'METHOD_NOT_ALLOWED', true)
    assert.deepEqual(body['parameters'], ['QUERY', `/api/atlas/v1.0/groups/${G}/clusters//backupCheckpoints/5a0a4c9e0000000000000001`])
    assert.equal(res.headers['allow'], 'GET, HEAD')
  })

  test('an empty Content-Type on OPTIONS is 405, not 500 (api paths, seed 20261123 case 369)', async () => {
    const res = await send({
      method: 'OPTIONS',
      target: '/api/public/v1.0/groups/%2e%2E/clusters/o-~JpkxwrzoxlGJ~Gyq.n-rJ/checkpoints?envelope=tRuE&envelope=true&pretty=true&pretty=true%00',
      headers: [['Content-Type', '']],
    })
    apiError(res, 405, 'METHOD_NOT_ALLOWED')
  })

  test('Content-Type ";" on PUT to an unknown path is 404, not 500 (api paths, seed 20261123 case 834)', async () => {
    const res = await send({ method: 'PUT', target: `/api/v1.0/groups/${G}/clusters/../checkpoints`, headers: [['Content-Type', ';']] })
    apiError(res, 404, 'RESOURCE_NOT_FOUND')
  })

  test('a garbage Content-Type with a body on GET still gets the challenge first', async () => {
    const res = await send({ method: 'GET', target: `/api/atlas/v2/groups/${G}/clusters/Cluster0/backupCheckpoints`, headers: [['Content-Type', 'garbage']], body: 'x' })
    assert.equal(res.status, 401)
  })

  // src/http/oauth-routes.ts: the same refusals reached the app's handler from the OAuth scope.
  test('the token endpoint answers invalid_request, not 500, to a Content-Type that is no media type (probe; oauth property)', async () => {
    for (const type of ['garbage', '', ';']) {
      const res = await send({ method: 'POST', target: '/api/oauth/token', headers: [['Content-Type', type]], body: 'grant_type=client_credentials' })
      assert.equal(res.status, 400, type)
      assert.equal(res.body, INVALID_REQUEST)
    }
  })

  test('the token and revoke endpoints answer invalid_request, not 500, to a form over 16 KiB (probe; oauth property)', async () => {
    for (const path of ['/api/oauth/token', '/api/oauth/revoke']) {
      const res = await send({
        method: 'POST',
        target: path,
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
        body: `grant_type=client_credentials&token=x&pad=${'x'.repeat(20_000)}`,
      })
      assert.equal(res.status, 400, path)
      assert.equal(res.body, INVALID_REQUEST)
      assert.equal(res.headers['cache-control'], 'no-store')
    }
  })

  // src/app.ts: find-my-way refused parameters over 100 characters before the admin token check.
  test('a 200-character admin path segment asks for the token, then is INVALID_GROUP_ID (probe; admin property)', async () => {
    const target = `/_admin/v1/groups/${'a'.repeat(200)}`
    apiError(await send({ method: 'GET', target, headers: [] }), 401, 'ADMIN_UNAUTHORIZED')
    const body = apiError(await send({ method: 'GET', target, headers: [['Authorization', ADMIN]] }), 404, 'INVALID_GROUP_ID')
    assert.deepEqual(body['parameters'], ['a'.repeat(200)])
  })

  // src/admin/admin-routes.ts: 415 from Fastify fell through to 500.
  test('an admin POST with a Content-Type that is no media type is 400 MALFORMED_REQUEST, not 500 (probe; admin property)', async () => {
    apiError(await send({ method: 'POST', target: '/_admin/v1/orgs', headers: [['Authorization', ADMIN], ['Content-Type', 'garbage']], body: '[' }), 400, 'MALFORMED_REQUEST')
  })

  // src/admin/admin-routes.ts, admin-records.ts: the query was read before the path was checked.
  test('admin checkpoints: a bad group id is reported before a bad pageNum (admin, seed 20261123 case 422)', async () => {
    const target = '/_admin/v1/groups/%22quoted%22/clusters/65a1f0c2e4b0a1b2c3d4e510/checkpoints?pageNum=%zz'
    const res = await send({ method: 'GET', target, headers: [['Authorization', `bearer ${FUZZ_ADMIN_TOKEN}`]] })
    assert.deepEqual(apiError(res, 404, 'INVALID_GROUP_ID')['parameters'], ['"quoted"'])
  })

  // src/admin/admin-routes.ts, admin-bodies.ts: a body that is not JSON was refused before the path was checked.
  test('admin: a bad org id is reported before a body that is not JSON (admin, seed 20261123 case 541)', async () => {
    const target = '/_admin/v1/orgs/%25365a1f0c2e4b0a1b2c3d4e501'
    const res = await send({ method: 'DELETE', target, headers: [['Authorization', `bearer ${FUZZ_ADMIN_TOKEN}`], ['Content-Type', 'text/plain']], body: '{"name":' })
    apiError(res, 404, 'INVALID_ORG_ID')
    const patch = await send({ method: 'PATCH', target, headers: [['Authorization', ADMIN], ['Content-Type', 'application/json']], body: '{' })
    apiError(patch, 404, 'INVALID_ORG_ID')
    const good = await send({ method: 'PATCH', target: `/_admin/v1/orgs/${'f'.repeat(24)}`, headers: [['Authorization', ADMIN]], body: '{' })
    apiError(good, 404, 'ORG_NOT_FOUND')
    const json = await send({ method: 'POST', target: '/_admin/v1/orgs', headers: [['Authorization', ADMIN], ['Content-Type', 'application/json']], body: '{' })
    apiError(json, 400, 'INVALID_JSON')
  })

  // src/admin/admin-openapi.ts: a DELETE's 400 (and 413) were not documented.
  test('admin: a DELETE refused for its Content-Type answers a documented 400 (admin, seed 1 case 34)', async () => {
    const target = '/_admin/v1/groups/[object%20Object]/clusters/65a1f0c2e4b0a1b2c3d4e510'
    const res = await send({ method: 'DELETE', target, headers: [['Authorization', `bearer ${FUZZ_ADMIN_TOKEN}`], ['Content-Type', 'garbage']], body: 'true' })
    apiError(res, 400, 'MALFORMED_REQUEST')
    assertAdminResponse('DELETE', target, res.status, res.body)
  })

  // src/http/client-errors.ts: the refusal was written at once, before the answers still due to the
  // requests pipelined ahead of the broken one, so the client read it as the answer to the first.
  test('pipelined: good requests ahead of a refused one get their own answers first (keep-alive, seed 20261123 case 33)', async () => {
    const good = `GET /api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.authContext().token}\r\n\r\n`
    const bytes = `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${good}FOO / HTTP/1.1\r\nHost: x\r\n\r\n${good}`
    const { responses, closed } = await exchangeMany(server.port, bytes, [false, false, false, false])
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 400])
    assert.equal(responses[0]?.body, '{"status":"OK"}')
    assert.equal(responses[2]?.headers['x-error-code'], 'MALFORMED_REQUEST')
    assert.ok(closed, 'the refusal ends the connection')
  })

  // src/http/client-errors.ts, src/app.ts: Node answered these itself, with a bare status and no body.
  test('an Expect other than 100-continue is served as if absent, not a bare 417 (api paths, seed 20261123 case 210)', async () => {
    const res = await send({ method: 'GET', target: `/api/public/v1.0/groups/${G}/clusters/${IDS.cluster0}/checkpoints`, headers: [['Expect', 'garbage']] })
    assert.equal(res.status, 401)
    assert.match(res.headers['www-authenticate'] ?? '', /^Digest realm="MMS Public API"/)
  })

  test('an HTTP/1.1 request without Host is 400 MALFORMED_REQUEST as JSON, not a bare 400 (malformed, seed 20261123 case 2)', async () => {
    const outcome = await server.sendRaw('GET /healthz HTTP/1.1\r\n\r\n', { waitForCloseMs: 1_000 })
    const { response, problems } = answered(outcome)
    assert.deepEqual(problems, [])
    assert.ok(response)
    apiError(response, 400, 'MALFORMED_REQUEST')
    assert.ok(response.closed, 'the connection is closed')
    const ok = await server.sendRaw('GET /healthz HTTP/1.0\r\n\r\n', { waitForCloseMs: 1_000 })
    assert.equal(ok.kind === 'response' && ok.response.status, 200, 'HTTP/1.0 needs no Host')
  })

  test('the server still answers after all of the above', async () => {
    await server.assertServes()
  })
})

/**
 * What the legacy backup fuzz found (test/fuzz/legacy-backup.test.ts, restore-jobs.test.ts), over a real
 * socket with a frozen clock, the org owner's Digest key.
 */
describe('fuzz regressions: legacy backup', () => {
  const NOW = Date.parse('2026-11-01T00:00:00Z')
  const V2 = `/api/atlas/v2/groups/${G}/clusters`
  const V1 = `/api/atlas/v1.0/groups/${G}/clusters`
  const OM = `/api/public/v1.0/groups/${G}`
  let t: TestApp
  let request: Requester
  let snapshot = ''
  let deletable = ''
  before(async () => {
    t = await startTestApp({ now: () => NOW, env: { WAYMARK_RATE_LIMIT: 'off', WAYMARK_RESTORE_START_SECONDS: '0', WAYMARK_RESTORE_FINISH_SECONDS: '0' } })
    await coverWithSnapshots(t.store, [IDS.cluster0, IDS.replicaSet0], NOW)
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    request = digestRequester(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`)
    const kept = (await t.store.pageSnapshots(IDS.replicaSet0, 'true', '2026-11-01T00:00:00Z', { offset: 0, limit: 2 })).items
    snapshot = kept[0]?.id ?? ''
    deletable = kept[1]?.id ?? ''
    assert.match(snapshot + deletable, /^[0-9a-f]{48}$/)
  })
  after(() => t.close())

  const json = { accept: 'application/json', 'content-type': 'application/json' }
  const error = (answer: Answer, status: number, errorCode: string, parameters?: unknown[]): void => {
    assert.equal(answer.status, status, answer.body)
    assert.equal(answer.headers['x-error-code'], errorCode, answer.body)
    if (parameters !== undefined) assert.deepEqual(JSON.parse(answer.body).parameters, parameters)
  }

  // src/domain/legacy-backup/body-fields.ts: integers were any 15-digit string, a minus sign included, and any safe integer.
  test('schedule PATCH: "-15" is not a string of digits, and integers are int32 (legacy schedule bodies, seed 20261123 cases 141, 151, 222)', async () => {
    const patch = (body: object): Promise<Answer> => request('PATCH', `${V1}/Cluster0/snapshotSchedule`, json, JSON.stringify(body))
    error(await patch({ snapshotIntervalHours: '-15' }), 400, 'INVALID_JSON_ATTRIBUTE', ['snapshotIntervalHours'])
    error(await patch({ clusterCheckpointIntervalMin: '-15' }), 400, 'INVALID_JSON_ATTRIBUTE', ['clusterCheckpointIntervalMin'])
    // The first field of the wrong type is named, not a later one (the "-15" used to pass the type check).
    error(await patch({ snapshotIntervalHours: '-15', weeklySnapshotRetentionWeeks: '+1500' }), 400, 'INVALID_JSON_ATTRIBUTE', ['snapshotIntervalHours'])
    error(await patch({ weeklySnapshotRetentionWeeks: '2147483648' }), 400, 'INVALID_JSON_ATTRIBUTE', ['weeklySnapshotRetentionWeeks'])
    error(await patch({ pointInTimeWindowHours: 4_294_967_296 }), 400, 'INVALID_JSON_ATTRIBUTE', ['pointInTimeWindowHours'])
    error(await patch({ dailySnapshotRetentionDays: -2_147_483_649 }), 400, 'INVALID_JSON_ATTRIBUTE', ['dailySnapshotRetentionDays'])
    // Within int32, values are checked as before; digits still work.
    error(await patch({ snapshotIntervalHours: -15 }), 400, 'INVALID_SNAPSHOT_INTERVAL')
    const ok = await patch({ snapshotIntervalHours: '12', pointInTimeWindowHours: '0024' })
    assert.equal(ok.status, 200, ok.body)
    assert.equal(JSON.parse(ok.body).snapshotIntervalHours, 12)
  })

  // src/domain/legacy-backup/snapshot-service.ts, restore-request.ts: Date.parse rolled impossible dates over.
  test('snapshot PATCH: impossible calendar dates are INVALID_DATE_FORMAT, not rolled over (legacy snapshots, seed 20261123)', async () => {
    const target = `${V1}/ReplicaSet0/snapshots/${snapshot}`
    for (const expires of ['2030-02-31', '2030-02-29', '2030-04-31T00:00:00Z', '1900-02-29', '2030-12-01T24:00:00Z', '2030-12-01T10:00:00+19:00']) {
      error(await request('PATCH', target, json, JSON.stringify({ expires })), 400, 'INVALID_DATE_FORMAT', [expires])
    }
    const leap = await request('PATCH', target, json, JSON.stringify({ expires: '2028-02-29' }))
    assert.equal(leap.status, 200, leap.body)
    assert.equal(JSON.parse(leap.body).expires, '2028-02-29T00:00:00Z')
  })

  // src/domain/legacy-backup/snapshot-service.ts: the Ops Manager view of a Cloud Backup cluster (backup NONE) was written back.
  test('an Ops Manager schedule PATCH of a Cloud Backup cluster leaves it on Cloud Backup (legacy schedule reads, seed 20261123 case 6)', async () => {
    const patched = await request('PATCH', `${OM}/backupConfigs/${IDS.cloudCluster0}/snapshotSchedule`, json, '{"clusterCheckpointIntervalMin": 15}')
    assert.equal(patched.status, 200, patched.body)
    const v2 = await request('GET', `${V2}/CloudCluster0/snapshotSchedule`, { accept: V2_ACCEPT })
    error(v2, 400, 'INCORRECT_BACKUP_API_ENDPOINT', ['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule'])
    assert.equal((await t.store.findCluster(IDS.cloudCluster0))?.backup, 'CLOUD')
  })

  // src/app.ts: Fastify refused the type after the body guard had taken the body's stream; past 16 KiB it never finished.
  test('a write whose Content-Type is no media type and whose body is over 16 KiB is answered at once (legacy snapshots, seed 20261123 case 18)', async () => {
    const body = `{"snapshotRetentionDays": 3}${' '.repeat(40_000)}`
    for (const type of [';', 'garbage/', 'garbage']) {
      const started = Date.now()
      const answer = await request('PATCH', `${V1}/ReplicaSet0/snapshotSchedule`, { accept: 'application/json', 'content-type': type }, body)
      assert.equal(answer.status, 200, `${type}: ${answer.body}`)
      assert.ok(Date.now() - started < 5_000, `${type}: ${Date.now() - started} ms`)
    }
    error(await request('PATCH', `${V1}/ReplicaSet0/snapshotSchedule`, { 'content-type': ';' }, `[${' '.repeat(40_000)}]`), 400, 'INVALID_JSON')
  })

  // src/app.ts: a hijacked 204 wrote only the handler's headers.
  test('the Atlas v2 204 of a DELETE carries its X-Request-Id (legacy snapshots, seed 20261123 case 8)', async () => {
    const answer = await request('DELETE', `${V2}/ReplicaSet0/snapshots/${deletable}`, { accept: V2_ACCEPT, 'x-request-id': 'delete-204-id' })
    assert.equal(answer.status, 204, answer.body)
    assert.equal(answer.headers['x-request-id'], 'delete-204-id')
    assert.equal(answer.headers['content-type'], 'application/vnd.atlas.2023-01-01+json;charset=utf-8')
  })

  // src/domain/legacy-backup/restore-request.ts: the restore body's edges.
  test('restore POST: Ops Manager ignores targetClusterName; oplogInc is int32; oplogTs is uint32 seconds; pointInTimeUTCMillis ends at year 9999 (restore bodies)', async () => {
    const automated = { methodName: 'AUTOMATED_RESTORE', targetGroupId: G, targetClusterId: IDS.noBackup }
    const post = (path: string, body: object): Promise<Answer> => request('POST', `${path}/restoreJobs`, json, JSON.stringify(body))
    // An unknown field on Ops Manager (it targets by id only), whatever it holds.
    const ops = await post(`${OM}/clusters/${IDS.replicaSet0}`, { delivery: { methodName: 'HTTP', targetClusterName: 5 }, snapshotId: snapshot })
    assert.equal(ops.status, 200, ops.body)
    error(await post(`${V1}/ReplicaSet0`, { delivery: { methodName: 'HTTP', targetClusterName: 5 }, snapshotId: snapshot }), 400, 'INVALID_JSON_ATTRIBUTE', ['targetClusterName'])
    const oplog = (oplogTs: unknown, oplogInc: unknown): Promise<Answer> => post(`${OM}/clusters/${IDS.replicaSet0}`, { delivery: automated, oplogTs, oplogInc })
    error(await oplog('1793476800', 2_147_483_648), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc'])
    error(await oplog('1793476800', '2147483648'), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc'])
    error(await oplog('1793476800', 2 ** 53 + 2), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc'])
    error(await oplog('1793476800', '-1'), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc'])
    error(await oplog('1793476800', 0), 400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', ['oplogInc'])
    error(await oplog(-1, 1), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogTs'])
    error(await oplog(4_294_967_296, 1), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogTs'])
    error(await oplog('2026-02-29T00:00:00Z', 1), 400, 'INVALID_JSON_ATTRIBUTE', ['oplogTs'])
    const pit = (pointInTimeUTCMillis: unknown): Promise<Answer> => post(`${OM}/clusters/${IDS.replicaSet0}`, { delivery: automated, pointInTimeUTCMillis })
    for (const millis of [9e15, '9999999999999999', 253_402_300_800_000]) error(await pit(millis), 400, 'INVALID_JSON_ATTRIBUTE', ['pointInTimeUTCMillis'])
    error(await pit(253_402_300_799_999), 400, 'INVALID_PIT_RESTORE_TIME')
    error(await post(`${OM}/clusters/${IDS.replicaSet0}`, { delivery: { methodName: 'HTTP', expires: '2026-11-31T00:00:00Z' }, snapshotId: snapshot }), 400, 'INVALID_DATE_FORMAT')
    error(await post(`${V1}/ReplicaSet0`, { delivery: { methodName: 'HTTP', maxDownloads: -2_147_483_649 }, snapshotId: snapshot }), 400, 'INVALID_JSON_ATTRIBUTE', ['maxDownloads'])
  })
})
