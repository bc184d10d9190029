// What /metrics, the request id and the access log cost per request: `waymark serve --demo` answering
// GET one checkpoint (Atlas v2) with a Bearer token, in alternating rounds of three variants, each server
// pinned to core 0 and the load generator (lib/load.mjs, autocannon) to core 1, as http-bench.mjs does.
//   off:       --no-metrics, --log-level info
//   on:        metrics on (the default), --log-level info
//   on+debug:  metrics on, --log-level debug: one access-log line per request (stdout to /dev/null)
// Usage: npm --prefix .. run build && node metrics-overhead.mjs [--rounds 3] [--duration 5] [--warmup 2]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' } } })
const rounds = Number(values.rounds)
const duration = Number(values.duration)
const warmup = Number(values.warmup)
const CLI = fileURLToPath(new URL('../dist/bin/waymark.js', import.meta.url))
const LOAD = fileURLToPath(new URL('./lib/load.mjs', import.meta.url))
const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2
const pinned = (core, command, args) => (hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args])

const PROJECT = '65a1f0c2e4b0a1b2c3d4e502'
const ACCOUNT = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5e1', clientSecret: 'mdb_sa_sk_metrics-overhead-bench' }
const dir = mkdtempSync(join(tmpdir(), 'waymark-metrics-bench-'))
const fixture = join(dir, 'account.json')
writeFileSync(fixture, JSON.stringify({
  serviceAccounts: [{ ...ACCOUNT, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: '65a1f0c2e4b0a1b2c3d4e501', name: 'bench', roles: [{ groupId: PROJECT, roleName: 'GROUP_READ_ONLY' }] }],
}))

const VARIANTS = { off: ['--no-metrics', '--log-level', 'info'], on: ['--log-level', 'info'], 'on+debug': ['--log-level', 'debug'] }

async function serve(name, args) {
  const [command, argv] = pinned(0, process.execPath, [CLI, 'serve', '--demo', '--no-produce', '--no-rate-limit', '--port', '0', '--store', `sqlite:${join(dir, `${name}.sqlite`)}`, '--fixtures', fixture, ...args])
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
  const url = await new Promise((resolve, reject) => {
    let err = ''
    child.stderr.on('data', (chunk) => {
      err += chunk
      const match = /serving on (http:\/\/\S+)/.exec(err)
      if (match) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)))
  })
  return { child, url }
}

/** CPU time (user + system) the process has used, in seconds: steadier than calls/s on a shared machine. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function load(options) {
  const [command, argv] = pinned(1, process.execPath, [LOAD, JSON.stringify(options)])
  const result = spawnSync(command, argv, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout)
}

const results = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]))
for (let round = 1; round <= rounds; round++) {
  for (const [name, args] of Object.entries(VARIANTS)) {
    const { child, url } = await serve(name, args)
    const basic = `Basic ${Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64')}`
    const token = (await (await fetch(`${url}/api/oauth/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).json()).access_token
    const accept = 'application/vnd.atlas.2023-01-01+json'
    const list = `/api/atlas/v2/groups/${PROJECT}/clusters/Cluster0/backupCheckpoints?itemsPerPage=1`
    const id = (await (await fetch(url + list, { headers: { accept, authorization: `Bearer ${token}` } })).json()).results[0].id
    const options = { base: url, path: `/api/atlas/v2/groups/${PROJECT}/clusters/Cluster0/backupCheckpoints/${id}`, accept, auth: 'bearer', token, connections: 10 }
    load({ ...options, duration: warmup })
    const cpuBefore = cpuSeconds(child.pid)
    const result = load({ ...options, duration })
    result.cpuMicros = ((cpuSeconds(child.pid) - cpuBefore) / result.twoXx) * 1e6
    if (result.failures > 0) throw new Error(`${name}: ${result.failures} failures`)
    results[name].push(result)
    process.stderr.write(`round ${round} ${name}: ${Math.round(result.callsPerSecond)} calls/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuMicros.toFixed(0)} µs CPU per call\n`)
    child.kill('SIGTERM')
    await new Promise((resolve) => child.on('exit', resolve))
  }
}
rmSync(dir, { recursive: true, force: true })

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(results.off.map((r) => r.callsPerSecond))
const baseCpu = median(results.off.map((r) => r.cpuMicros))
console.log(`| variant | calls/s (median of ${rounds}) | p50 ms | p99 ms | vs off | server CPU µs per call | vs off |`)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const [name, runs] of Object.entries(results)) {
  const calls = median(runs.map((r) => r.callsPerSecond))
  const cpu = median(runs.map((r) => r.cpuMicros))
  console.log(`| ${name} | ${Math.round(calls).toLocaleString('en')} | ${median(runs.map((r) => r.p50))} | ${median(runs.map((r) => r.p99))} | ${(calls / base).toFixed(3)} | ${cpu.toFixed(0)} | ${(cpu / baseCpu).toFixed(3)} |`)
}
