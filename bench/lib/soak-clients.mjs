// The soak's clients (soak.mjs): each one loop on its own keep-alive connection until a deadline, with a
// pause between calls, recording every answer. What each checks is in soak.mjs's header.
import { Agent, request } from 'node:http'
import { digestSigner, nonceOf } from './digest.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** One HTTP exchange on the client's agent; resolves { status, headers, body } or rejects on a connection error. */
function exchange(agent, base, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')))
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Counts answers by kind and status, latencies, and anything that is an error: a connection error, a 5xx,
 * or a status the client did not expect at that step.
 */
export class Tally {
  constructor() {
    this.requests = 0
    this.byKind = new Map()
    this.errors = []
    this.errorCount = 0
    this.latencies = []
    this.digestRequests = 0
  }
  record(kind, status, ms, expected) {
    this.requests++
    const key = `${kind} ${status}`
    this.byKind.set(key, (this.byKind.get(key) ?? 0) + 1)
    this.latencies.push(ms)
    if (!expected.includes(status)) this.error(`${kind}: status ${status}, expected ${expected.join('/')}`)
  }
  error(message) {
    this.errorCount++
    if (this.errors.length < 20) this.errors.push(`${new Date().toISOString()} ${message}`)
  }
}

/** Runs `step` in a loop until `deadline`, pausing `pace` ms between steps; a thrown error is recorded, not fatal. */
async function loop(tally, name, deadline, pace, step) {
  while (Date.now() < deadline) {
    try {
      await step()
    } catch (error) {
      tally.error(`${name}: ${error.message}`)
      await sleep(200)
    }
    await sleep(pace)
  }
}

async function timed(tally, kind, expected, agent, base, options) {
  const t0 = performance.now()
  const res = await exchange(agent, base, options)
  tally.record(kind, res.status, performance.now() - t0, expected)
  return res
}

/**
 * Digest, nonce reused: one challenge, then the same nonce with nc 1, 2, 3 … A 401 with stale=true (the
 * nonce's lifetime is over) is expected: the client takes the new nonce and starts again at nc 1.
 */
export function digestReusingNonce({ tally, base, key, paths, accept, deadline, pace }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let nonce
  let nc = 0
  let turn = 0
  return loop(tally, 'digest-nc', deadline, pace, async () => {
    const path = paths[turn++ % paths.length]
    if (nonce === undefined) {
      const challenge = await timed(tally, 'digest-nc challenge', [401], agent, base, { path, headers: { accept } })
      nonce = nonceOf(challenge.headers['www-authenticate'])
      nc = 0
    }
    nc++
    const sign = digestSigner(key.publicKey, key.privateKey, 'GET', path)
    tally.digestRequests++
    const res = await timed(tally, 'digest-nc', [200, 401], agent, base, { path, headers: { accept, authorization: sign(nonce, nc) } })
    if (res.status === 401) {
      const header = res.headers['www-authenticate'] ?? ''
      if (!/stale=true/.test(header)) tally.error(`digest-nc: 401 without stale=true at nc ${nc}: ${res.body}`)
      nonce = nonceOf(header)
      nc = 0
      tally.stale = (tally.stale ?? 0) + 1
    }
  }).finally(() => agent.destroy())
}

/** Digest, challenged on every call (as the Go SDK's digest transport does): two round trips, nc 1 each time. */
export function digestChallengedEveryCall({ tally, base, key, paths, accept, deadline, pace }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let turn = 0
  return loop(tally, 'digest-challenge', deadline, pace, async () => {
    const path = paths[turn++ % paths.length]
    const challenge = await timed(tally, 'digest-challenge 1st', [401], agent, base, { path, headers: { accept } })
    const sign = digestSigner(key.publicKey, key.privateKey, 'GET', path)
    tally.digestRequests++
    await timed(tally, 'digest-challenge 2nd', [200], agent, base, {
      path,
      headers: { accept, authorization: sign(nonceOf(challenge.headers['www-authenticate']), 1) },
    })
  }).finally(() => agent.destroy())
}

const FORM = 'application/x-www-form-urlencoded'
const basic = (account) => `Basic ${Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64')}`

async function issueToken(tally, kind, agent, base, account) {
  const res = await timed(tally, `${kind} token`, [200], agent, base, {
    method: 'POST',
    path: '/api/oauth/token',
    headers: { authorization: basic(account), 'content-type': FORM },
    body: 'grant_type=client_credentials',
  })
  return JSON.parse(res.body).access_token
}

/** Bearer: a token from /api/oauth/token, used for `renewEvery` ms, then a new one. */
export function bearerClient({ tally, base, account, paths, accept, deadline, pace, renewEvery }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let token
  let issuedAt = 0
  let turn = 0
  return loop(tally, 'bearer', deadline, pace, async () => {
    if (token === undefined || Date.now() - issuedAt > renewEvery) {
      token = await issueToken(tally, 'bearer', agent, base, account)
      issuedAt = Date.now()
    }
    const path = paths[turn++ % paths.length]
    await timed(tally, 'bearer', [200], agent, base, { path, headers: { accept, authorization: `Bearer ${token}` } })
  }).finally(() => agent.destroy())
}

/** Token churn: issue a token, use it, revoke it, check it is refused (401); every `every` ms. */
export function revokingClient({ tally, base, account, path, accept, deadline, every }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  tally.revocations = 0
  return loop(tally, 'revoke', deadline, every, async () => {
    const token = await issueToken(tally, 'revoke', agent, base, account)
    const headers = { accept, authorization: `Bearer ${token}` }
    await timed(tally, 'revoke use', [200], agent, base, { path, headers })
    await timed(tally, 'revoke', [200], agent, base, {
      method: 'POST',
      path: '/api/oauth/revoke',
      headers: { authorization: basic(account), 'content-type': FORM },
      body: `token=${token}`,
    })
    tally.revocations++
    await timed(tally, 'revoked use', [401], agent, base, { path, headers })
  }).finally(() => agent.destroy())
}

/**
 * List paging with a Bearer token: a random page (one past the end included) of a random size; the answer
 * must carry the cluster's totalCount and exactly the page's number of results.
 */
export function pagingClient({ tally, base, account, listPath, total, accept, deadline, pace, random }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let token
  return loop(tally, 'paging', deadline, pace, async () => {
    token ??= await issueToken(tally, 'paging', agent, base, account)
    const size = [10, 100, 500][Math.floor(random() * 3)]
    const pages = Math.ceil(total / size)
    const page = 1 + Math.floor(random() * (pages + 1))
    const res = await timed(tally, 'paging', [200], agent, base, {
      path: `${listPath}?pageNum=${page}&itemsPerPage=${size}`,
      headers: { accept, authorization: `Bearer ${token}` },
    })
    if (res.status !== 200) return
    const body = JSON.parse(res.body)
    const want = Math.max(0, Math.min(size, total - (page - 1) * size))
    if (body.totalCount !== total || body.results.length !== want) {
      tally.error(`paging: page ${page} of ${size}: totalCount ${body.totalCount} (want ${total}), ${body.results.length} results (want ${want})`)
    }
  }).finally(() => agent.destroy())
}
