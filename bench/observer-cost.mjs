// The per-request cost of observation alone, without the network or the machine's other load in the way:
// the app in-process (Fastify inject, no socket) answering GET /healthz, the cheapest route, with metrics
// off, on, and on with the debug access log (to a pino destination that discards), in alternating rounds;
// then the pieces by themselves (request id, route label, counting).
// Usage: npm --prefix .. run build && node observer-cost.mjs [--requests 20000] [--rounds 7]
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { buildApp } from '../dist/src/app.js'
import { loadConfig } from '../dist/src/config.js'
import { HttpMetrics } from '../dist/src/http/metrics.js'
import { requestId } from '../dist/src/http/request-id.js'
import { routeLabel } from '../dist/src/http/route-label.js'
import { openStore } from '../dist/src/storage/open-store.js'

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } } })
const requests = Number(values.requests)
const rounds = Number(values.rounds)

const store = await openStore('sqlite::memory:')
const discard = pino({ level: 'debug' }, new Writable({ write: (_chunk, _encoding, done) => done() }))
const variants = {
  off: await buildApp({ config: loadConfig({ port: 0 }, { WAYMARK_METRICS: 'off' }), store }),
  on: await buildApp({ config: loadConfig({ port: 0 }, {}), store }),
  'on+debug': await buildApp({ config: loadConfig({ port: 0 }, {}), store, logger: discard, accessLog: true }),
}

// One untimed pass of each, so the JIT has compiled the shared code before any round counts.
for (const app of Object.values(variants)) for (let i = 0; i < 2000; i++) await app.inject({ method: 'GET', url: '/healthz' })
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
const entries = Object.entries(variants)
for (let round = 0; round < rounds; round++) {
  // A different variant first each round, so that none always runs on a cold or warm machine.
  for (const [name, app] of [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)]) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < requests; i++) await app.inject({ method: 'GET', url: '/healthz' })
    results[name].push(Number(process.hrtime.bigint() - started) / requests / 1000)
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(results.off)
console.log(`| in-process GET /healthz (${requests} × ${rounds} rounds) | µs per request (median) | more than off |`)
console.log('|---|---:|---:|')
for (const [name, runs] of Object.entries(results)) console.log(`| ${name} | ${median(runs).toFixed(2)} | ${(median(runs) - base).toFixed(2)} µs |`)

const time = (label, n, fn) => {
  const started = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn(i)
  console.log(`| ${label} | ${(Number(process.hrtime.bigint() - started) / n).toFixed(0)} ns |`)
}
const metrics = new HttpMetrics({ processMetrics: false })
const target = '/api/atlas/v2/groups/65a1f0c2e4b0a1b2c3d4e502/clusters/Cluster0/backupCheckpoints/5a0a4c9e0000000000000001'
console.log('\n| piece | per call |\n|---|---:|')
time('requestId(undefined): a new UUID', 1e6, () => requestId(undefined))
time('requestId of an acceptable incoming id', 1e6, () => requestId('0af7651916cd43dd8448eb211c80319c'))
time('routeLabel of a single Atlas v2 checkpoint', 1e6, () => routeLabel(target, undefined))
time('metrics.request(route, 200, seconds)', 1e6, (i) => metrics.request('atlas_v2_checkpoint', 200, (i % 100) / 10000))
for (const app of Object.values(variants)) await app.close()
await store.close()
