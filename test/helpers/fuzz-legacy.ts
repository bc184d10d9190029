import { digestAuthorization, parseChallenge, type Credentials } from './digest-client.js'
import { KEYS } from './fixtures.js'
import { apiErrorProblems } from './fuzz-oracle.js'
import type { Rng } from './fuzz-prng.js'
import type { Expected } from './fuzz-legacy-oracle.js'

/**
 * What the legacy backup fuzz properties share (test/fuzz/legacy-backup.test.ts, restore-jobs.test.ts):
 * a Digest-answering client over a real socket with a deadline, the invariants of every answer, and the
 * odd values that bodies are mutated with. No side effects on import.
 */

export const V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'
/** How long one request may take before it counts as a hang. */
const ANSWER_DEADLINE_MS = 10_000

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

export type Requester = (method: string, target: string, headers: Record<string, string>, body?: string, digest?: boolean) => Promise<Answer>

/**
 * One request over the socket, answering the Digest challenge with `key` (the org owner's by default). A
 * request that gets no answer within the deadline is answered with status 0 and the reason in the body.
 */
export function digestRequester(base: string, key: Credentials = KEYS.orgowner): Requester {
  return async (method, target, headers, body, digest = true) => {
    const once = async (extra: Record<string, string>): Promise<Answer> => {
      try {
        const res = await fetch(`${base}${target}`, {
          method,
          headers: { ...headers, ...extra },
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
        })
        return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }
      } catch (error) {
        return { status: 0, headers: {}, body: `no answer: ${String(error)}` }
      }
    }
    const first = await once({})
    if (!digest || first.status !== 401 || first.headers['www-authenticate'] === undefined) return first
    const { nonce } = parseChallenge(first.headers['www-authenticate'])
    return once({ authorization: digestAuthorization({ credentials: key, method, uri: target, nonce, nc: 1 }) })
  }
}

/**
 * The invariants of every API answer, and the exact one when the oracle knows it: an answer (no hang),
 * never a 5xx, an `X-Request-Id` always; an error is the API's JSON error (catalogued code and status,
 * the upstream ApiError shape); a 200 is JSON and passes `success` (schema checks); a 204 has no body.
 */
export function answerProblems(answer: Answer, options: { expected?: Expected | undefined; success?: (parsed: unknown) => string[] } = {}): string[] {
  const problems: string[] = []
  if (answer.status === 0) return [answer.body]
  if (answer.status >= 500) problems.push(`status ${answer.status}: ${answer.body.slice(0, 300)}`)
  if (answer.headers['x-request-id'] === undefined) problems.push(`status ${answer.status} without an X-Request-Id`)
  if (answer.status === 200) {
    let parsed: unknown
    try {
      parsed = JSON.parse(answer.body)
    } catch {
      return [...problems, `a 200 that is not JSON: ${answer.body.slice(0, 200)}`]
    }
    if (options.success) problems.push(...options.success(parsed))
  } else if (answer.status === 204) {
    if (answer.body !== '') problems.push('a 204 with a body')
  } else if (answer.status !== 401 || answer.headers['x-error-code'] !== undefined) {
    problems.push(...apiErrorProblems({ ...answer, reason: '', closed: false }))
  }
  const expected = options.expected
  if (expected !== undefined) {
    const code = answer.headers['x-error-code']
    const codes = expected.errorCode === undefined ? [] : Array.isArray(expected.errorCode) ? expected.errorCode : [expected.errorCode]
    const statusOk = Array.isArray(expected.status) ? expected.status.includes(answer.status) : answer.status === expected.status
    const codeOk = codes.length === 0 ? code === undefined : code !== undefined && codes.includes(code)
    if (!statusOk || !codeOk) {
      problems.push(`expected ${JSON.stringify(expected.status)} ${codes.join('|')}, got ${answer.status} ${code ?? ''}: ${answer.body.slice(0, 300)}`)
    } else if (expected.parameters !== undefined && problems.length === 0) {
      const parameters = (JSON.parse(answer.body) as { parameters?: unknown }).parameters
      if (JSON.stringify(parameters) !== JSON.stringify(expected.parameters)) {
        problems.push(`parameters ${JSON.stringify(parameters)}, expected ${JSON.stringify(expected.parameters)}`)
      }
    }
  }
  return problems
}

const HEX = '0123456789abcdef'

/** A value of any JSON type, biased towards the edges integer and date fields trip on. */
export function oddValue(rng: Rng): unknown {
  return rng.pick<unknown>([
    null,
    true,
    false,
    0,
    -1,
    -15,
    1.5,
    15.5,
    -0.5,
    1e300,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    '1',
    '15',
    '-15',
    '+15',
    ' 15',
    '15 ',
    '1e3',
    '0x10',
    '1.5',
    '0015',
    '2147483647',
    '2147483648',
    '99999999999999999999',
    '',
    'x'.repeat(rng.int(1, 300)),
    rng.string(HEX, 24),
    rng.string(HEX, rng.int(0, 30)),
    [],
    [15],
    {},
    { nested: [1, { deeper: null }] },
    deepNesting(rng.int(2, 60)),
    '2026-10-31T12:00:00Z',
    '2030-02-31',
    '2030-02-31T00:00:00Z',
    '1536610288',
    1_199_145_599_999,
    Date.parse('2026-10-31T20:00:00Z'),
  ])
}

/** `[[[…]]]` or `{"a":{"a":…}}`, `depth` deep. */
export function deepNesting(depth: number): unknown {
  let value: unknown = depth % 2 === 0 ? [] : {}
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
}

/** Content types a client may send with a JSON body: all are read as JSON (P-G3). */
export const CONTENT_TYPES = [
  'application/json',
  V2_ACCEPT,
  'application/vnd.atlas.2099-01-01+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/octet-stream',
  '',
  ';',
  'garbage/',
]

/**
 * A body text made from `body`: as JSON most of the time, else broken in one of the ways clients break
 * them. `kind` says which, and the parse error the API must answer with for it ('ok' when it parses to
 * an object).
 */
export function bodyText(rng: Rng, body: Record<string, unknown>): { text: string; parse: 'ok' | 'MALFORMED_JSON' | 'INVALID_JSON'; label?: string } {
  const json = JSON.stringify(body)
  switch (rng.int(0, 14)) {
    case 0:
      return { text: json.slice(0, rng.int(0, json.length - 1)), parse: 'MALFORMED_JSON', label: 'truncated' }
    case 1:
      return { text: rng.pick([JSON.stringify([body]), 'null', '15', '"text"', 'true', '[]']), parse: 'INVALID_JSON', label: 'not an object' }
    case 2:
      return { text: rng.pick(['', ' ', 'a=1&b=2', '{a:1}', "{'a':1}", '{"a":1,}', '\u0000', '{"a":NaN}', '{"a":01}', '--x\r\n\r\n{}\r\n--x--']), parse: 'MALFORMED_JSON', label: 'not JSON' }
    case 3:
      return rng.chance(0.5)
        ? { text: `${'['.repeat(30_000)}${']'.repeat(30_000)}`, parse: 'INVALID_JSON', label: 'an array 30,000 deep' }
        : { text: `${json}${' '.repeat(70_000)}`, parse: 'MALFORMED_JSON', label: 'over 64 KiB' }
    case 4:
      return { text: ` \n${json}\t `, parse: 'ok', label: 'whitespace' }
    default:
      return { text: json, parse: 'ok' }
  }
}
