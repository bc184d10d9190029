import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** One HTTP/1.1 answer read off a raw socket. */
export interface WireResponse {
  readonly status: number
  readonly reason: string
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Whether the server closed the connection after answering (within the wait). */
  readonly closed: boolean
}

/** What came back: an answer, a connection closed without one, or nothing before the timeout. */
export type WireOutcome =
  | { readonly kind: 'response'; readonly response: WireResponse }
  | { readonly kind: 'closed'; readonly received: string }
  | { readonly kind: 'timeout'; readonly received: string }

export interface ExchangeOptions {
  /** Give up (and destroy the socket) after this long; default 5 s. */
  readonly timeoutMs?: number
  /** A HEAD request: the answer has no body whatever its Content-Length says. */
  readonly head?: boolean
  /** Send the bytes in chunks of this size, `delayMs` apart (a slow client). */
  readonly trickle?: { readonly chunkBytes: number; readonly delayMs: number }
  /** Half-close the connection after writing (a client that stops mid-request). */
  readonly endAfterWrite?: boolean
  /** After a complete answer, wait this long to see whether the server closes the connection. */
  readonly waitForCloseMs?: number
}

interface Head {
  readonly status: number
  readonly reason: string
  readonly headers: Record<string, string>
  readonly bodyStart: number
}

function parseHead(data: Buffer): Head | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const lines = data.subarray(0, end).toString('latin1').split('\r\n')
  const statusLine = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '')
  if (!statusLine) throw new Error(`not an HTTP status line: ${JSON.stringify(lines[0])}`)
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`bad response header line: ${JSON.stringify(line)}`)
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return { status: Number(statusLine[1]), reason: statusLine[2] ?? '', headers, bodyStart: end + 4 }
}

/** Leading interim (1xx but 101) answers removed: `100 Continue` comes before the real answer. */
function dropInterim(data: Buffer): Buffer {
  let rest = data
  for (;;) {
    const head = parseHead(rest)
    if (!head || head.status < 100 || head.status > 199 || head.status === 101) return rest
    rest = rest.subarray(head.bodyStart)
  }
}

/** The head of the first final answer in `data` (interim answers skipped), with offsets into `data`. */
function skipInterim(data: Buffer): Head | undefined {
  const rest = dropInterim(data)
  const head = parseHead(rest)
  return head && { ...head, bodyStart: head.bodyStart + (data.length - rest.length) }
}

/** The body's bytes once they are all there, or undefined while more are due. */
function completeBody(data: Buffer, head: Head, isHead: boolean, closed: boolean): Buffer | undefined {
  const rest = data.subarray(head.bodyStart)
  if (isHead || head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) return Buffer.alloc(0)
  const length = head.headers['content-length']
  if (length !== undefined) {
    const n = Number(length)
    return rest.length >= n ? rest.subarray(0, n) : undefined
  }
  if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = []
    let at = 0
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at)
      if (lineEnd === -1) return undefined
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16)
      if (!Number.isFinite(size)) throw new Error('bad chunk size in a response')
      if (size === 0) return rest.length >= lineEnd + 4 ? Buffer.concat(chunks) : undefined
      if (rest.length < lineEnd + 2 + size + 2) return undefined
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
    }
  }
  return closed ? rest : undefined
}

/**
 * Sends raw bytes to 127.0.0.1:port and reads one HTTP answer. Nothing is checked or fixed on the way
 * out: malformed request lines, odd bytes in headers and oversized requests go as they are.
 */
export function exchange(port: number, request: string | Buffer, options: ExchangeOptions = {}): Promise<WireOutcome> {
  const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request
  const timeoutMs = options.timeoutMs ?? 5_000
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data: Buffer = Buffer.alloc(0)
    let settled = false
    let answered: WireResponse | undefined
    let closeWait: NodeJS.Timeout | undefined
    const finish = (outcome: WireOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(closeWait)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => {
      if (answered) finish({ kind: 'response', response: answered })
      else finish({ kind: 'timeout', received: data.toString('latin1') })
    }, timeoutMs)
    const check = (closed: boolean): void => {
      if (answered) {
        if (closed) finish({ kind: 'response', response: { ...answered, closed: true } })
        return
      }
      let head: Head | undefined
      try {
        head = skipInterim(data)
      } catch {
        if (closed) finish({ kind: 'closed', received: data.toString('latin1') })
        return
      }
      if (!head) {
        if (closed) finish({ kind: 'closed', received: data.toString('latin1') })
        return
      }
      const body = completeBody(data, head, options.head === true, closed)
      if (body === undefined) {
        if (closed) finish({ kind: 'closed', received: data.toString('latin1') })
        return
      }
      answered = { status: head.status, reason: head.reason, headers: head.headers, body: body.toString('utf8'), closed }
      if (closed || !options.waitForCloseMs) finish({ kind: 'response', response: answered })
      else closeWait = setTimeout(() => finish({ kind: 'response', response: answered as WireResponse }), options.waitForCloseMs)
    }
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      check(false)
    })
    socket.on('end', () => check(true))
    socket.on('close', () => check(true))
    socket.on('error', () => check(true))
    socket.on('connect', () => {
      void (async () => {
        try {
          if (options.trickle) {
            const { chunkBytes, delayMs } = options.trickle
            for (let at = 0; at < bytes.length && !settled; at += chunkBytes) {
              socket.write(bytes.subarray(at, at + chunkBytes))
              await sleep(delayMs)
            }
          } else {
            socket.write(bytes)
          }
          if (options.endAfterWrite && !settled) socket.end()
        } catch {
          // The server may close first (e.g. after a 431); what it answered is what counts.
        }
      })()
    })
  })
}

/**
 * Sends raw bytes (several requests, pipelined) over one connection and reads successive answers until
 * `heads.length` are complete, the server closes, or the timeout. `heads[i]` says whether answer i
 * answers a HEAD (no body).
 */
export function exchangeMany(
  port: number,
  request: string | Buffer,
  heads: readonly boolean[],
  timeoutMs = 5_000,
): Promise<{ readonly responses: readonly WireResponse[]; readonly closed: boolean; readonly rest: string }> {
  const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data: Buffer = Buffer.alloc(0)
    const responses: WireResponse[] = []
    let settled = false
    const finish = (closed: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ responses, closed, rest: data.toString('latin1') })
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    const drain = (closed: boolean): void => {
      for (;;) {
        if (responses.length >= heads.length) return finish(closed)
        let head: Head | undefined
        try {
          data = dropInterim(data)
          head = parseHead(data)
        } catch {
          return finish(closed)
        }
        if (!head) return closed ? finish(true) : undefined
        const body = completeBody(data, head, heads[responses.length] === true, closed)
        if (body === undefined) return closed ? finish(true) : undefined
        responses.push({ status: head.status, reason: head.reason, headers: head.headers, body: body.toString('utf8'), closed })
        data = data.subarray(head.bodyStart + body.length)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      drain(false)
    })
    socket.on('end', () => drain(true))
    socket.on('close', () => drain(true))
    socket.on('error', () => drain(true))
    socket.on('connect', () => socket.write(bytes))
  })
}

export interface RequestSpec {
  readonly method: string
  /** The request target exactly as it goes on the request line. */
  readonly target: string
  /** Header lines in order, sent as UTF-8 bytes. */
  readonly headers: readonly (readonly [string, string])[]
  readonly body?: string
}

/** The bytes of a request: request line, the headers as given (plus Host and Connection: close), body. */
export function requestBytes(spec: RequestSpec): Buffer {
  const lines = [`${spec.method} ${spec.target} HTTP/1.1`]
  const names = new Set(spec.headers.map(([name]) => name.toLowerCase()))
  if (!names.has('host')) lines.push('Host: 127.0.0.1')
  for (const [name, value] of spec.headers) lines.push(`${name}: ${value}`)
  if (spec.body !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) {
    lines.push(`Content-Length: ${Buffer.byteLength(spec.body, 'utf8')}`)
  }
  if (!names.has('connection')) lines.push('Connection: close')
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8')
  return spec.body === undefined ? head : Buffer.concat([head, Buffer.from(spec.body, 'utf8')])
}

/** A short, printable description of a request for failure messages (long parts elided). */
export function describeRequest(spec: RequestSpec): string {
  const clip = (text: string): string => (text.length > 300 ? `${text.slice(0, 200)}…(${text.length} chars)…${text.slice(-60)}` : text)
  const headers = spec.headers.map(([name, value]) => `${name}: ${clip(value)}`).join('\n  ')
  return `${spec.method} ${clip(spec.target)}\n  ${headers}${spec.body === undefined ? '' : `\n  body: ${clip(JSON.stringify(spec.body))}`}`
}
