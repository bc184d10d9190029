import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { CLI } from '../helpers/cli-process.js'

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Everything the process wrote so far: stdout (the JSON log) and stderr. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (null when killed by a signal) and when it came. */
  readonly exited: Promise<{ readonly code: number | null; readonly at: number }>
}

/** Starts `waymark serve --port 0 ARGS…` and waits until it listens. */
export async function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-produce', ...args], { env: { ...process.env, ...env } })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })))
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      const match = /serving on (https?:\/\/\S+)/.exec(err)
      if (match?.[1]) resolve(match[1])
    })
    void exited.then(({ code }) => reject(new Error(`serve exited ${code}: ${err}`)))
  })
  return { child, url, stdout: () => out, stderr: () => err, exited }
}
