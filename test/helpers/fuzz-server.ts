import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { signAccessToken } from '../../src/auth/access-tokens.js'
import { signNonce } from '../../src/auth/nonces.js'
import type { AuthContext } from './fuzz-auth.js'
import type { World } from './fuzz-api.js'
import { Rng, type FuzzSettings } from './fuzz-prng.js'
import { describeRequest, exchange, requestBytes, type ExchangeOptions, type RequestSpec, type WireOutcome } from './fuzz-wire.js'
import { IDS, KEYS } from './fixtures.js'
import { basic, form } from './oauth.js'
import { startTestApp, type TestApp } from './test-app.js'

/** The store secrets buildApp keeps (src/app.ts); the suite signs expired nonces and tokens with them. */
const NONCE_SECRET = 'digest-nonce-hmac'
const TOKEN_SECRET = 'oauth-token-hmac'

export const FUZZ_ADMIN_TOKEN = 'fuzz-admin-token-7c41e9a2'

/** A service account reading the test project, for bearer calls and the token endpoint. */
export const FUZZ_CLIENT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5f1', clientSecret: 'mdb_sa_sk_fuzz-secret-0001' } as const

const FIXTURE = {
  serviceAccounts: [
    {
      ...FUZZ_CLIENT,
      secretExpiresAt: '2099-01-01T00:00:00Z',
      orgId: IDS.orgA,
      name: 'fuzz',
      roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }],
    },
  ],
}

export interface FuzzServer {
  readonly t: TestApp
  readonly port: number
  readonly world: World
  /** Credentials for one request: a fresh nc on the server's nonce, tokens good and bad. */
  authContext(): AuthContext
  /** Sends one request over a new connection. */
  send(spec: RequestSpec, options?: ExchangeOptions): Promise<WireOutcome>
  /** Sends raw bytes over a new connection and reads one answer. */
  sendRaw(bytes: string, options?: ExchangeOptions): Promise<WireOutcome>
  /** Fails unless a good authenticated request is answered 200. */
  assertServes(): Promise<void>
  close(): Promise<void>
}

/**
 * A real listening server (127.0.0.1, port 0) over a fresh store of the current engine with the demo
 * data, the test fixture and a service account; rate limits off (the fuzz sends thousands of requests
 * to one project), the admin API on when asked.
 */
export async function startFuzzServer(options: { admin?: boolean } = {}): Promise<FuzzServer> {
  const t = await startTestApp({
    env: { WAYMARK_RATE_LIMIT: 'off', ...(options.admin ? { WAYMARK_ADMIN_TOKEN: FUZZ_ADMIN_TOKEN } : {}) },
    fixtures: [FIXTURE],
  })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (t.app.server.address() as { port: number }).port
  const send = (spec: RequestSpec, exchangeOptions: ExchangeOptions = {}): Promise<WireOutcome> =>
    exchange(port, requestBytes(spec), { head: spec.method === 'HEAD', ...exchangeOptions })

  const list = await t.call(`/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints?itemsPerPage=5`)
  assert.equal(list.status, 200, list.body)
  const checkpointIds = (list.json().results as { id: string }[]).map((c) => c.id)

  const tokenFor = async (): Promise<string> => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(FUZZ_CLIENT.clientId, FUZZ_CLIENT.clientSecret) },
      payload: form({ grant_type: 'client_credentials' }),
    })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json() as { access_token: string }).access_token
  }
  const token = await tokenFor()
  const revokedToken = await tokenFor()
  const revoked = await t.app.inject({
    method: 'POST',
    url: '/api/oauth/revoke',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(FUZZ_CLIENT.clientId, FUZZ_CLIENT.clientSecret) },
    payload: form({ token: revokedToken }),
  })
  assert.equal(revoked.statusCode, 200)

  const unused = (): string => randomBytes(32).toString('base64')
  const nonceSecret = await t.store.getOrCreateSecret(NONCE_SECRET, unused)
  const tokenSecret = await t.store.getOrCreateSecret(TOKEN_SECRET, unused)
  const nowSeconds = Math.floor(Date.now() / 1000)
  const fuzzAccount = await t.store.getServiceAccount(FUZZ_CLIENT.clientId)
  assert.ok(fuzzAccount?.secrets[0], 'the fuzz service account is stored')
  const fuzzSubject = { sub: FUZZ_CLIENT.clientId, aid: fuzzAccount.uid, sid: fuzzAccount.secrets[0].id }
  const challenge = await t.raw(`/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`)
  const nonce = /nonce="([^"]+)"/.exec(String(challenge.headers['www-authenticate']))?.[1]
  assert.ok(nonce, 'the server issues a nonce')

  let nc = 0
  const fixed = {
    key: KEYS.demoread,
    nonce,
    expiredNonce: signNonce(nonceSecret, nowSeconds - 3600, randomBytes(8)),
    futureNonce: signNonce(nonceSecret, nowSeconds + 600, randomBytes(8)),
    token,
    expiredToken: signAccessToken(tokenSecret, fuzzSubject, nowSeconds - 7200, 3600).token,
    revokedToken,
    unknownSubjectToken: signAccessToken(tokenSecret, { ...fuzzSubject, sub: 'mdb_sa_id_ffffffffffffffffffffffff' }, nowSeconds, 3600).token,
  }

  const world: World = {
    groupId: IDS.projectA,
    foreignGroupId: IDS.projectB,
    clusterName: 'Cluster0',
    clusterId: IDS.cluster0,
    cloudClusterName: 'CloudCluster0',
    cloudClusterId: IDS.cloudCluster0,
    checkpointIds,
    otherClusterCheckpointId: IDS.scccCheckpoint1,
  }

  return {
    t,
    port,
    world,
    // Each request takes the next nc: the server's window accepts them once each, in any order.
    authContext: () => ({ ...fixed, nc: ++nc }),
    send,
    sendRaw: (bytes, exchangeOptions = {}) => exchange(port, bytes, exchangeOptions),
    assertServes: async () => {
      const target = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`
      const outcome = await send({ method: 'GET', target, headers: [['Authorization', `Bearer ${token}`]] })
      assert.equal(outcome.kind, 'response', 'the server still answers')
      if (outcome.kind === 'response') assert.equal(outcome.response.status, 200, outcome.response.body)
    },
    close: () => t.close(),
  }
}

/** One generated case: the requests it sends and the problems found in the answers. */
export interface CaseResult {
  readonly request: RequestSpec
  readonly labels: readonly string[]
  readonly problems: readonly string[]
}

/**
 * Runs `count` cases of a property, `concurrency` at a time, each from its own generator forked from
 * the seed by its index (so WAYMARK_FUZZ_CASE=i replays case i alone), and fails with every failing
 * case's seed, index, labels and request.
 */
export async function runProperty(
  name: string,
  settings: FuzzSettings,
  count: number,
  concurrency: number,
  runCase: (rng: Rng, index: number) => Promise<CaseResult>,
): Promise<void> {
  const root = new Rng(settings.seed ^ hash(name))
  const indexes = settings.only === undefined ? Array.from({ length: count }, (_, i) => i) : [settings.only]
  const failures: string[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < indexes.length) {
      const index = indexes[next++] as number
      const result = await runCase(root.fork(index), index)
      if (result.problems.length > 0) {
        failures.push(
          `case ${index} (WAYMARK_FUZZ_SEED=${settings.seed} WAYMARK_FUZZ_CASE=${index}) [${result.labels.join('; ')}]\n` +
            `  ${describeRequest(result.request)}\n  → ${result.problems.join('\n  → ')}`,
        )
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  assert.equal(failures.length, 0, `${name}: ${failures.length} of ${indexes.length} cases failed\n${failures.slice(0, 15).join('\n')}`)
}

/** A stable 32-bit hash of a property's name, so each property draws its own sequence from one seed. */
function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
