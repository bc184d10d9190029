import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built CLI, as a user runs it. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

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
