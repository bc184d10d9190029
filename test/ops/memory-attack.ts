import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { digestAuthorization, parseChallenge, type Credentials } from '../helpers/digest-client.js'

/** The resident memory of a process, in MiB (`VmRSS` of /proc/PID/status). */
export function residentMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`)
  return Number(match[1]) / 1024
}

/** One answer, read to its end (only its length and its first 64 KiB are kept). */
export interface Answer {
  readonly status: number
  readonly bytes: number
  readonly head: string
  readonly wwwAuthenticate: string | undefined
}

/**
 * A Digest client of one key over keep-alive connections: one challenge, then the same nonce with nc
 * counting up, as Python requests or digest-fetch do. Any Host header may be sent.
 */
export class DigestCaller {
  readonly #agent: Agent
  #nonce: string | undefined
  #nc = 0

  constructor(
    private readonly url: string,
    private readonly credentials: Credentials,
    connections: number,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections })
  }

  async get(target: string, host?: string, accept?: string): Promise<Answer> {
    if (this.#nonce === undefined) {
      const challenge = await this.#send(target, host, undefined, accept)
      this.#nonce = parseChallenge(challenge.wwwAuthenticate ?? '').nonce
    }
    const authorization = digestAuthorization({ credentials: this.credentials, method: 'GET', uri: target, nonce: this.#nonce, nc: ++this.#nc })
    return this.#send(target, host, authorization, accept)
  }

  close(): void {
    this.#agent.destroy()
  }

  #send(target: string, host: string | undefined, authorization: string | undefined, accept: string | undefined): Promise<Answer> {
    const { hostname, port } = new URL(this.url)
    const headers: Record<string, string> = {}
    if (accept !== undefined) headers['accept'] = accept
    if (host !== undefined) headers['host'] = host
    if (authorization !== undefined) headers['authorization'] = authorization
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, path: target, headers, agent: this.#agent }, (res) => {
        let bytes = 0
        let head = ''
        res.on('data', (chunk: Buffer) => {
          if (bytes < 65_536) head += chunk.subarray(0, 65_536 - bytes).toString('latin1')
          bytes += chunk.length
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head, wwwAuthenticate: res.headers['www-authenticate'] }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
  }
}

/** One request of an attack: its target, and the Host and Accept it is sent with (Node's own Host when absent). */
export interface AttackCall {
  readonly target: string
  readonly host?: string
  readonly accept?: string
}

export interface AttackReport {
  readonly requests: number
  readonly bytesAnswered: number
  readonly peakMiB: number
  readonly startMiB: number
  readonly seconds: number
  /** Set when the attack stopped early: the process exited, or its memory passed the ceiling. */
  readonly stoppedBecause?: string
}

/**
 * Sends `targets` (each with its Host, if any) with `concurrency` requests in flight, sampling the
 * server's resident memory every 50 ms; stops early when it passes `ceilingMiB` (so that a server
 * without bounds fails the test fast instead of exhausting the machine) or a request fails.
 */
export async function runAttack(
  pid: number,
  caller: DigestCaller,
  calls: readonly AttackCall[],
  options: { readonly concurrency: number; readonly ceilingMiB: number },
): Promise<AttackReport> {
  const started = performance.now()
  const startMiB = residentMiB(pid)
  let peakMiB = startMiB
  let stoppedBecause: string | undefined
  const sample = (): void => {
    try {
      peakMiB = Math.max(peakMiB, residentMiB(pid))
    } catch {
      stoppedBecause ??= 'the process exited'
    }
    if (peakMiB > options.ceilingMiB) stoppedBecause ??= `resident memory ${peakMiB.toFixed(0)} MiB passed ${options.ceilingMiB} MiB`
  }
  const sampler = setInterval(sample, 50)
  let next = 0
  let requests = 0
  let bytesAnswered = 0
  const worker = async (): Promise<void> => {
    while (stoppedBecause === undefined && next < calls.length) {
      const call = calls[next++]!
      try {
        const answer = await caller.get(call.target, call.host, call.accept)
        requests++
        bytesAnswered += answer.bytes
        if (answer.status !== 200) stoppedBecause ??= `${call.target} answered ${answer.status}`
      } catch (error) {
        stoppedBecause ??= `${call.target}: ${(error as Error).message}`
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker))
  } finally {
    clearInterval(sampler)
  }
  sample()
  const seconds = (performance.now() - started) / 1000
  return { requests, bytesAnswered, peakMiB, startMiB, seconds, ...(stoppedBecause !== undefined ? { stoppedBecause } : {}) }
}
