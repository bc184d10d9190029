import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * A throw-away PostgreSQL cluster of the test's own (initdb into a temporary directory, its own port and
 * socket directory), so that a test may stop, restart or freeze it without touching the shared server.
 * PostgreSQL refuses to run as root: as root, its tools run as the `postgres` OS user.
 */
export interface PrivatePostgres {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  readonly url: string
  /** `pg_ctl stop`; resolves once the server is down. */
  stop(mode: 'immediate' | 'fast'): Promise<void>
  /** `pg_ctl start`; resolves once it accepts connections. */
  start(): Promise<void>
  /** SIGSTOP the postmaster and all its processes: a server that hangs without closing anything. */
  freeze(): Promise<void>
  /** SIGCONT what {@link freeze} stopped. */
  thaw(): Promise<void>
  /** Stops the server whatever its state and deletes its directory. Safe to call more than once. */
  destroy(): Promise<void>
}

/** The bin directory of the newest PostgreSQL with initdb and pg_ctl, or why there is none. */
export function findPostgresBin(): { readonly bin: string } | { readonly missing: string } {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : []
  versions.sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const bin = join(root, version, 'bin')
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return { bin }
  }
  return { missing: `no initdb and pg_ctl under ${root}/*/bin` }
}

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

/** The uid and gid of the `postgres` OS user, when we are root and must run the tools as it. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
  return { uid, gid }
}

export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const user = await postgresUser()
  const dir = await mkdtemp(join(tmpdir(), 'waymark-pg-'))
  if (user) await chown(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  const log = join(dir, 'server.log')
  const tool = async (name: string, args: string[], timeout = 30_000): Promise<string> => {
    const [file, argv] = user ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args]
    try {
      return (await run(file, argv, { timeout })).stdout
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      const serverLog = await readFile(log, 'utf8').catch(() => '')
      throw new Error(`${name} ${args.join(' ')} failed: ${e.stderr || e.message}\n${serverLog.slice(-2_000)}`)
    }
  }
  let frozen: number[] = []
  let destroyed = false
  const destroy = async (): Promise<void> => {
    if (destroyed) return
    destroyed = true
    await signal(frozen, 'SIGCONT')
    frozen = []
    if (existsSync(join(data, 'postmaster.pid'))) {
      await tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop']).catch(async () => {
        await signal(await clusterProcesses(data), 'SIGKILL')
      })
    }
    await rm(dir, { recursive: true, force: true })
  }

  try {
    await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
    const port = await freePort()
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
    const start = async (): Promise<void> => {
      await tool('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '20', 'start'])
    }
    await start()
    return {
      port,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      start,
      stop: async (mode) => {
        await tool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '20', 'stop'])
      },
      freeze: async () => {
        frozen = await clusterProcesses(data)
        await signal(frozen, 'SIGSTOP')
      },
      thaw: async () => {
        await signal(frozen, 'SIGCONT')
        frozen = []
      },
      destroy,
    }
  } catch (error) {
    await destroy()
    throw error
  }
}

/** The postmaster of the cluster in `data` (first line of postmaster.pid) and its child processes. */
async function clusterProcesses(data: string): Promise<number[]> {
  const pidFile = await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')
  const postmaster = Number(pidFile.split('\n')[0])
  if (!Number.isInteger(postmaster) || postmaster <= 0) return []
  const children = await run('pgrep', ['-P', String(postmaster)]).then(
    ({ stdout }) => stdout.split('\n').filter((line) => line.trim() !== '').map(Number),
    () => [] as number[],
  )
  return [postmaster, ...children]
}

async function signal(pids: readonly number[], name: NodeJS.Signals): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, name)
    } catch {
      // already gone
    }
  }
}
