// Waymark against a bare node:http ceiling, on the same pinned core, driven from the other core by the
// same load generator (autocannon), several rounds, medians, ratios measured in the same run.
// Usage (from bench/): npm install && npm run bench -- [--engines sqlite,postgres] [--rounds 3]
//   [--duration 5] [--warmup 2] [--count 1000000] [--connections 10] [--smoke] [--out results/latest.md]
//   [--scenarios 1,2,3,4] [--cold-starts N (default: rounds)]
// See README.md for what each scenario means and the latest table.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BIG, bigClusterSkeleton, checkpoint, loadCheckpoints } from './lib/big-cluster.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..')
const CLI = join(ROOT, 'dist/bin/waymark.js')
const { openStore } = await import(join(ROOT, 'dist/src/storage/open-store.js'))
const { loadFixture } = await import(join(ROOT, 'dist/src/fixtures/load-fixture.js'))

const { values: flags } = parseArgs({
  options: {
    engines: { type: 'string', default: 'sqlite,postgres' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    count: { type: 'string', default: '1000000' },
    connections: { type: 'string', default: '10' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    smoke: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: '1,2,3,4' },
    'cold-starts': { type: 'string' },
    out: { type: 'string' },
  },
})
const smoke = flags.smoke
const settings = {
  rounds: smoke ? 1 : Number(flags.rounds),
  duration: smoke ? 1 : Number(flags.duration),
  warmup: smoke ? 0 : Number(flags.warmup),
  count: smoke ? 2_000 : Number(flags.count),
  connections: Number(flags.connections),
  coldStarts: Math.max(1, Number(flags['cold-starts'] ?? (smoke ? 1 : flags.rounds))),
}
const engines = flags.engines.split(',').filter(Boolean)
/**
 * Scenario numbers to run (1–4; 4 is both pages); a partial run is for iterating, never for the published table.
 * Cold start is always measured; `--scenarios 5` alone measures only it (no rounds, so no resident memory).
 */
const chosen = new Set(flags.scenarios.split(',').filter(Boolean))
const onlyColdStart = !['1', '2', '3', '4'].some((n) => chosen.has(n))
const out = flags.out ?? (smoke ? undefined : join(HERE, 'results/latest.md'))

const KEY = { publicKey: 'benchkey', privateKey: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f' }
const CLIENT = { clientId: 'mdb_sa_id_b0b0b0b0b0b0b0b0b0b00004', clientSecret: 'mdb_sa_sk_bench-secret' }
const FIXTURE = {
  apiKeys: [{ ...KEY, orgId: BIG.org, description: 'bench', roles: [{ groupId: BIG.group, roleName: 'GROUP_READ_ONLY' }] }],
  serviceAccounts: [{ ...CLIENT, orgId: BIG.org, roles: [{ groupId: BIG.group, roleName: 'GROUP_READ_ONLY' }] }],
}
const ACCEPT = 'application/vnd.atlas.2023-01-01+json'
const CLUSTER_PATH = `/api/atlas/v2/groups/${BIG.group}/clusters/${BIG.clusterName}/backupCheckpoints`
const lastPage = Math.max(1, Math.ceil(settings.count / 100) - 1)
const URLS = {
  get: `${CLUSTER_PATH}/${checkpoint(Math.floor(settings.count / 2)).id}`,
  listFirst: `${CLUSTER_PATH}?itemsPerPage=100&pageNum=1`,
  listLast: `${CLUSTER_PATH}?itemsPerPage=100&pageNum=${lastPage}`,
}
const SCENARIOS = [
  { name: '1. GET one, Bearer token', url: 'get', auth: 'bearer' },
  { name: '2. GET one, Digest, nonce reused (nc grows)', url: 'get', auth: 'digest-nc' },
  { name: '3. GET one, Digest, challenged every call', url: 'get', auth: 'digest-challenge', ceilingFrom: 0, ceilingDivisor: 2 },
  { name: `4a. List 100, page 1 of ${settings.count.toLocaleString('en-US')}`, url: 'listFirst', auth: 'bearer' },
  { name: `4b. List 100, page ${lastPage} (near the end)`, url: 'listLast', auth: 'bearer' },
]

const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2
const pinned = (core, command, args) => (hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args])
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const log = (line) => process.stderr.write(`${line}\n`)

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Starts a child pinned to core 0 and resolves once `ready` matches its output. */
function startPinned(args, ready, env = {}) {
  const [command, argv] = pinned(0, process.execPath, args)
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let seen = ''
    const onData = (chunk) => {
      seen += chunk
      if (ready.test(seen)) resolve(child)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${seen}`)))
  })
}

async function stop(child) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

const SERVER_ENV = { WAYMARK_RATE_LIMIT_CAPACITY: '1000000000', WAYMARK_RATE_LIMIT_REFILL: '1000000000', WAYMARK_LOG_LEVEL: 'warn' }

async function startWaymark(store, port) {
  return startPinned([CLI, 'serve', '--store', store, '--port', String(port)], /serving on/, SERVER_ENV)
}

function runLoad(options) {
  const [command, argv] = pinned(1, process.execPath, [join(HERE, 'lib/load.mjs'), JSON.stringify(options)])
  const result = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 20 })
  if (result.status !== 0) throw new Error(`load run failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').pop())
}

/** CPU time (user + system) the process has used so far, in microseconds (/proc, clock ticks of 10 ms). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
}

async function prepare(engine) {
  let url
  let cleanup
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-http-bench-'))
    url = `sqlite:${join(dir, 'bench.sqlite')}`
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    const schema = `waymark_bench_${process.pid}`
    url = `${flags.postgres}?schema=${schema}`
    const pg = (await import(join(ROOT, 'node_modules/pg/lib/index.js'))).default
    const dropSchema = async () => {
      const client = new pg.Client({ connectionString: flags.postgres })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    }
    await dropSchema()
    cleanup = dropSchema
  }
  const store = await openStore(url)
  await store.apply(bigClusterSkeleton())
  await loadFixture(FIXTURE, store)
  log(`${engine}: loading ${settings.count} checkpoints …`)
  const started = process.hrtime.bigint()
  const applyMs = await loadCheckpoints(store, settings.count)
  const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9
  await store.close()
  log(`${engine}: loaded in ${loadSeconds.toFixed(1)} s (apply ${(applyMs / 1000).toFixed(1)} s)`)
  return { url, cleanup, loadSeconds }
}

async function fetchText(url, init = {}) {
  const res = await fetch(url, init)
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }
}

/** A token, and each benchmarked URL's exact answer (for the ceiling to replay), from a running Waymark. */
async function capture(base) {
  const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')
  const token = JSON.parse(
    (
      await fetchText(`${base}/api/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
    ).body,
  ).access_token
  const answers = {}
  for (const path of Object.values(URLS)) {
    const answer = await fetchText(base + path, { headers: { accept: ACCEPT, authorization: `Bearer ${token}` } })
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.body}`)
    const { 'content-type': type, 'ratelimit-limit': limit, 'ratelimit-remaining': remaining } = answer.headers
    answers[path] = { status: 200, headers: { 'content-type': type, 'ratelimit-limit': limit, 'ratelimit-remaining': remaining }, body: answer.body }
  }
  return { token, answers }
}

/** Spawn to the first 200 of an authenticated GET, in milliseconds. */
async function coldStart(store, token) {
  const port = await freePort()
  const t0 = process.hrtime.bigint()
  const [command, argv] = pinned(0, process.execPath, [CLI, 'serve', '--store', store, '--port', String(port)])
  const child = spawn(command, argv, { env: { ...process.env, ...SERVER_ENV }, stdio: 'ignore' })
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${URLS.get}`, { headers: { accept: ACCEPT, authorization: `Bearer ${token}` } })
        await res.arrayBuffer()
        if (res.status === 200) return Number(process.hrtime.bigint() - t0) / 1e6
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  } finally {
    await stop(child)
  }
}

async function runScenarios(base, { token, ceiling, pid }) {
  const results = []
  for (const scenario of SCENARIOS) {
    const number = scenario.name.slice(0, 1)
    // Scenario 3's ceiling is scenario 1's: measure that one on the ceiling when only 3 is chosen.
    const needed = chosen.has(number) || (ceiling && number === '1' && chosen.has('3'))
    if (!needed || (ceiling && scenario.ceilingFrom !== undefined)) {
      results.push(undefined)
      continue
    }
    const options = {
      base,
      path: URLS[scenario.url],
      accept: ACCEPT,
      auth: scenario.auth,
      token,
      key: KEY,
      ceiling,
      connections: settings.connections,
    }
    if (settings.warmup > 0) runLoad({ ...options, duration: settings.warmup })
    const cpuBefore = cpuMicros(pid)
    const result = runLoad({ ...options, duration: settings.duration })
    // The server's own CPU per answered call: steadier than calls/s when the load generator's core is shared.
    result.cpuPerCall = (cpuMicros(pid) - cpuBefore) / Math.max(1, result.twoXx)
    if (result.failures > 0) throw new Error(`${scenario.name} on ${ceiling ? 'the ceiling' : 'Waymark'}: ${result.failures} failed requests`)
    results.push(result)
  }
  return results
}

async function benchEngine(engine) {
  const { url, cleanup, loadSeconds } = await prepare(engine)
  try {
    let port = await freePort()
    let server = await startWaymark(url, port)
    const { token, answers } = await capture(`http://127.0.0.1:${port}`)
    await stop(server)
    const answersFile = join(tmpdir(), `waymark-ceiling-${process.pid}-${engine}.json`)
    writeFileSync(answersFile, JSON.stringify(answers))

    const coldStarts = []
    for (let i = 0; i < settings.coldStarts; i++) coldStarts.push(await coldStart(url, token))
    log(`${engine}: cold starts ${coldStarts.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    if (onlyColdStart) return { engine, loadSeconds, coldStartMs: median(coldStarts), rssMb: NaN, waymark: SCENARIOS.map(() => []), ceiling: [] }

    const waymark = SCENARIOS.map(() => [])
    const ceiling = SCENARIOS.map(() => [])
    const rss = []
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? ['ceiling', 'waymark'] : ['waymark', 'ceiling']
      for (const which of order) {
        port = await freePort()
        const base = `http://127.0.0.1:${port}`
        log(`${engine}: round ${round + 1}/${settings.rounds}, ${which}`)
        if (which === 'ceiling') {
          server = await startPinned([join(HERE, 'lib/ceiling-server.mjs'), String(port), answersFile], /ready/)
          ;(await runScenarios(base, { token, ceiling: true, pid: server.pid })).forEach((r, i) => r && ceiling[i].push(r))
        } else {
          server = await startWaymark(url, port)
          ;(await runScenarios(base, { token, ceiling: false, pid: server.pid })).forEach((r, i) => r && waymark[i].push(r))
          rss.push(rssMb(server.pid))
        }
        await stop(server)
      }
    }
    rmSync(answersFile, { force: true })
    return { engine, loadSeconds, coldStartMs: median(coldStarts), rssMb: median(rss), waymark, ceiling }
  } finally {
    await cleanup()
  }
}

function report(runs) {
  const lines = []
  const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  lines.push(`Command: \`cd bench && npm run bench -- ${process.argv.slice(2).join(' ')}\``.replace(/ -- $/, ''))
  lines.push(
    `Date: ${new Date().toISOString().slice(0, 16)}Z · ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}) · Node ${process.version} · ` +
      `${hasTaskset ? 'server pinned to core 0, load generator to core 1' : 'no pinning (taskset missing)'} · ` +
      `${settings.rounds} rounds of ${settings.duration} s after ${settings.warmup} s warm-up, ${settings.connections} connections · medians`,
  )
  for (const run of runs) {
    lines.push('', `### ${run.engine}`, '')
    lines.push(
      '| scenario | Waymark calls/s | p50 ms | p99 ms | ceiling calls/s | ratio | Waymark CPU µs/call | ceiling CPU µs/call | CPU ratio |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    )
    const ceilingOf = (i) => {
      const scenario = SCENARIOS[i]
      if (scenario.ceilingFrom !== undefined) return median(run.ceiling[scenario.ceilingFrom].map((r) => r.callsPerSecond)) / scenario.ceilingDivisor
      return median(run.ceiling[i].map((r) => r.callsPerSecond))
    }
    const ceilingCpuOf = (i) => {
      const scenario = SCENARIOS[i]
      if (scenario.ceilingFrom !== undefined) return median(run.ceiling[scenario.ceilingFrom].map((r) => r.cpuPerCall)) * scenario.ceilingDivisor
      return median(run.ceiling[i].map((r) => r.cpuPerCall))
    }
    SCENARIOS.forEach((scenario, i) => {
      const w = run.waymark[i]
      if (w.length === 0) return
      const rps = median(w.map((r) => r.callsPerSecond))
      const c = ceilingOf(i)
      const cpu = median(w.map((r) => r.cpuPerCall))
      const cCpu = ceilingCpuOf(i)
      lines.push(
        `| ${scenario.name} | ${fmt(rps)} | ${fmt(median(w.map((r) => r.p50)), 1)} | ${fmt(median(w.map((r) => r.p99)), 1)} | ${fmt(c)}${scenario.ceilingFrom !== undefined ? ' (½ of 1)' : ''} | ${fmt(rps / c, 2)} | ${fmt(cpu, 1)} | ${fmt(cCpu, 1)} | ${fmt(cCpu / cpu, 2)} |`,
      )
    })
    lines.push('')
    if (run.waymark[3].length > 0) {
      const first = median(run.waymark[3].map((r) => r.callsPerSecond))
      const last = median(run.waymark[4].map((r) => r.callsPerSecond))
      lines.push(`- Page near the end costs ${fmt(first / last, 2)}× page 1 (calls/s of 4a ÷ 4b).`)
    }
    lines.push(`- Cold start to the first answered request: ${fmt(run.coldStartMs)} ms (median of ${settings.coldStarts}).`)
    if (!onlyColdStart) lines.push(`- Resident memory after scenario 4: ${fmt(run.rssMb)} MB with ${fmt(settings.count)} checkpoints stored.`)
    lines.push(`- Loading ${fmt(settings.count)} checkpoints (Store.apply, batches of 10,000): ${fmt(run.loadSeconds, 1)} s.`)
  }
  return lines.join('\n')
}

const runs = []
for (const engine of engines) runs.push(await benchEngine(engine))
const table = report(runs)
process.stdout.write(`${table}\n`)
if (out) {
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${table}\n`)
  log(`written to ${out}`)
}
