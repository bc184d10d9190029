import { ERRORS } from '../../src/errors.js'
import type { ApiExpectation } from './fuzz-api.js'
import type { WireOutcome, WireResponse } from './fuzz-wire.js'
import { schemaErrors } from './openapi.js'

/**
 * The fuzz suite's oracle: what every answer must be whatever the input. Each check returns the list of
 * problems found (empty: the answer is right), so a failure report can show the request beside them.
 * No side effects on import.
 */

/** The fixed 401 body of a failed authentication (docs/behaviour.md, Authentication). */
export const UNAUTHENTICATED_BODY =
  '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}'
const DIGEST_CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]{32}", algorithm=MD5, qop="auth", stale=(true|false)$/
const BEARER_CHALLENGE = 'Bearer error="invalid_token"'

/** errorCode → the statuses the catalogue gives it. */
const CATALOGUE = new Map<string, Set<number>>()
for (const spec of Object.values(ERRORS)) {
  const statuses = CATALOGUE.get(spec.errorCode) ?? new Set<number>()
  statuses.add(spec.status)
  CATALOGUE.set(spec.errorCode, statuses)
}

/** Problems of any answer at all: the outcome is an answer, never a 5xx. */
export function answered(outcome: WireOutcome): { response?: WireResponse; problems: string[] } {
  if (outcome.kind === 'timeout') return { problems: [`no answer within the timeout (received ${JSON.stringify(outcome.received.slice(0, 200))})`] }
  if (outcome.kind === 'closed') return { problems: [`connection closed without a complete answer (received ${JSON.stringify(outcome.received.slice(0, 200))})`] }
  const response = outcome.response
  const problems: string[] = []
  if (response.status >= 500) problems.push(`status ${response.status}: ${response.body.slice(0, 300)}`)
  return { response, problems }
}

function parse(body: string): { value?: unknown; problem?: string } {
  try {
    return { value: JSON.parse(body) as unknown }
  } catch {
    return { problem: `body is not JSON: ${JSON.stringify(body.slice(0, 200))}` }
  }
}

/**
 * Problems of an API error answer (the API's routes, the admin API, the wire errors): JSON with
 * X-Error-Code, valid as the upstream ApiError, the errorCode in the catalogue with this status.
 * `envelope` says whether the error is wrapped as `{"status", "content"}`.
 */
export function apiErrorProblems(response: WireResponse, options: { envelope?: boolean; head?: boolean } = {}): string[] {
  const problems: string[] = []
  if (response.headers['content-type'] !== 'application/json') problems.push(`content-type ${response.headers['content-type']}`)
  const code = response.headers['x-error-code']
  if (code === undefined) problems.push('no X-Error-Code header')
  else if (!CATALOGUE.get(code)?.has(response.status)) problems.push(`X-Error-Code ${code} with status ${response.status} is not in the catalogue`)
  if (options.head) return problems
  const parsed = parse(response.body)
  if (parsed.problem) return [...problems, parsed.problem]
  let body = parsed.value as Record<string, unknown>
  if (options.envelope) {
    if (body['status'] !== response.status || typeof body['content'] !== 'object') problems.push(`not an envelope: ${response.body.slice(0, 200)}`)
    body = (body['content'] ?? {}) as Record<string, unknown>
  }
  problems.push(...schemaErrors('ApiError', body))
  if (body['error'] !== response.status) problems.push(`body error ${String(body['error'])} but status ${response.status}`)
  if (body['errorCode'] !== code) problems.push(`body errorCode ${String(body['errorCode'])} but X-Error-Code ${code}`)
  return problems
}

/** Problems of a 401 for failed authentication: its fixed body, no X-Error-Code, the right challenge. */
export function unauthenticatedProblems(response: WireResponse, challenge: ApiExpectation['challenge'], head = false): string[] {
  const problems: string[] = []
  if (response.status !== 401) return [`status ${response.status}, expected 401`]
  if (!head && response.body !== UNAUTHENTICATED_BODY) problems.push(`401 body ${JSON.stringify(response.body.slice(0, 200))}`)
  if (response.headers['x-error-code'] !== undefined) problems.push('401 with an X-Error-Code header')
  const www = response.headers['www-authenticate'] ?? ''
  const digest = DIGEST_CHALLENGE.exec(www)
  const bearer = www === BEARER_CHALLENGE
  switch (challenge) {
    case 'digest':
      if (digest?.[1] !== 'false') problems.push(`challenge ${JSON.stringify(www)}, expected a Digest challenge with stale=false`)
      break
    case 'digest-stale':
      if (digest?.[1] !== 'true') problems.push(`challenge ${JSON.stringify(www)}, expected a Digest challenge with stale=true`)
      break
    case 'bearer':
      if (!bearer) problems.push(`challenge ${JSON.stringify(www)}, expected ${BEARER_CHALLENGE}`)
      break
    default:
      if (!digest && !bearer) problems.push(`challenge ${JSON.stringify(www)}`)
  }
  return problems
}

/** Problems of an API answer against the model's expectation. */
export function apiProblems(expect: ApiExpectation, response: WireResponse, head: boolean): string[] {
  const problems: string[] = []
  if (response.status !== expect.status) {
    problems.push(`status ${response.status} (${response.headers['x-error-code'] ?? ''}), expected ${expect.status} ${expect.errorCode ?? ''}: ${response.body.slice(0, 300)}`)
    return problems
  }
  if (expect.kind === 'unauthenticated') return unauthenticatedProblems(response, expect.challenge, head)
  if (expect.kind === 'error') {
    problems.push(...apiErrorProblems(response, { envelope: expect.envelope, head }))
    if (response.headers['x-error-code'] !== expect.errorCode) problems.push(`errorCode ${response.headers['x-error-code']}, expected ${expect.errorCode}`)
    if (expect.allow !== undefined && response.headers['allow'] !== expect.allow) problems.push(`Allow ${response.headers['allow']}, expected ${expect.allow}`)
    if (!head && problems.length === 0) {
      const body = JSON.parse(response.body) as Record<string, unknown>
      const error = (expect.envelope ? body['content'] : body) as Record<string, unknown>
      const parameters = error['parameters'] as unknown[]
      if (expect.parameters && JSON.stringify(parameters) !== JSON.stringify(expect.parameters)) {
        problems.push(`parameters ${JSON.stringify(parameters).slice(0, 300)}, expected ${JSON.stringify(expect.parameters).slice(0, 300)}`)
      }
      if (expect.oneOfParameters && !(parameters.length === 1 && expect.oneOfParameters.includes(String(parameters[0])))) {
        problems.push(`parameters ${JSON.stringify(parameters)}, expected one of ${JSON.stringify(expect.oneOfParameters)}`)
      }
      if (expect.pretty !== response.body.includes('\n')) problems.push(`pretty expected ${expect.pretty}: ${response.body.slice(0, 100)}`)
    }
    return problems
  }
  if (response.headers['content-type'] !== expect.contentType) problems.push(`content-type ${response.headers['content-type']}, expected ${expect.contentType}`)
  if (head) return problems
  const parsed = parse(response.body)
  if (parsed.problem) return [...problems, parsed.problem]
  let body = parsed.value as Record<string, unknown>
  if (expect.envelope) {
    if (body['status'] !== 200) problems.push(`envelope without status 200: ${response.body.slice(0, 200)}`)
    if (expect.entity === 'entity') body = (body['content'] ?? {}) as Record<string, unknown>
  }
  problems.push(...schemaErrors(expect.entity === 'list' ? 'PaginatedApiAtlasCheckpointView' : 'ApiAtlasCheckpointView', body))
  if (expect.pretty !== response.body.includes('\n')) problems.push(`pretty expected ${expect.pretty}`)
  return problems
}
