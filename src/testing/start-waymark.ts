import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WaymarkAdmin } from './admin-client.js'

/**
 * `startWaymark`: a Waymark server for a test suite, started as its own process (`waymark serve
 * --port 0 --ready-file …`) and stopped with SIGTERM. Its admin API is on, with a token made for it.
 */

export interface StartWaymarkOptions {
  /** Load the demo data set (as of the clock). Default: true unless `fixtures` are given. */
  readonly demo?: boolean
  /** Fixture documents to load at start (docs/fixtures.md): file paths, or documents as objects. */
  readonly fixtures?: ReadonlyArray<string | object>
  /** Where the server's clock starts (`--clock`): ISO 8601, or relative to now (`-30d`). Default: now. */
  readonly clock?: string | Date
  /** Start the clock frozen (`--freeze-clock`); the admin client moves it. */
  readonly frozen?: boolean
  /** The seed of every checkpoint made (`--seed`). */
  readonly seed?: number
  /**
   * The storage engine: `memory` (SQLite in memory, the default), `sqlite` (a SQLite file in a temporary
   * directory, removed by `stop`), or a store URL (`postgres://…?schema=NAME`, `sqlite:PATH`).
   */
  readonly store?: 'memory' | 'sqlite' | string
  /** Run the checkpoint producer (`--produce`). Default: true. */
  readonly produce?: boolean
  /** The admin token; one is made up when left out. */
  readonly adminToken?: string
  /** More `waymark serve` flags. */
  readonly args?: readonly string[]
  /** More environment variables for the server. */
  readonly env?: Readonly<Record<string, string>>
  /** The CLI to run (`…/dist/bin/waymark.js`); this package's by default. */
  readonly bin?: string
  /** `warn` by default; the server's log lines go to this process's stdout only with `output: 'inherit'`. */
  readonly logLevel?: string
  readonly output?: 'ignore' | 'inherit'
  /** How long to wait for the ready file. Default 20 s. */
  readonly startTimeoutMs?: number
}

export interface RunningWaymark {
  /** The API's base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string
  /** The admin API's base URL. */
  readonly adminUrl: string
  readonly adminToken: string
  /** The server process. */
  readonly pid: number
  readonly admin: WaymarkAdmin
  /** SIGTERM, then waits for the process to end (SIGKILL after 10 s) and removes its temporary files. */
  stop(): Promise<void>
}

const STDERR_TAIL = 64 * 1024

export async function startWaymark(options: StartWaymarkOptions = {}): Promise<RunningWaymark> {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-test-'))
  try {
    const readyFile = join(dir, 'ready.json')
    const args = ['serve', '--port', '0', '--ready-file', readyFile, '--log-level', options.logLevel ?? 'warn', '--store', storeUrl(options.store, dir)]
    const fixtures = options.fixtures ?? []
    if (options.demo ?? fixtures.length === 0) args.push('--demo')
    for (const [i, fixture] of fixtures.entries()) {
      if (typeof fixture === 'string') {
        args.push('--fixtures', fixture)
      } else {
        const file = join(dir, `fixture-${i}.json`)
        await writeFile(file, JSON.stringify(fixture))
        args.push('--fixtures', file)
      }
    }
    if (options.clock !== undefined) args.push('--clock', options.clock instanceof Date ? options.clock.toISOString() : options.clock)
    if (options.frozen === true) args.push('--freeze-clock')
    if (options.seed !== undefined) args.push('--seed', String(options.seed))
    args.push(options.produce === false ? '--no-produce' : '--produce', ...(options.args ?? []))
    const adminToken = options.adminToken ?? `waymark-test-${randomBytes(12).toString('hex')}`
    // The token goes by the environment, not a flag: flags show in process lists.
    const child = spawn(process.execPath, [options.bin ?? packageCli(), ...args], {
      env: { ...process.env, ...options.env, WAYMARK_ADMIN_TOKEN: adminToken },
      stdio: ['ignore', options.output ?? 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const ready = await waitForReadyFile(readyFile, child, options.startTimeoutMs ?? 20_000, () => stderr).catch(async (error: unknown) => {
      await stopChild(child, exited)
      throw error
    })
    return {
      url: ready.url,
      adminUrl: ready.adminUrl,
      adminToken,
      pid: ready.pid,
      admin: new WaymarkAdmin(ready.adminUrl, adminToken),
      stop: async () => {
        await stopChild(child, exited)
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

function storeUrl(store: StartWaymarkOptions['store'], dir: string): string {
  if (store === undefined || store === 'memory') return 'sqlite::memory:'
  if (store === 'sqlite') return `sqlite:${join(dir, 'waymark.sqlite')}`
  return store
}

interface Ready {
  readonly url: string
  readonly adminUrl: string
  readonly pid: number
}

/** Polls for the ready file (written atomically: it is whole once it exists); fails if the server exits first. */
async function waitForReadyFile(path: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<Ready> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`waymark serve exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr()}`)
    }
    const text = await readFile(path, 'utf8').catch(() => undefined)
    if (text !== undefined) return JSON.parse(text) as Ready
    if (Date.now() > until) throw new Error(`waymark serve was not ready within ${timeoutMs} ms:\n${stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/**
 * This package's CLI: the `bin` of the nearest package.json named `waymark` above this module (the
 * installed package, or a clone, from its bundle or its compiled sources alike).
 */
function packageCli(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; bin?: Record<string, string> }
      const bin = parsed.bin?.['waymark']
      if (parsed.name === 'waymark' && bin !== undefined) return join(dir, bin)
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('startWaymark: no waymark package.json above this module; pass options.bin')
    dir = parent
  }
}
