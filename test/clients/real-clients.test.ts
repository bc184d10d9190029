import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import DigestClient from 'digest-fetch'
import { request } from 'urllib'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { assertSchema } from '../helpers/openapi.js'
import { ATLAS_V2_ACCEPT, startTestApp, type TestApp } from '../helpers/test-app.js'

const run = promisify(execFile)
const LIST = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`
const OM_LIST = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
const WRONG = '00000000-0000-0000-0000-000000000000'

const hasPythonRequests = await run('python3', ['-c', 'import requests']).then(
  () => true,
  () => false,
)

const PYTHON = `
import json, sys, time, requests
from requests.auth import HTTPDigestAuth
base, user, password, path, accept, pause = sys.argv[1:7]
session = requests.Session()
session.auth = HTTPDigestAuth(user, password)
out = []
for i in range(3):
    if i == 2 and float(pause) > 0:
        time.sleep(float(pause))
    r = session.get(base + path, params={"itemsPerPage": "2", "pageNum": str(i + 1)}, headers={"Accept": accept})
    out.append({"status": r.status_code, "ids": [c["id"] for c in r.json().get("results", [])] if r.status_code == 200 else []})
print(json.dumps(out))
`

describe('real Digest clients against a listening server', () => {
  let t: TestApp
  let base: string
  before(async () => {
    t = await startTestApp({ nonceLifetimeSeconds: 2 })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  })
  after(() => t.close())

  test('curl --digest lists and gets one, as the README shows', async () => {
    const { stdout } = await run('curl', ['-sS', '--digest', '-u', `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, `${base}${LIST}?itemsPerPage=3`])
    const list = JSON.parse(stdout)
    assertSchema('PaginatedApiAtlasCheckpointView', list)
    assert.equal(list.results.length, 3)
    assert.equal(list.links[0].href, `${base}${LIST}?pageNum=1&itemsPerPage=3`)
    const id = list.results[0].id
    const one = await run('curl', ['-sS', '--digest', '-u', `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, `${base}${LIST}/${id}?pretty=true`])
    assert.ok(one.stdout.startsWith('{\n  "clusterId" : '))
    assert.equal(JSON.parse(one.stdout).id, id)
  })

  test('curl --digest with a wrong private key gets the 401 body', async () => {
    const { stdout } = await run('curl', ['-sS', '--digest', '-u', `${KEYS.demoread.publicKey}:${WRONG}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, '-w', '\n%{http_code}', `${base}${LIST}`])
    const [body, status] = [stdout.slice(0, stdout.lastIndexOf('\n')), stdout.slice(stdout.lastIndexOf('\n') + 1)]
    assert.equal(status, '401')
    assert.equal(JSON.parse(body).detail, 'You are not authorized for this resource.')
  })

  test('an Authorization header curl sent, replayed verbatim, is refused', async () => {
    const url = `${base}${LIST}?itemsPerPage=1`
    const first = await run('curl', ['-sS', '-v', '--digest', '-u', `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, '-o', '/dev/null', '-w', '%{http_code}', url])
    assert.equal(first.stdout, '200')
    const sent = /^> Authorization: (Digest .*)\r?$/m.exec(first.stderr)?.[1]
    assert.ok(sent, first.stderr)
    const replay = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: ${sent}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, url])
    assert.equal(replay.stdout, '401')
  })

  test('digest-fetch reuses one nonce with a growing nc, and recovers from a stale nonce', async () => {
    const client = new DigestClient(KEYS.demoread.publicKey, KEYS.demoread.privateKey)
    const statuses: number[] = []
    for (let page = 1; page <= 3; page++) {
      const res = await client.fetch(`${base}${OM_LIST}?itemsPerPage=2&pageNum=${page}`)
      statuses.push(res.status)
      const body = await res.json()
      assertSchema('PaginatedApiAtlasCheckpointView', body)
    }
    assert.deepEqual(statuses, [200, 200, 200])
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const afterExpiry = await client.fetch(`${base}${OM_LIST}?itemsPerPage=1`)
    assert.equal(afterExpiry.status, 200)
  })

  test('digest-fetch with a wrong key gets 401', async () => {
    const client = new DigestClient(KEYS.demoread.publicKey, WRONG)
    const res = await client.fetch(`${base}${OM_LIST}`)
    assert.equal(res.status, 401)
    assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'UNEXPECTED_ERROR')
  })

  test('urllib (one nc counter per process) works across fresh nonces and concurrent calls', async () => {
    const auth = `${KEYS.demoread.publicKey}:${KEYS.demoread.privateKey}`
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(`${base}${LIST}?itemsPerPage=1&pageNum=${i + 1}`, { digestAuth: auth, headers: { accept: ATLAS_V2_ACCEPT }, dataType: 'json' }),
      ),
    )
    assert.deepEqual(results.map((r) => r.status), Array(6).fill(200))
    const ids = new Set(results.map((r) => (r.data as { results: { id: string }[] }).results[0]?.id))
    assert.equal(ids.size, 6)
    const wrong = await request(`${base}${LIST}`, { digestAuth: `${KEYS.demoread.publicKey}:${WRONG}`, headers: { accept: ATLAS_V2_ACCEPT }, dataType: 'json' })
    assert.equal(wrong.status, 401)
  })

  test('Python requests HTTPDigestAuth pages through checkpoints and survives a stale nonce', { skip: hasPythonRequests ? false : 'python3 has no requests module' }, async () => {
    const { stdout } = await run('python3', ['-c', PYTHON, base, KEYS.demoread.publicKey, KEYS.demoread.privateKey, LIST, ATLAS_V2_ACCEPT, '2.5'])
    const calls = JSON.parse(stdout) as { status: number; ids: string[] }[]
    assert.deepEqual(calls.map((c) => c.status), [200, 200, 200])
    assert.equal(new Set(calls.flatMap((c) => c.ids)).size, 6)
  })

  test('Python requests with a wrong key gets 401', { skip: hasPythonRequests ? false : 'python3 has no requests module' }, async () => {
    const { stdout } = await run('python3', ['-c', PYTHON, base, KEYS.demoread.publicKey, WRONG, LIST, ATLAS_V2_ACCEPT, '0'])
    assert.deepEqual((JSON.parse(stdout) as { status: number }[]).map((c) => c.status), [401, 401, 401])
  })
})
