import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS, TEST_FIXTURE } from '../helpers/fixtures.js'
import { findPostgresBin, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { CLI, servingUrl } from '../helpers/cli-process.js'

/**
 * The outage drill of issue 4: a real `waymark serve` on a private PostgreSQL cluster, under load from a
 * few concurrent clients, while PostgreSQL is stopped and started again, then frozen and thawed. The
 * same server process must answer only 503 (with Retry-After) while the database is away, never slower
 * than a few seconds, never 500, never crash, and correct answers again once it is back; its log must
 * not call any of this unexpected.
 */

const READER = { clientId: 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5c1', clientSecret: 'mdb_sa_sk_outage-drill-0001' }
const FIXTURE = {
  ...TEST_FIXTURE,
  serviceAccounts: [
    { ...READER, secretExpiresAt: '2099-01-01T00:00:00Z', orgId: IDS.orgA, name: 'drill', roles: [{ groupId: IDS.projectA, roleName: 'GROUP_READ_ONLY' }] },
  ],
}
const LIST = `/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints?itemsPerPage=5`
const ONE = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.sccc}/checkpoints/${IDS.scccCheckpoint1}`
/** Turns the admin API on, so that its answer during the outage is checked too. */
const ADMIN_TOKEN = 'outage-drill-admin-token'

/** How long one request may take while the database is stopped, and while it hangs. */
const STOPPED_LIMIT_MS = 5_000
const FROZEN_LIMIT_MS = 6_000

interface Answer {
  readonly client: string
  readonly url: string
  readonly started: number
  readonly ended: number
  readonly status: number
  readonly retryAfter: string | null
  readonly challenge: string | null
  readonly body: string
  readonly failure?: string
}

const found = findPostgresBin()

if ('missing' in found) {
  const message = `PostgreSQL server binaries are not installed (${found.missing}); the outage drill needs initdb and pg_ctl`
  if (process.env['CI'] === 'true') {
    test('PostgreSQL outage drill: initdb is installed', () => assert.fail(`${message}; CI must run it, so this fails instead of skipping`))
  } else {
    test('PostgreSQL outage drill', { skip: message }, () => undefined)
  }
} else {
  let cluster: PrivatePostgres | undefined
  let server: ChildProcessWithoutNullStreams | undefined
  let dir: string | undefined
  /** The load clients run while this is true (false also when the test failed half-way). */
  let running = true
  after(async () => {
    running = false
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    await cluster?.destroy()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('PostgreSQL stopped, restarted, frozen and thawed under load: only 503s while away, recovery without a restart', { timeout: 90_000 }, async (t) => {
    cluster = await startPrivatePostgres(found.bin)
    dir = await mkdtemp(join(tmpdir(), 'waymark-outage-'))
    const fixtureFile = join(dir, 'fixture.json')
    await writeFile(fixtureFile, JSON.stringify(FIXTURE))

    const logLines: string[] = []
    server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', cluster.url, '--demo', '--fixtures', fixtureFile, '--log-level', 'info', '--no-rate-limit', '--admin-token', ADMIN_TOKEN])
    let pending = ''
    server.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      logLines.push(...lines.filter((line) => line.trim() !== ''))
    })
    const proc = server
    const base = await servingUrl(proc)
    const exits: Array<number | null> = []
    proc.on('exit', (code) => exits.push(code))

    const tokenAnswer = await fetch(`${base}/api/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${READER.clientId}:${READER.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
    assert.equal(tokenAnswer.status, 200)
    const token = ((await tokenAnswer.json()) as { access_token: string }).access_token

    const answers: Answer[] = []
    const send = async (client: string, url: string, headers: Record<string, string>): Promise<Answer> => {
      const started = performance.now()
      try {
        const res = await fetch(`${base}${url}`, { headers, signal: AbortSignal.timeout(20_000) })
        const body = await res.text()
        const retryAfter = res.headers.get('retry-after')
        const challenge = res.headers.get('www-authenticate')
        return { client, url, started, ended: performance.now(), status: res.status, retryAfter, challenge, body }
      } catch (error) {
        return { client, url, started, ended: performance.now(), status: 0, retryAfter: null, challenge: null, body: '', failure: String(error) }
      }
    }
    /** A Digest client as python-requests is one: one challenge, then the same nonce with a growing nc. */
    const digestClient = async (name: string, url: string): Promise<void> => {
      const accept: Record<string, string> = url.startsWith('/api/atlas/v2/') ? { accept: ATLAS_V2_ACCEPT } : {}
      let nonce: string | undefined
      let nc = 0
      while (running) {
        if (nonce === undefined) {
          const challenge = await send(`${name} (challenge)`, url, accept)
          if (challenge.status !== 401 || challenge.challenge === null) {
            answers.push(challenge)
            await new Promise((resolve) => setTimeout(resolve, 25))
            continue
          }
          nonce = parseChallenge(challenge.challenge).nonce
          nc = 0
        }
        nc += 1
        const authorization = digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: url, nonce, nc })
        const answer = await send(name, url, { ...accept, authorization })
        answers.push(answer)
        if (answer.status === 401) nonce = undefined
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }
    const bearerClient = async (name: string, url: string): Promise<void> => {
      while (running) {
        answers.push(await send(name, url, { authorization: `Bearer ${token}` }))
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }
    const readiness: Array<{ at: number; status: number }> = []
    const ready = async (): Promise<number> => {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })
      await res.text()
      readiness.push({ at: performance.now(), status: res.status })
      return res.status
    }
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
    /** Waits until an answer of every client that started after `since` was 200, for at most `withinMs`. */
    const firstSuccessAfter = async (since: number, withinMs: number): Promise<number> => {
      const deadline = performance.now() + withinMs
      for (;;) {
        const ok = answers.find((a) => a.started >= since && a.status === 200)
        if (ok) return ok.ended
        if (performance.now() > deadline) assert.fail(`no 200 within ${withinMs} ms after the database came back`)
        await sleep(50)
      }
    }

    // Up: everything answers.
    assert.equal(await ready(), 200)
    const clients = [
      digestClient('digest-list-1', LIST),
      digestClient('digest-list-2', LIST),
      digestClient('digest-one', ONE),
      bearerClient('bearer-one', ONE),
    ]
    await sleep(1_500)

    // Stopped (immediate shutdown: every connection dropped at once).
    const stopBegan = performance.now()
    await cluster.stop('immediate')
    const stopped = performance.now()
    await sleep(1_000)
    assert.equal(await ready(), 503)
    // The admin API answers the same 503 while the database is away.
    const adminAnswer = await fetch(`${base}/_admin/v1/orgs`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    assert.equal(adminAnswer.status, 503)
    assert.equal(adminAnswer.headers.get('retry-after'), '5')
    assert.equal(((await adminAnswer.json()) as { errorCode: string }).errorCode, 'SERVICE_UNAVAILABLE')
    await sleep(3_000)
    const startBegan = performance.now()
    await cluster.start()
    const started = performance.now()
    const recoveredAt = await firstSuccessAfter(started, 10_000)
    await sleep(2_000)
    assert.equal(await ready(), 200)

    // Frozen: the server keeps its sockets open and answers nothing.
    const freezeBegan = performance.now()
    await cluster.freeze()
    const frozenAt = performance.now()
    await sleep(1_000)
    assert.equal(await ready(), 503)
    await sleep(4_000)
    const thawBegan = performance.now()
    await cluster.thaw()
    const thawRecoveredAt = await firstSuccessAfter(thawBegan, 10_000)
    await sleep(2_000)
    assert.equal(await ready(), 200)

    running = false
    await Promise.all(clients)

    // What the clients saw.
    const during = (from: number, to: number): Answer[] => answers.filter((a) => a.started >= from && a.ended <= to)
    const failures = answers.filter((a) => a.failure !== undefined)
    assert.deepEqual(failures.map((a) => `${a.client}: ${a.failure}`), [], 'every request got an HTTP answer')
    const statuses = [...new Set(answers.map((a) => a.status))].sort()
    assert.deepEqual(statuses, [200, 503], `statuses seen: ${statuses.join(', ')}`)
    for (const a of answers) {
      if (a.status === 503) {
        assert.equal(a.retryAfter, '5')
        assert.equal(JSON.parse(a.body).errorCode, 'SERVICE_UNAVAILABLE')
      } else if (a.url === LIST) {
        const body = JSON.parse(a.body)
        assert.equal(body.totalCount, 2)
        assert.deepEqual(body.results.map((c: { id: string }) => c.id), [IDS.scccCheckpoint2, IDS.scccCheckpoint1])
      } else {
        assert.equal(JSON.parse(a.body).id, IDS.scccCheckpoint1)
      }
    }
    const whileStopped = during(stopped, startBegan)
    assert.ok(whileStopped.length >= 20, `${whileStopped.length} requests while stopped`)
    assert.deepEqual(whileStopped.filter((a) => a.status !== 503), [], 'only 503 while stopped')
    const whileFrozen = during(freezeBegan + FROZEN_LIMIT_MS, thawBegan)
    assert.deepEqual(whileFrozen.filter((a) => a.status !== 503), [], 'only 503 while frozen')
    const slowStopped = answers.filter((a) => a.ended > stopBegan && a.started < recoveredAt && a.ended - a.started > STOPPED_LIMIT_MS)
    assert.deepEqual(slowStopped, [], `no request slower than ${STOPPED_LIMIT_MS} ms around the stop`)
    const slowFrozen = answers.filter((a) => a.ended > freezeBegan && a.ended - a.started > FROZEN_LIMIT_MS)
    assert.deepEqual(slowFrozen, [], `no request slower than ${FROZEN_LIMIT_MS} ms around the freeze`)
    // A Bearer GET may be answered from the server's cache just after the freeze (nothing can change on a
    // frozen database), but never from a cache older than its 1 s maximum age: a 200 answered while still
    // frozen (so from the cache, not by the database after the thaw) that started later
    // than that after the freeze would be a cache trusted past its bounds (POSTGRES_CACHE_TTL_MS, and the
    // listener's heartbeat of 1 s + 1 s). 0.5 s of slack for a loaded machine.
    const cachedWhileFrozen = answers.filter((a) => a.status === 200 && a.started > frozenAt && a.ended < thawBegan)
    assert.deepEqual(cachedWhileFrozen.filter((a) => a.started > frozenAt + 1_500), [], 'no cached answer past the maximum age while frozen')
    const afterRecovery = answers.filter((a) => (a.started >= recoveredAt + 500 && a.ended <= freezeBegan) || a.started >= thawRecoveredAt + 500)
    assert.ok(afterRecovery.length >= 20, `${afterRecovery.length} requests after recovery`)
    assert.deepEqual(afterRecovery.filter((a) => a.status !== 200), [], 'only 200 once the database is back')
    assert.deepEqual(readiness.map((r) => r.status), [200, 503, 200, 503, 200])

    // The same process served it all, and never called it unexpected.
    assert.deepEqual(exits, [], 'the server did not exit')
    const entries = logLines.map((line) => JSON.parse(line) as { level: number; msg: string })
    assert.deepEqual(entries.filter((e) => e.level >= 50 || /unexpected/i.test(e.msg)), [], 'nothing logged as an error')
    assert.ok(entries.some((e) => e.level === 40 && e.msg === 'store unavailable'))

    // Figures for docs/deployment.md.
    const ms = (values: number[]): string => {
      const sorted = [...values].sort((a, b) => a - b)
      const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
      return `n=${sorted.length} median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`
    }
    const durations = (list: Answer[]): number[] => list.map((a) => a.ended - a.started)
    t.diagnostic(`stopped: pg_ctl stop -m immediate took ${Math.round(stopped - stopBegan)} ms; 503s while stopped: ${ms(durations(whileStopped))}`)
    t.diagnostic(`restart: pg_ctl start took ${Math.round(started - startBegan)} ms; first 200 ${Math.round(recoveredAt - started)} ms after it returned`)
    const frozen503 = answers.filter((a) => a.status === 503 && a.ended > freezeBegan)
    t.diagnostic(`frozen: 503s ${ms(durations(frozen503))}; first 200 ${Math.round(thawRecoveredAt - thawBegan)} ms after SIGCONT`)
    const lastCached = Math.max(0, ...cachedWhileFrozen.map((a) => a.started - frozenAt))
    t.diagnostic(`frozen: ${cachedWhileFrozen.length} answered 200 from the cache, the last started ${Math.round(lastCached)} ms after the freeze`)
    const up = answers.filter((a) => a.ended < stopBegan || (a.started >= recoveredAt && a.ended < freezeBegan) || a.started >= thawRecoveredAt)
    t.diagnostic(`up: ${ms(durations(up))}; ${answers.length} requests in all, ${answers.filter((a) => a.status === 503).length} answered 503`)

    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve))
    proc.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
}
