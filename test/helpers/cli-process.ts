import { execFile, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/**
 * The CLI as a user runs it: the bundle `npm run build` (and `npm test`) writes to dist/bin/ (package.json
 * `bin`), not the tsc output under dist/src/, so a broken bundle fails the tests that spawn it.
 */
export const CLI = fileURLToPath(new URL('../../bin/waymark.js', import.meta.url))

const execFileAsync = promisify(execFile)

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `waymark ARGS…` to its end with more environment variables (undefined: removed) in `cwd` (default:
 * this process's); never throws for an exit code.
 */
export async function runWaymark(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<RunResult> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env }
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name]
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { env: merged, maxBuffer: 16 << 20, ...(cwd !== undefined ? { cwd } : {}) })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/**
 * The base URL a `waymark serve` child process announces on stderr ("serving on URL"), once it listens;
 * rejects if the process exits first.
 */
export function servingUrl(server: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let err = ''
    server.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const match = /serving on (https?:\/\/\S+)/.exec(err)
      if (match?.[1]) resolve(match[1])
    })
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)))
  })
}

/** Sends SIGTERM and waits for the process to exit. */
export async function stopProcess(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  await exited
}
