// Soak: a real `waymark serve` under a sustainable mixed load for a bounded time, watching for errors,
// resident memory growth and the growth of Digest nonce and token state.
// Usage (from bench/): npm run soak -- [--engine sqlite|postgres] [--duration 240] [--sample 5]
//   [--nonce-lifetime 60] [--pace 10] [--count 20000] [--postgres URL] [--smoke] [--out FILE.md]
// Exit code 1 when a verdict fails. --smoke: 6 s, 2,000 checkpoints, nonce lifetime 2 s, memory not judged.
//
// Clients, each on its own keep-alive connection to 127.0.0.1, pausing --pace ms between calls:
//   3 Digest clients reusing one nonce with a growing nc (re-challenged when the nonce goes stale);
//   2 Digest clients challenged on every call (two round trips, nc=1, as the Go SDK's transport);
//   2 Bearer clients (a new token every 20 s); 1 client issuing, using, revoking and re-trying a token
//   every second; 2 clients paging the list of a --count-checkpoint cluster (random page and size).
// Every --sample seconds: the server's VmRSS (/proc/PID/status), the rows of digest_nonce_leases and
// revoked_tokens. The server runs with --no-rate-limit (the load is not a rate-limit test) and a nonce
// lifetime of --nonce-lifetime seconds (default 60 instead of 300), so that nonce records expire and are
// pruned several times within the run. See docs/durability.md for what the verdicts mean and the figures.
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BIG, bigClusterSkeleton, checkpoint, loadCheckpoints } from './lib/big-cluster.mjs'
import {
  Tally,
  bearerClient,
  digestChallengedEveryCall,
  digestReusingNonce,
  pagingClient,
  revokingClient,
} from './lib/soak-clients.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '..')
const CLI = join(ROOT, 'dist/bin/waymark.js')
const { openStore } = await import(join(ROOT, 'dist/src/storage/open-store.js'))
const { loadFixture } = await import(join(ROOT, 'dist/src/fixtures/load-fixture.js'))
const { mulberry32 } = await import(join(ROOT, 'dist/src/fixtures/prng.js'))

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'sqlite' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    duration: { type: 'string', default: '240' },
    sample: { type: 'string', default: '5' },
    'nonce-lifetime': { type: 'string', default: '60' },
    pace: { type: 'string', default: '10' },
    count: { type: 'string', default: '20000' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
})
const engine = flags.engine
if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('--engine is sqlite or postgres')
const smoke = flags.smoke
const settings = {
  duration: smoke ? 6 : Number(flags.duration),
  sample: smoke ? 1 : Number(flags.sample),
  nonceLifetime: smoke ? 2 : Number(flags['nonce-lifetime']),
  pace: Number(flags.pace),
  count: smoke ? 2_000 : Number(flags.count),
}
const log = (line) => process.stderr.write(`${line}\n`)

const KEY = { publicKey: 'soakdigs', privateKey: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b' }
const READER = { clientId: 'mdb_sa_id_b0b0b0b0b0b0b0b0b0b00011', clientSecret: 'mdb_sa_sk_soak-reader' }
const REVOKER = { clientId: 'mdb_sa_id_b0b0b0b0b0b0b0b0b0b00012', clientSecret: 'mdb_sa_sk_soak-revoker' }
const ROLES = [{ groupId: BIG.group, roleName: 'GROUP_READ_ONLY' }]
const FIXTURE = {
  apiKeys: [{ ...KEY, orgId: BIG.org, description: 'soak', roles: ROLES }],
  serviceAccounts: [READER, REVOKER].map((a) => ({ ...a, orgId: BIG.org, name: 'soak', roles: ROLES })),
}
const ACCEPT = 'application/vnd.atlas.2023-01-01+json'
const V2 = `/api/atlas/v2/groups/${BIG.group}/clusters/${BIG.clusterName}/backupCheckpoints`
const V1 = `/api/atlas/v1.0/groups/${BIG.group}/clusters/${BIG.clusterName}/backupCheckpoints`
const OPS = `/api/public/v1.0/groups/${BIG.group}/clusters/${BIG.cluster}/checkpoints`

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

/** The store, loaded with the cluster, its checkpoints, the key and the service accounts; and how to count its state tables. */
async function prepare() {
  let url
  let cleanup
  let countRows
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-soak-'))
    const path = join(dir, 'soak.sqlite')
    url = `sqlite:${path}`
    const Database = (await import('better-sqlite3')).default
    countRows = async (table) => {
      const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 })
      try {
        return db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n
      } finally {
        db.close()
      }
    }
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    const schema = `waymark_soak_${process.pid}`
    url = `${flags.postgres}?schema=${schema}`
    const pg = (await import('pg')).default
    const query = async (text) => {
      const client = new pg.Client({ connectionString: flags.postgres })
      await client.connect()
      try {
        return (await client.query(text)).rows
      } finally {
        await client.end()
      }
    }
    countRows = async (table) => Number((await query(`SELECT count(*) AS n FROM ${schema}.${table}`))[0].n)
    cleanup = () => query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await cleanup()
  }
  const store = await openStore(url)
  // Through the fixture loader, which fills the cluster's schedule defaults the skeleton leaves out.
  await loadFixture({ ...bigClusterSkeleton(), ...FIXTURE }, store)
  await loadCheckpoints(store, settings.count)
  await store.close()
  return { url, cleanup, countRows }
}

function startServer(url, port) {
  const env = { ...process.env, WAYMARK_NONCE_LIFETIME_SECONDS: String(settings.nonceLifetime), WAYMARK_LOG_LEVEL: 'warn' }
  const child = spawn(process.execPath, [CLI, 'serve', '--store', url, '--port', String(port), '--no-rate-limit'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logLines = []
  let seen = ''
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      seen += chunk
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) logLines.push(line)
      if (/serving on/.test(seen)) resolve()
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${seen}`)))
  })
  return { child, ready, logLines }
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx
}

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function main() {
  log(`soak: ${engine}, ${settings.duration} s, sampling every ${settings.sample} s, nonce lifetime ${settings.nonceLifetime} s, ${settings.count} checkpoints`)
  const { url, cleanup, countRows } = await prepare()
  const port = await freePort()
  const server = startServer(url, port)
  const samples = []
  const tally = new Tally()
  try {
    await server.ready
    const base = `http://127.0.0.1:${port}`
    const startedAt = Date.now()
    const deadline = startedAt + settings.duration * 1000
    const pace = settings.pace
    const random = mulberry32(7)
    const gets = [`${V2}/${checkpoint(7).id}`, `${OPS}/${checkpoint(Math.floor(settings.count / 2)).id}`, `${V1}?itemsPerPage=5`, `${V2}?pageNum=2&itemsPerPage=20`]
    const clients = [
      ...[0, 1, 2].map(() => digestReusingNonce({ tally, base, key: KEY, paths: gets, accept: ACCEPT, deadline, pace })),
      ...[0, 1].map(() => digestChallengedEveryCall({ tally, base, key: KEY, paths: gets, accept: ACCEPT, deadline, pace })),
      ...[0, 1].map(() => bearerClient({ tally, base, account: READER, paths: gets, accept: ACCEPT, deadline, pace, renewEvery: 20_000 })),
      revokingClient({ tally, base, account: REVOKER, path: gets[0], accept: ACCEPT, deadline, every: 1_000 }),
      ...[0, 1].map(() => pagingClient({ tally, base, account: READER, listPath: V2, total: settings.count, accept: ACCEPT, deadline, pace, random })),
    ]
    const sample = async () => {
      const s = {
        t: (Date.now() - startedAt) / 1000,
        requests: tally.requests,
        digest: tally.digestRequests,
        rss: rssMb(server.child.pid),
        nonceUses: await countRows('digest_nonce_leases'),
        revoked: await countRows('revoked_tokens'),
        revocations: tally.revocations ?? 0,
        errors: tally.errorCount,
      }
      samples.push(s)
      const prev = samples.at(-2)
      const rate = prev ? Math.round((s.requests - prev.requests) / (s.t - prev.t)) : 0
      log(`t=${s.t.toFixed(0)}s requests=${s.requests} (${rate}/s) rss=${s.rss.toFixed(1)} MB digest_nonce_leases=${s.nonceUses} revoked_tokens=${s.revoked} errors=${s.errors}`)
    }
    await sample()
    const sampler = setInterval(() => void sample().catch((e) => tally.error(`sampler: ${e.message}`)), settings.sample * 1000)
    await Promise.all(clients)
    clearInterval(sampler)
    if (Date.now() - startedAt - (samples.at(-1)?.t ?? 0) * 1000 > (settings.sample * 1000) / 2) await sample()
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve))
    server.child.kill('SIGTERM')
    await exited
    await cleanup()
  }
  report(samples, tally, server.logLines)
}

function report(samples, tally, logLines) {
  const lines = []
  const out = (line = '') => lines.push(line)
  const first = samples[0]
  const last = samples.at(-1)
  const seconds = last.t - first.t
  const sorted = [...tally.latencies].sort((a, b) => a - b)
  out(`## Soak, ${engine}: ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0].toFixed(1)} at the end`)
  out()
  out(`${settings.duration} s, ${tally.requests} requests (${Math.round(tally.requests / seconds)}/s), latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms; nonce lifetime ${settings.nonceLifetime} s; ${tally.revocations ?? 0} tokens revoked; ${tally.stale ?? 0} stale-nonce re-challenges`)
  out()
  out('| t (s) | requests | req/s | RSS (MB) | digest_nonce_leases | revoked_tokens | errors |')
  out('|---:|---:|---:|---:|---:|---:|---:|')
  const every = Math.max(1, Math.round(samples.length / 24))
  samples.forEach((s, i) => {
    if (i % every !== 0 && i !== samples.length - 1) return
    const prev = samples[i - 1]
    const rate = prev ? Math.round((s.requests - prev.requests) / (s.t - prev.t)) : 0
    out(`| ${s.t.toFixed(0)} | ${s.requests} | ${rate} | ${s.rss.toFixed(1)} | ${s.nonceUses} | ${s.revoked} | ${s.errors} |`)
  })
  out()
  out('Answers by kind and status:')
  out()
  for (const [key, n] of [...tally.byKind.entries()].sort()) out(`- ${key}: ${n}`)
  out()

  // Verdicts.
  const verdicts = []
  const errorLogs = logLines.filter((l) => /"level":(50|60)/.test(l))
  verdicts.push([
    tally.errorCount === 0 && errorLogs.length === 0,
    `errors: ${tally.errorCount} (5xx, unexpected statuses, connection errors); ${errorLogs.length} error-level server log lines`,
  ])
  for (const e of tally.errors.slice(0, 5)) out(`  error: ${e}`)
  for (const l of errorLogs.slice(0, 5)) out(`  log: ${l.slice(0, 300)}`)

  // Memory: after a warm-up (the first third of the run), the median RSS of the second half against the
  // first half's. The GC's sawtooth and the load's ups and downs move RSS by ±10-20 MB between samples, so
  // medians, not single samples. Threshold: the second half's median at most max(8 MB, 5 %) above the
  // first's. The least-squares trends of both halves are printed too.
  const warm = samples.filter((s) => s.t >= seconds / 3)
  const half = Math.floor(warm.length / 2)
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b)
    const m = Math.floor(sorted.length / 2)
    return sorted.length % 2 ? sorted[m] : ((sorted[m - 1] ?? 0) + (sorted[m] ?? 0)) / 2
  }
  const m1 = median(warm.slice(0, half).map((s) => s.rss))
  const m2 = median(warm.slice(half).map((s) => s.rss))
  const threshold = Math.max(8, 0.05 * m1)
  const slope1 = slope(warm.slice(0, half).map((s) => ({ x: s.t / 60, y: s.rss })))
  const slope2 = slope(warm.slice(half).map((s) => ({ x: s.t / 60, y: s.rss })))
  // A few seconds say nothing about memory: --smoke prints the figures without judging them.
  const memoryOk = smoke || warm.length < 4 || m2 - m1 <= threshold
  verdicts.push([
    memoryOk,
    `RSS: ${first.rss.toFixed(1)} MB before the load, ${(warm[0]?.rss ?? first.rss).toFixed(1)} MB after warm-up (t=${(warm[0]?.t ?? 0).toFixed(0)} s), ` +
      `${last.rss.toFixed(1)} MB at the end, max ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} MB; median ${m1.toFixed(1)} MB in the first half after ` +
      `warm-up, ${m2.toFixed(1)} MB in the second (${m2 - m1 >= 0 ? '+' : ''}${(m2 - m1).toFixed(1)} MB, threshold +${threshold.toFixed(1)} MB); ` +
      `trends ${slope1.toFixed(1)} and ${slope2.toFixed(1)} MB/min${smoke ? ' (not judged with --smoke)' : ''}`,
  ])

  // Nonce leases: one row per nonce (at most one per Digest-authenticated request), kept until it expires (lifetime + 5 s of
  // clock skew) and dropped at most 30 s after that (the prune interval, checked on Digest requests). So at
  // any moment the table holds at most the Digest requests of the last lifetime + 35 s: checked at every
  // sample against the requests counted since the sample at least that long before. Once the run is longer
  // than that window, the table must also have shrunk at least once (pruned).
  const window = settings.nonceLifetime + 35
  let worst = { ratio: 0, rows: 0, bound: 0, t: 0 }
  for (const s of samples) {
    const before = [...samples].reverse().find((p) => p.t <= s.t - window) ?? first
    const bound = s.digest - before.digest + 50
    const ratio = s.nonceUses / bound
    if (ratio > worst.ratio) worst = { ratio, rows: s.nonceUses, bound, t: s.t }
  }
  const maxNonceUses = Math.max(...samples.map((s) => s.nonceUses))
  const pruned = samples.some((s, i) => i > 0 && s.nonceUses < (samples[i - 1]?.nonceUses ?? 0))
  const nonceOk = worst.ratio <= 1 && (seconds < window + settings.sample * 2 || pruned)
  verdicts.push([
    nonceOk,
    `digest_nonce_leases: max ${maxNonceUses} rows, ${last.nonceUses} at the end; ${pruned ? 'pruned during the run' : 'never pruned'}; ` +
      `at every sample at most the Digest requests of the last ${window} s (+50): closest ${worst.rows} rows of ${worst.bound} at t=${worst.t.toFixed(0)} s`,
  ])
  // Revoked tokens: one row per revocation, kept until the token would have expired (tokens live an hour,
  // longer than the run), so the table holds exactly the revocations.
  verdicts.push([
    last.revoked === last.revocations,
    `revoked_tokens: ${last.revoked} rows for ${last.revocations} revocations (kept until each token's expiry, an hour after issue; pruned on the next revocation after that)`,
  ])
  out('Verdicts:')
  out()
  for (const [ok, text] of verdicts) out(`- ${ok ? 'PASS' : 'FAIL'}: ${text}`)
  const text = lines.join('\n')
  process.stdout.write(`${text}\n`)
  if (flags.out) {
    mkdirSync(dirname(resolve(HERE, flags.out)), { recursive: true })
    writeFileSync(resolve(HERE, flags.out), `${text}\n`)
  }
  if (!verdicts.every(([ok]) => ok)) process.exitCode = 1
}

await main()
