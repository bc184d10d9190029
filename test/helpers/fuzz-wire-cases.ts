import { answered, apiErrorProblems } from './fuzz-oracle.js'
import type { Rng } from './fuzz-prng.js'
import { FUZZ_ADMIN_TOKEN, type CaseResult, type FuzzServer } from './fuzz-server.js'
import { IDS } from './fixtures.js'
import { exchangeMany, type RequestSpec } from './fuzz-wire.js'

/**
 * Requests broken below HTTP semantics: oversized request lines and headers, request lines and
 * headers Node's parser refuses, bad framing (Content-Length, chunked), requests cut off or trickled.
 * Node refuses these before any route; src/http/client-errors.ts answers them in the API's error
 * format and closes the connection. No side effects on import.
 */

/** Node's limit on the request line plus headers. */
const LIMIT = 16_384

const TARGETS = [
  `/api/atlas/v2/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints`,
  `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`,
  `/api/atlas/v1.0/groups/${IDS.projectA}/clusters/Cluster0/backupCheckpoints/5a0a4c9e0000000000000001`,
  '/api/oauth/token',
  '/_admin/v1/orgs',
  '/healthz',
  '/nowhere',
]

function pad(rng: Rng, bytes: number): string {
  return rng.string('abcdefghijklmnopqrstuvwxyz0123456789', bytes)
}

/** An oversized request: the request line plus headers well past 16 KiB, in one of several ways. */
function oversized(rng: Rng): { bytes: string; label: string } {
  const target = rng.pick(TARGETS)
  const extra = LIMIT + rng.int(1_024, 48_000)
  const method = rng.pick(['GET', 'POST', 'HEAD', 'DELETE'])
  switch (rng.int(0, 4)) {
    case 0:
      return { bytes: `${method} ${target}/${pad(rng, extra)} HTTP/1.1\r\nHost: x\r\n\r\n`, label: `${extra}-byte path` }
    case 1:
      return { bytes: `${method} ${target}?q=${pad(rng, extra)} HTTP/1.1\r\nHost: x\r\n\r\n`, label: `${extra}-byte query` }
    case 2:
      return { bytes: `${method} ${target} HTTP/1.1\r\nHost: x\r\nX-Big: ${pad(rng, extra)}\r\n\r\n`, label: `${extra}-byte header` }
    case 3: {
      // Node counts the bytes of names and values, not the separators.
      const count = Math.ceil(extra / 12)
      const headers = Array.from({ length: count }, (_, i) => `X-H${i}: ${pad(rng, 12)}`).join('\r\n')
      return { bytes: `${method} ${target} HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`, label: `${count} headers` }
    }
    default:
      return {
        bytes: `${method} ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: ${rng.pick(['Digest username="', 'Bearer ', `Bearer ${FUZZ_ADMIN_TOKEN}`])}${pad(rng, extra)}\r\n\r\n`,
        label: `${extra}-byte Authorization`,
      }
  }
}

/**
 * A request Node's HTTP parser refuses (400), one broken thing at a time. `strict` cases must be refused
 * with MALFORMED_REQUEST; the others Node may read leniently (a request line without a version is
 * HTTP/0.9), and then a route answers. A second Host header is refused by Waymark itself (RFC 9112 §3.2).
 */
function malformed(rng: Rng): { bytes: string; label: string; strict?: boolean } {
  const target = rng.pick(TARGETS)
  const good = (method = 'GET', headers = 'Host: x\r\n'): string => `${method} ${target} HTTP/1.1\r\n${headers}\r\n`
  const cases: (() => { bytes: string; label: string; strict?: boolean })[] = [
    () => ({ bytes: good(rng.pick(['FOO', 'get', 'Get', 'G3T', 'GET\t', '', 'GETT', 'HTTP/1.1'])), label: 'invalid method', strict: true }),
    () => ({ bytes: `GET ${target} ${rng.pick(['HTTP/9.9', 'HTTP/1', 'HTTP/1.1x', 'HTTPS/1.1', 'http/1.1', 'HTTP/1.1 extra'])}\r\nHost: x\r\n\r\n`, label: 'bad version', strict: true }),
    () => ({ bytes: `GET ${target}\r\nHost: x\r\n\r\n`, label: 'no version' }),
    () => ({ bytes: `GET ${rng.pick([`${target}\u0001`, `${target}\u007f`, `${target}\u00e9`, `${target} x`, `${target}\t`])} HTTP/1.1\r\nHost: x\r\n\r\n`, label: 'bad byte in the target', strict: true }),
    () => ({ bytes: `GET ${rng.pick(['', 'api/x', '//', '?', 'http://'])} HTTP/1.1\r\nHost: x\r\n\r\n`, label: 'odd target' }),
    () => ({ bytes: good('GET', `Host: x\r\n${rng.pick(['NoColon', ': empty-name', 'Bad Name: x', 'X\u00e9: 1', 'X-A\u0000: 1', '\tfolded', ' X: 1'])}\r\n`), label: 'bad header line', strict: true }),
    () => ({ bytes: good('GET', `Host: x\r\nX-Ctl: a${rng.pick(['\u0000', '\u0001', '\u001f', '\u007f'])}b\r\n`), label: 'control character in a header value', strict: true }),
    () => ({ bytes: good('POST', `Host: x\r\nContent-Length: ${rng.pick(['abc', '-1', '1.5', '0x10', '99999999999999999999', '1 2'])}\r\n`), label: 'bad Content-Length', strict: true }),
    () => ({ bytes: good('POST', 'Host: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n') + 'abcd', label: 'two Content-Lengths', strict: true }),
    () => ({ bytes: good('POST', 'Host: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n', label: 'Content-Length and chunked', strict: true }),
    () => ({ bytes: good('POST', `Host: x\r\nTransfer-Encoding: ${rng.pick(['chunked, gzip', 'gzip', 'chunkedx', 'identity'])}\r\n`) + 'x', label: 'bad Transfer-Encoding' }),
    () => ({ bytes: good('POST', 'Host: x\r\nTransfer-Encoding: chunked\r\n') + rng.pick(['zz\r\nabc\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', '-1\r\n\r\n', '3;\u0001\r\nabc\r\n0\r\n\r\n']), label: 'bad chunk' }),
    () => ({ bytes: `GET ${target} HTTP/1.1\nHost: x\n\n`.replace(/\n/g, rng.pick(['\r\r\n', '\r'])), label: 'bad line ends' }),
    () => ({ bytes: good(rng.pick(['GET', 'POST', 'DELETE']), rng.pick(['Host: x\r\nHost: y\r\n', 'Host: x\r\nhost: x\r\n', 'HOST: x\r\nAccept: */*\r\nHost: y\r\n'])), label: 'two Host headers', strict: true }),
    () => ({ bytes: good(rng.pick(['GET', 'POST', 'DELETE']), rng.pick(['', 'Accept: */*\r\n'])), label: 'HTTP/1.1 without Host', strict: true }),
  ]
  return rng.pick(cases)()
}

/**
 * Problems of an answer to a request Node refuses: the JSON error with this status and the connection
 * closed after it, or a close without a word. Not `strict`: any answer but a 5xx, and an API error
 * must still be a catalogue error.
 */
function refusalProblems(outcome: Awaited<ReturnType<FuzzServer['send']>>, status: number, strict: boolean): string[] {
  if (outcome.kind === 'closed' && outcome.received === '') return []
  const { response, problems } = answered(outcome)
  if (!response) return problems
  const code = status === 431 ? 'REQUEST_HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST'
  if (!strict && response.status !== status) {
    if (response.headers['x-error-code'] !== undefined) problems.push(...apiErrorProblems(response))
    return problems
  }
  if (response.status !== status) return [...problems, `status ${response.status}, expected ${status}: ${response.body.slice(0, 200)}`]
  if (!strict && response.headers['x-error-code'] === undefined) return problems // e.g. an OAuth body for a broken form
  problems.push(...apiErrorProblems(response))
  if (response.headers['x-error-code'] !== code) problems.push(`errorCode ${response.headers['x-error-code']}, expected ${code}`)
  if (!response.closed) problems.push('the connection stays open after the refusal')
  return problems
}

const spec = (bytes: string): RequestSpec => ({ method: '(raw)', target: JSON.stringify(bytes.length > 400 ? `${bytes.slice(0, 300)}…(${bytes.length} bytes)` : bytes), headers: [] })

export async function runOversizedCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const { bytes, label } = oversized(rng)
  const outcome = await server.sendRaw(bytes, { waitForCloseMs: 1_000, timeoutMs: 5_000 })
  return { request: spec(bytes), labels: [label], problems: refusalProblems(outcome, 431, true) }
}

export async function runMalformedCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const { bytes, label, strict } = malformed(rng)
  const outcome = await server.sendRaw(bytes, { waitForCloseMs: strict ? 1_000 : 200, timeoutMs: 5_000 })
  return { request: spec(bytes), labels: [label], problems: refusalProblems(outcome, 400, strict === true) }
}

/**
 * A request cut off part way (the client half-closes, or vanishes), or trickled a few bytes at a time:
 * the server answers or closes within the timeout, never 5xx, and keeps serving.
 */
export async function runCutOrSlowCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const ctx = server.authContext()
  const target = rng.pick(TARGETS.slice(0, 3))
  const body = rng.chance(0.3) ? 'grant_type=client_credentials' : undefined
  const method = body === undefined ? 'GET' : 'POST'
  const head = `${method} ${rng.chance(0.3) ? '/api/oauth/token' : target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ctx.token}\r\nAccept: application/vnd.atlas.2023-01-01+json\r\n${body === undefined ? '' : `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`}Connection: close\r\n\r\n`
  const full = head + (body ?? '')
  const labels: string[] = []
  if (rng.chance(0.5)) {
    const cut = rng.int(1, full.length - 1)
    labels.push(`cut after ${cut} of ${full.length} bytes`, rng.chance(0.5) ? 'half-close' : 'vanish')
    const outcome = await server.sendRaw(full.slice(0, cut), labels[1] === 'half-close' ? { endAfterWrite: true, timeoutMs: 3_000 } : { timeoutMs: 300 })
    // Vanishing clients are not waited for: a timeout is the client giving up. A half-closed request
    // must get an answer or a close, and an answer is never a 5xx.
    if (outcome.kind === 'timeout' && labels[1] === 'vanish') return { request: spec(full.slice(0, cut)), labels, problems: [] }
    if (outcome.kind === 'closed') return { request: spec(full.slice(0, cut)), labels, problems: [] }
    const { problems } = answered(outcome)
    return { request: spec(full.slice(0, cut)), labels, problems }
  }
  const chunkBytes = rng.int(8, 60)
  const delayMs = rng.int(1, 20)
  labels.push(`trickled ${chunkBytes} bytes every ${delayMs} ms`)
  const outcome = await server.sendRaw(full, { trickle: { chunkBytes, delayMs }, timeoutMs: 20_000 })
  const { problems } = answered(outcome)
  return { request: spec(full), labels, problems }
}

interface Step {
  readonly bytes: string
  readonly head: boolean
  /** The status this request must get, or undefined: the parser refuses it (400, then the connection closes). */
  readonly status: number | undefined
  readonly label: string
}

/**
 * Several requests on one kept-alive connection, pipelined in one write: each is answered in order
 * with its own status; a request the parser refuses is answered 400 MALFORMED_REQUEST and ends the
 * connection, so nothing after it is answered.
 */
export async function runKeepAliveCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const ctx = server.authContext()
  const base = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
  const line = (method: string, target: string, headers: string[] = [], body = ''): string =>
    `${method} ${target} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}${body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body}`
  const kinds: (() => Step)[] = [
    () => ({ bytes: line('GET', `${base}?itemsPerPage=2`, [`Authorization: Bearer ${ctx.token}`]), head: false, status: 200, label: 'good GET' }),
    () => ({ bytes: line('HEAD', `${base}?itemsPerPage=2`, [`Authorization: Bearer ${ctx.token}`]), head: true, status: 200, label: 'good HEAD' }),
    () => ({ bytes: line('GET', `${base}/zz`, [`Authorization: Bearer ${ctx.token}`]), head: false, status: 404, label: 'bad checkpoint id' }),
    () => ({ bytes: line('GET', base), head: false, status: 401, label: 'no credentials' }),
    () => ({ bytes: line('POST', base, ['Content-Type: garbage'], 'xyz'), head: false, status: 405, label: 'POST with a body' }),
    () => ({ bytes: line('POST', '/api/oauth/token', ['Content-Type: application/x-www-form-urlencoded'], 'grant_type='), head: false, status: 400, label: 'OAuth without a grant' }),
    () => ({ bytes: line('GET', '/healthz'), head: false, status: 200, label: 'health' }),
    () => ({ bytes: line('GET', `/nowhere?${'q'.repeat(rng.int(0, 3000))}`), head: false, status: 404, label: 'unknown path' }),
  ]
  const count = rng.int(2, 5)
  const steps = Array.from({ length: count }, () => rng.pick(kinds)())
  if (rng.chance(0.3)) {
    steps.splice(rng.int(0, steps.length), 0, { bytes: rng.pick(['FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n']), head: false, status: undefined, label: 'refused' })
  }
  const bytes = steps.map((s) => s.bytes).join('')
  const refusedAt = steps.findIndex((s) => s.status === undefined)
  const expected = refusedAt === -1 ? steps : steps.slice(0, refusedAt + 1)
  const { responses, closed } = await exchangeMany(server.port, bytes, expected.map((s) => s.head), 8_000)
  const problems: string[] = []
  expected.forEach((step, i) => {
    const response = responses[i]
    if (!response) {
      problems.push(`no answer ${i} (${step.label}); ${responses.length} answers`)
      return
    }
    const status = step.status ?? 400
    if (response.status !== status) problems.push(`answer ${i} (${step.label}): status ${response.status}, expected ${status}: ${response.body.slice(0, 150)}`)
    if (step.status === undefined && response.headers['x-error-code'] !== 'MALFORMED_REQUEST') problems.push(`answer ${i}: ${response.headers['x-error-code']}, expected MALFORMED_REQUEST`)
  })
  if (refusedAt !== -1 && responses.length > refusedAt + 1) problems.push('requests after the refused one were answered')
  if (refusedAt !== -1 && !closed && responses.length === refusedAt + 1) {
    // The refusal ends the connection: the server closes it right after answering.
    const again = await exchangeMany(server.port, steps.slice(0, 1).map((s) => s.bytes).join(''), [steps[0]?.head === true], 3_000)
    if (again.responses.length === 0) problems.push('the server stopped answering new connections')
  }
  return { request: { method: '(pipelined)', target: JSON.stringify(steps.map((s) => s.label)), headers: [] }, labels: steps.map((s) => s.label), problems }
}
