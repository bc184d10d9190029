import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { digestAuthorization, parseChallenge, type Credentials } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { bearerCall, getToken } from '../helpers/oauth.js'
import { ATLAS_V2_ACCEPT, startTestApp, type CallResult, type TestApp } from '../helpers/test-app.js'

// Remembered answers (src/http/answer-cache.ts): a repeated request is answered from memory while the
// store has not changed. Each test makes the same request twice or more, so that the second answer is a
// remembered one, and checks that everything a remembered answer must not skip still happens.

const T0 = Date.parse('2026-11-23T12:00:00Z')
const HOUR = 3_600_000
const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e9a1', clientSecret: 'mdb_sa_sk_answer-cache-reader' }
const FIXTURE = { serviceAccounts: [{ ...READER, orgId: IDS.orgA, roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] }] }
const V2 = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`

async function firstCheckpointId(t: TestApp, token: string): Promise<string> {
  const list = await bearerCall(t, V2, token)
  assert.equal(list.status, 200, list.body)
  const id: unknown = list.json().results[0]?.id
  assert.equal(typeof id, 'string')
  return id as string
}

function sameAnswer(a: CallResult, b: CallResult): void {
  assert.equal(b.status, a.status)
  assert.equal(b.body, a.body)
  assert.equal(b.headers['content-type'], a.headers['content-type'])
  assert.equal(b.headers['content-length'], a.headers['content-length'])
}

describe('remembered answers', () => {
  let t: TestApp
  let clock = T0
  before(async () => {
    t = await startTestApp({ now: () => clock, fixtures: [FIXTURE], env: { WAYMARK_RATE_LIMIT_CAPACITY: '1000' } })
  })
  after(async () => t.close())

  test('a repeated bearer call gets the same answer, and the next one after a write sees the write', async () => {
    clock = T0
    const token = await getToken(t, READER.clientId, READER.clientSecret)
    const id = await firstCheckpointId(t, token)
    const first = await bearerCall(t, `${V2}/${id}`, token)
    assert.equal(first.status, 200, first.body)
    sameAnswer(first, await bearerCall(t, `${V2}/${id}`, token))
    const listed = await bearerCall(t, V2, token)

    assert.equal(await t.store.deleteCheckpoint(IDS.cluster0, id), true)
    const gone = await bearerCall(t, `${V2}/${id}`, token)
    assert.equal(gone.status, 404, gone.body)
    assert.equal(gone.json().errorCode, 'CHECKPOINT_NOT_FOUND')
    const relisted = await bearerCall(t, V2, token)
    assert.equal(relisted.status, 200)
    assert.equal(relisted.json().totalCount, listed.json().totalCount - 1)
    assert.ok(!relisted.json().results.some((c: { id: string }) => c.id === id))
  })

  test('each rendering is its own answer: pretty, envelope, HEAD; another Accept is checked again', async () => {
    clock = T0
    const token = await getToken(t, READER.clientId, READER.clientSecret)
    const id = await firstCheckpointId(t, token)
    const url = `${V2}/${id}`
    for (let round = 0; round < 2; round++) {
      const plain = await bearerCall(t, url, token)
      const pretty = await bearerCall(t, `${url}?pretty=true`, token)
      const envelope = await bearerCall(t, `${url}?envelope=true`, token)
      const unversioned = await bearerCall(t, url, token, { accept: 'application/json' })
      const head = await bearerCall(t, url, token, { method: 'HEAD' })
      assert.deepEqual(JSON.parse(pretty.body), plain.json())
      assert.notEqual(pretty.body, plain.body)
      assert.deepEqual(envelope.json(), { status: 200, content: plain.json() })
      assert.equal(unversioned.status, 406, unversioned.body)
      assert.equal(plain.headers['content-type'], `${ATLAS_V2_ACCEPT};charset=utf-8`)
      assert.equal(head.status, 200)
      assert.equal(head.body, '')
    }
  })

  test('a remembered answer ends with its bearer token', async () => {
    clock = T0
    const token = await getToken(t, READER.clientId, READER.clientSecret)
    const url = `${V2}?itemsPerPage=1`
    assert.equal((await bearerCall(t, url, token)).status, 200)
    clock = T0 + HOUR - 1
    assert.equal((await bearerCall(t, url, token)).status, 200)
    clock = T0 + HOUR
    const expired = await bearerCall(t, url, token)
    assert.equal(expired.status, 401, expired.body)
    assert.equal(expired.headers['www-authenticate'], 'Bearer error="invalid_token"')
  })

  test('a Digest call is authenticated every time: a replayed nc is refused although its answer is remembered', async () => {
    clock = T0
    const url = `${V2}?itemsPerPage=2`
    const challenge = await t.raw(url, { accept: ATLAS_V2_ACCEPT })
    const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
    const signed = (nc: number, key: Credentials = KEYS.demoread) =>
      t.raw(url, { accept: ATLAS_V2_ACCEPT, authorization: digestAuthorization({ credentials: key, method: 'GET', uri: url, nonce, nc }) })
    const first = await signed(1)
    assert.equal(first.status, 200, first.body)
    sameAnswer(first, await signed(2))
    const replayed = await signed(2)
    assert.equal(replayed.status, 401)
    assert.match(String(replayed.headers['www-authenticate']), /^Digest /)
    const wrongKey = await signed(3, { publicKey: KEYS.demoread.publicKey, privateKey: 'not-the-private-key' })
    assert.equal(wrongKey.status, 401)
    // Another user with no role on the project is refused, whatever demoread's answer was.
    const other = await signed(4, KEYS.demonone)
    assert.equal(other.status, 401)
    assert.equal(other.json().errorCode, 'USER_UNAUTHORIZED')
    sameAnswer(first, await signed(5))
  })
})

describe('remembered answers and the rate limit', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({
      fixtures: [FIXTURE],
      env: { WAYMARK_RATE_LIMIT_CAPACITY: '3', WAYMARK_RATE_LIMIT_REFILL: '1', WAYMARK_RATE_LIMIT_PERIOD_SECONDS: '3600' },
    })
  })
  after(async () => t.close())

  test('every remembered answer takes a token, and an empty bucket refuses it as usual', async () => {
    const token = await getToken(t, READER.clientId, READER.clientSecret)
    const url = `${V2}?itemsPerPage=1&pretty=true`
    const answers = [await bearerCall(t, url, token), await bearerCall(t, url, token), await bearerCall(t, url, token)]
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers['ratelimit-remaining']]),
      [
        [200, '2'],
        [200, '1'],
        [200, '0'],
      ],
    )
    const refused = await bearerCall(t, url, token)
    assert.equal(refused.status, 429, refused.body)
    assert.equal(refused.headers['ratelimit-remaining'], '0')
    assert.ok(Number(refused.headers['retry-after']) > 0)
    // The refusal keeps the request's format (pretty) and names the path without its query.
    assert.match(refused.body, /^\{\n {2}"detail" : /)
    assert.equal(JSON.parse(refused.body).errorCode, 'RATE_LIMITED_TOKEN_BUCKET')
    assert.ok(JSON.parse(refused.body).parameters[0].endsWith('/backupCheckpoints'))
  })
})
