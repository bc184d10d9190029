import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The haproxy of the machine (Debian's package), or why there is none. */
export async function findHaproxy(): Promise<{ readonly version: string } | { readonly missing: string }> {
  try {
    const { stdout } = await run('haproxy', ['-v'])
    return { version: stdout.split('\n')[0] ?? '' }
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * What stands for a suite that needs haproxy when there is none: under CI=true a failing test (.ci/run
 * installs it), otherwise a skipped one saying how to get it.
 */
export function reportNoHaproxy(name: string, why: string, ci = process.env['CI'] === 'true'): void {
  const message = `haproxy is not installed (${why})`
  if (ci) {
    test(`haproxy is installed for ${name}`, () => assert.fail(`${message}; CI must run this test (.ci/run installs it)`))
  } else {
    test(name, { skip: `${message}; install it with: apt-get update && apt-get install -y haproxy` }, () => undefined)
  }
}

/** A TCP port nothing listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

/** The haproxy.cfg block of docs/deployment.md, as documented. */
export async function documentedHaproxyConfig(): Promise<string> {
  const text = await readFile(new URL('../../../docs/deployment.md', import.meta.url), 'utf8')
  const block = /```haproxy\n([\s\S]*?)```/.exec(text)?.[1]
  assert.ok(block, 'docs/deployment.md has a haproxy configuration block')
  return block
}

export interface Haproxy {
  /** Rows of the stats CSV: one per frontend, backend and server, each a column → value map. */
  stats(): Promise<ReadonlyArray<Readonly<Record<string, string>>>>
  /** Resolves once every server of every proxy is UP. */
  allUp(timeoutMs: number): Promise<void>
  /** The 4xx responses a proxy (a `listen` section, as a frontend) has answered so far. */
  responses4xx(proxy: string): Promise<number>
  output(): string
  stop(): Promise<void>
}

/**
 * Runs haproxy in the foreground (`-db`) on `config` plus a stats listener of its own on 127.0.0.1, never
 * as the system service; resolves once it listens.
 */
export async function startHaproxy(config: string): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-haproxy-'))
  const statsPort = await freePort()
  const file = join(dir, 'haproxy.cfg')
  await writeFile(file, `${config}\nlisten stats\n    bind 127.0.0.1:${statsPort}\n    stats enable\n    stats uri /stats\n`)
  await run('haproxy', ['-c', '-q', '-f', file]).catch((error: { stderr?: string }) => {
    throw new Error(`haproxy refuses the configuration: ${error.stderr}\n${config}`)
  })
  const child: ChildProcessWithoutNullStreams = spawn('haproxy', ['-db', '-f', file])
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stats = async (): Promise<Array<Record<string, string>>> => {
    const text = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text()
    const [head, ...lines] = text.trim().split('\n')
    const columns = (head ?? '').replace(/^# /, '').split(',')
    return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i] ?? String(i), value])))
  }
  const deadline = performance.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${out}`)
    if (await stats().then(() => true, () => false)) break
    if (performance.now() > deadline) throw new Error(`haproxy did not start: ${out}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    stats,
    async allUp(timeoutMs) {
      const until = performance.now() + timeoutMs
      for (;;) {
        const servers = (await stats()).filter((row) => row['svname'] !== 'FRONTEND' && row['svname'] !== 'BACKEND' && row['pxname'] !== 'stats')
        if (servers.length > 0 && servers.every((row) => row['status'] === 'UP')) return
        if (performance.now() > until) throw new Error(`not every server is UP: ${servers.map((row) => `${row['pxname']}/${row['svname']} ${row['status']}`).join(', ')}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async responses4xx(proxy) {
      const row = (await stats()).find((r) => r['pxname'] === proxy && r['svname'] === 'FRONTEND')
      assert.ok(row, `no frontend ${proxy} in the stats`)
      return Number(row['hrsp_4xx'])
    },
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}
