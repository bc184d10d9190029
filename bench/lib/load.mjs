// One load run with autocannon, in its own process (pinned to the other core by http-bench.mjs).
// Usage: node lib/load.mjs '{"base":…,"path":…,"auth":"bearer"|"digest-nc"|"digest-challenge",…}'
// Prints one JSON line: calls per second, latency p50/p99 (ms), and counts of anything but 2xx.
import autocannon from 'autocannon'
import { digestSigner, nonceOf } from './digest.mjs'

const options = JSON.parse(process.argv[2])
const { base, path, accept, auth, duration, connections } = options
const headers = { accept }

async function challenge() {
  const res = await fetch(base + path, { headers })
  await res.arrayBuffer()
  return nonceOf(res.headers.get('www-authenticate'))
}

let requests
if (auth === 'bearer') {
  requests = [{ method: 'GET', path, headers: { ...headers, authorization: `Bearer ${options.token}` } }]
} else if (auth === 'digest-nc') {
  // How curl, digest-fetch and Python requests behave: one nonce, nc counting up across the whole run.
  const sign = digestSigner(options.key.publicKey, options.key.privateKey, 'GET', path)
  const nonce = options.ceiling ? 'bmV2ZXItY2hlY2tlZC1ieS10aGUtY2VpbGluZw==' : await challenge()
  let nc = 0
  requests = [{ method: 'GET', path, setupRequest: (req) => ({ ...req, headers: { ...headers, authorization: sign(nonce, ++nc) } }) }]
} else if (auth === 'digest-challenge') {
  // How the Go SDK behaves: every call is first challenged, then answered with the fresh nonce, nc=1.
  const sign = digestSigner(options.key.publicKey, options.key.privateKey, 'GET', path)
  requests = [
    { method: 'GET', path, headers, onResponse: (_status, _body, context, h) => (context.nonce = nonceOf(h['www-authenticate'])) },
    { method: 'GET', path, setupRequest: (req, context) => ({ ...req, headers: { ...headers, authorization: sign(context.nonce, 1) } }) },
  ]
} else {
  throw new Error(`unknown auth ${auth}`)
}

const result = await autocannon({ url: base, connections, pipelining: 1, duration, requests })
const twoXx = result['2xx']
// A digest-challenge call is two requests, a 401 then a 200: as many 401s as 200s (give or take the calls
// cut off at the end) are expected, not failures.
const unexpected4xx = auth === 'digest-challenge' ? Math.max(0, result['4xx'] - twoXx - connections) : result['4xx']
process.stdout.write(
  JSON.stringify({
    callsPerSecond: twoXx / duration,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    twoXx,
    failures: unexpected4xx + result['5xx'] + result['1xx'] + result['3xx'] + result.errors + result.timeouts,
  }) + '\n',
)
