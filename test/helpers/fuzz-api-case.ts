import { expectApi, generateApiCase, type ApiCase, type ApiCaseRates, type World } from './fuzz-api.js'
import { bearerPlan, digestPlan, type AuthPlan } from './fuzz-auth.js'
import { answered, apiErrorProblems, apiProblems } from './fuzz-oracle.js'
import type { Rng } from './fuzz-prng.js'
import type { CaseResult, FuzzServer } from './fuzz-server.js'
import { requestBytes, type RequestSpec } from './fuzz-wire.js'

/** Node's limit on the request line and headers (src/http/client-errors.ts). */
const HEADER_LIMIT = 16_384
/** Around the limit, what counts differs by a few bytes between Node versions: either answer is right there. */
const HEADER_SLACK = 1_024

export interface ApiCaseOptions extends ApiCaseRates {
  /** Share of requests authenticated with a bearer token rather than Digest. */
  readonly bearer: number
  /** Share of credentials broken at one field. */
  readonly brokenAuth: number
}

/**
 * One checkpoint API case: generate a request and its credentials, send it to the real server, and
 * check the answer against the model (status, errorCode, parameters, body schema, challenge).
 */
export async function runApiCase(
  server: FuzzServer,
  rng: Rng,
  options: ApiCaseOptions,
  generate: (rng: Rng, world: World, rates: ApiCaseRates) => ApiCase = generateApiCase,
): Promise<CaseResult> {
  const apiCase = generate(rng, server.world, options)
  const ctx = server.authContext()
  const auth: AuthPlan = rng.chance(options.bearer)
    ? bearerPlan(rng, ctx, options.brokenAuth)
    : digestPlan(rng, ctx, apiCase.method, apiCase.target, options.brokenAuth)
  const headers: [string, string][] = []
  if (apiCase.accept !== undefined) headers.push(['Accept', apiCase.accept])
  if (auth.header !== undefined) headers.push(['Authorization', auth.header])
  // Repeated header lines, drawn from a fork so the main sequence (and every recorded case) stays as it was.
  // Node keeps the first Authorization and joins Accept lines with ", ".
  const extra = rng.fork(0x5eed)
  let verdict: AuthPlan = auth
  let acceptValid = apiCase.acceptValid
  const labels = [...apiCase.labels, auth.label]
  if (auth.primeWith === undefined && extra.chance(0.04)) {
    if (auth.header === undefined) {
      headers.push(['Authorization', 'Basic eDp5'])
      verdict = { ...auth, ok: false, challenge: 'digest' }
      labels.push('Basic Authorization')
    } else if (extra.chance(0.5)) {
      headers.push(['Authorization', extra.pick(['Bearer junk', 'Digest username="x"', 'Basic eDp5'])])
      labels.push('second Authorization header after')
    } else {
      headers.unshift(['Authorization', 'Basic eDp5'])
      verdict = { ...auth, ok: false, challenge: 'digest' }
      labels.push('another Authorization header before')
    }
  }
  if (extra.chance(0.03)) {
    // Node answers an unknown expectation with a bare 417 unless the app takes it over.
    const expectation = extra.pick(['garbage', '100-continue-x', 'x=1', '200-ok'])
    headers.push(['Expect', expectation])
    labels.push(`Expect: ${expectation}`)
  }
  if (extra.chance(0.04)) {
    const line = extra.pick(['application/vnd.atlas.2023-01-01+json', 'application/json', '*/*', 'garbage'])
    headers.push(['Accept', line])
    if (line === 'application/vnd.atlas.2023-01-01+json') acceptValid = true
    labels.push(`second Accept header ${line}`)
  }
  for (const [name, value] of apiCase.extraHeaders) headers.push([name, value])
  const request: RequestSpec = { method: apiCase.method, target: apiCase.target, headers, ...(apiCase.body === undefined ? {} : { body: apiCase.body }) }

  if (auth.primeWith !== undefined) {
    const primeHeaders = headers.map(([n, v]): [string, string] => [n, n === 'Authorization' ? (auth.primeWith as string) : v])
    const prime = await server.send({ ...request, headers: primeHeaders })
    const primed = answered(prime)
    if (primed.problems.length > 0) return { request, labels: [...labels, 'priming request'], problems: primed.problems }
  }

  const head = request.method === 'HEAD'
  const outcome = await server.send(request)
  const { response, problems } = answered(outcome)
  if (!response) return { request, labels, problems }
  const size = requestBytes({ method: request.method, target: request.target, headers: request.headers }).length
  const oversized = response.status === 431 && response.headers['x-error-code'] === 'REQUEST_HEADERS_TOO_LARGE'
  if (size > HEADER_LIMIT + HEADER_SLACK || (oversized && size > HEADER_LIMIT - HEADER_SLACK)) {
    if (!oversized) problems.push(`a ${size}-byte head answered ${response.status}, expected 431`)
    else problems.push(...apiErrorProblems(response, { head }))
    return { request, labels: [...labels, `${size}-byte head`], problems }
  }
  const accepts = headers.filter(([name]) => name === 'Accept').map(([, value]) => value)
  const accept = accepts.length === 0 ? undefined : accepts.join(', ')
  const expect = expectApi(server.world, { ...apiCase, accept, acceptValid }, verdict)
  problems.push(...apiProblems(expect, response, head))
  return { request, labels, problems }
}
