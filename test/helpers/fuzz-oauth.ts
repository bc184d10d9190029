import { decodeOnce } from './fuzz-api.js'
import { answered, apiErrorProblems } from './fuzz-oracle.js'
import type { Rng } from './fuzz-prng.js'
import { FUZZ_CLIENT, type CaseResult, type FuzzServer } from './fuzz-server.js'
import type { RequestSpec } from './fuzz-wire.js'

/**
 * The OAuth endpoints under fuzz: `POST /api/oauth/token` and `/api/oauth/revoke` with broken content
 * types, form bodies, client credentials and sizes, and the model of their answers (docs/behaviour.md,
 * docs/errors.md "OAuth token endpoint errors"). No side effects on import.
 */

const FORM = 'application/x-www-form-urlencoded'
const DESCRIPTIONS = {
  invalid_request: 'The request is missing a required parameter or is otherwise malformed.',
  invalid_client: 'Invalid credentials provided.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
} as const
type OAuthError = keyof typeof DESCRIPTIONS

/** Form bodies over this many bytes are refused (src/http/oauth-routes.ts). */
const FORM_LIMIT = 16_384

type Expect = { readonly kind: 'oauth'; readonly status: number; readonly error?: OAuthError } | { readonly kind: 'api'; readonly status: number; readonly errorCode: string }

interface Credentials {
  readonly header?: string
  readonly formFields: readonly (readonly [string, string])[]
  /** The client id and secret the server will read, or undefined when it reads none. */
  readonly effective?: { readonly id: string; readonly secret: string }
  /** An Authorization header and credentials in the form: two methods, 400 invalid_request (RFC 6749 §2.3). */
  readonly twoMethods?: boolean
  readonly label: string
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
const formEncode = (text: string): string => encodeURIComponent(text)

function credentials(rng: Rng): Credentials {
  const id = FUZZ_CLIENT.clientId
  const secret = FUZZ_CLIENT.clientSecret
  // Checking a secret of a known client costs a scrypt hash: few of those.
  const known = rng.chance(0.15)
  const secretUsed = known ? (rng.chance(0.6) ? secret : rng.pick([`${secret}x`, secret.toUpperCase(), '', 'x'.repeat(1100)])) : rng.pick([secret, 'wrong'])
  const idUsed = known ? id : rng.pick(['mdb_sa_id_ffffffffffffffffffffffff', '', 'demoread', id.toUpperCase(), `${id} `, '%zz', 'x'.repeat(500), '\u0000', `${id}\u0000`, 'é\u0001'])
  switch (rng.int(0, 7)) {
    case 0:
    case 1:
    case 2: {
      const header = `${rng.pick(['Basic', 'basic', 'BASIC'])} ${b64(`${formEncode(idUsed)}:${formEncode(secretUsed)}`)}`
      return { header, formFields: [], effective: { id: idUsed, secret: secretUsed }, label: `basic ${known ? 'known' : 'unknown'} client` }
    }
    case 3:
      if (idUsed === '' || secretUsed === '') return { formFields: [], label: 'no credentials' }
      return { formFields: [['client_id', idUsed], ['client_secret', secretUsed]], effective: { id: idUsed, secret: secretUsed }, label: 'credentials in the form' }
    case 4: {
      const header = rng.pick(['Basic', 'Basic ', 'Basic !!!', `Basic ${b64('no-colon')}`, `Basic ${b64(`${id}:${secret}`)}===x`, 'Basic =', `Basic ${b64(`%zz:${secret}`)}`])
      if (rng.chance(0.5)) return { header, formFields: [['client_id', id], ['client_secret', secret]], twoMethods: true, label: 'malformed Basic and form credentials' }
      return { header, formFields: [], label: 'malformed Basic' }
    }
    case 5:
      return { header: rng.pick(['Bearer abc', 'Digest username="x"', 'Negotiate x', '']), formFields: [], label: 'another scheme' }
    case 6:
      return { formFields: [], label: 'no credentials' }
    default: {
      // One method per request: Basic and a client_secret in the form is invalid_request, whatever they say.
      const header = `Basic ${b64(`${formEncode(idUsed)}:${formEncode(secretUsed)}`)}`
      return { header, formFields: [['client_id', 'someone-else'], ['client_secret', 'nope']], twoMethods: true, label: 'basic and form credentials' }
    }
  }
}

/** One OAuth case: the request and what the endpoint must answer. */
export async function runOAuthCase(server: FuzzServer, rng: Rng): Promise<CaseResult> {
  const endpoint = rng.pick(['token', 'revoke'] as const)
  const parameter = endpoint === 'token' ? 'grant_type' : 'token'
  const labels: string[] = [endpoint]
  let path = `/api/oauth/${endpoint}`
  if (rng.chance(0.08)) {
    path = rng.pick([`${path}/`, path.toUpperCase(), `/api/oauth//${endpoint}`, `/api/oauth/${endpoint}%20`, `/api/oauth/%${endpoint.charCodeAt(0).toString(16)}${endpoint.slice(1)}`, '/api/oauth', `/api/oauth/${endpoint}/x`])
    labels.push('path variant')
  }
  const query = rng.chance(0.1) ? rng.pick(['?grant_type=client_credentials', '?%zz', '?pretty=true', '?token=x']) : ''
  const method = rng.chance(0.08) ? rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD']) : 'POST'

  const creds = credentials(rng)
  labels.push(creds.label)
  const values: string[] = []
  const roll = rng.next()
  if (roll < 0.6) values.push(endpoint === 'token' ? 'client_credentials' : rng.pick([server.world.checkpointIds[0] ?? 'x', 'garbage', 'a.b.c']))
  else if (roll < 0.75) values.push(rng.pick(['password', 'authorization_code', 'CLIENT_CREDENTIALS', 'client_credentials ', 'refresh_token', '%zz', 'client%5Fcredentials']))
  else if (roll < 0.85) values.push('')
  else if (roll < 0.92) values.push('client_credentials', 'client_credentials')
  labels.push(`${parameter}: ${values.length === 0 ? 'missing' : values.join(', ').slice(0, 40)}`)
  const fields: string[] = values.map((v) => `${parameter}=${v}`)
  for (const [name, value] of creds.formFields) fields.push(`${name}=${formEncode(value)}`)
  if (rng.chance(0.1)) fields.push(rng.pick(['scope=openid', 'x', '=', '&', 'a=%', 'audience=%E2%9C%93']))
  let body: string | undefined = fields.sort(() => (rng.chance(0.5) ? 1 : -1)).join('&')
  const oversized = rng.chance(0.05)
  if (oversized) {
    body += `&pad=${'x'.repeat(FORM_LIMIT + rng.int(1, 4000))}`
    labels.push('oversized form')
  }
  if (rng.chance(0.04)) {
    body = undefined
    labels.push('no body')
  }

  const typeRoll = rng.next()
  const contentType =
    typeRoll < 0.75 ? rng.pick([FORM, `${FORM}; charset=utf-8`, `${FORM};charset=UTF-8`]) : typeRoll < 0.8 ? undefined : rng.pick(['application/json', 'text/plain', 'garbage', '', ';', 'multipart/form-data; boundary=x', `${FORM}x`, `x-${FORM}`])
  if (contentType !== FORM) labels.push(`content-type ${JSON.stringify(contentType)}`)

  const headers: [string, string][] = []
  if (contentType !== undefined) headers.push(['Content-Type', contentType])
  if (creds.header !== undefined) headers.push(['Authorization', creds.header])
  const request: RequestSpec = { method, target: `${path}${query}`, headers, ...(body === undefined ? {} : { body }) }

  const expect = ((): Expect => {
    // Fastify routes these (not the API's own matcher): it decodes the path first, so `%74oken` is `token`.
    if (method !== 'POST' || decodeOnce(path) !== `/api/oauth/${endpoint}`) return { kind: 'api', status: 404, errorCode: 'RESOURCE_NOT_FOUND' }
    const isForm = contentType !== undefined && contentType.split(';')[0]?.trim().toLowerCase() === FORM
    if (!isForm || body === undefined || body === '' || Buffer.byteLength(body) > FORM_LIMIT) return { kind: 'oauth', status: 400, error: 'invalid_request' }
    const form = new URLSearchParams(body)
    const all = form.getAll(parameter)
    if (all.length !== 1 || all[0] === '') return { kind: 'oauth', status: 400, error: 'invalid_request' }
    if (creds.twoMethods === true) return { kind: 'oauth', status: 400, error: 'invalid_request' }
    const effective = creds.effective
    const good = effective !== undefined && effective.id === FUZZ_CLIENT.clientId && effective.secret === FUZZ_CLIENT.clientSecret
    if (!good) return { kind: 'oauth', status: 401, error: 'invalid_client' }
    if (endpoint === 'token' && all[0] !== 'client_credentials') return { kind: 'oauth', status: 400, error: 'unsupported_grant_type' }
    return { kind: 'oauth', status: 200 }
  })()

  const { response, problems } = answered(await server.send(request))
  if (!response) return { request, labels, problems }
  if (response.status !== expect.status) {
    problems.push(`status ${response.status}, expected ${expect.status} ${expect.kind === 'api' ? expect.errorCode : (expect.error ?? '')}: ${response.body.slice(0, 200)}`)
    return { request, labels, problems }
  }
  if (expect.kind === 'api') {
    problems.push(...apiErrorProblems(response, { head: method === 'HEAD' }))
    if (response.headers['x-error-code'] !== expect.errorCode) problems.push(`errorCode ${response.headers['x-error-code']}, expected ${expect.errorCode}`)
    return { request, labels, problems }
  }
  if (response.headers['cache-control'] !== 'no-store') problems.push(`cache-control ${response.headers['cache-control']}`)
  if (expect.error !== undefined) {
    const wanted = JSON.stringify({ error: expect.error, error_description: DESCRIPTIONS[expect.error] })
    if (response.body !== wanted) problems.push(`body ${response.body.slice(0, 200)}, expected ${wanted}`)
    if (response.headers['content-type'] !== 'application/json') problems.push(`content-type ${response.headers['content-type']}`)
    const www = response.headers['www-authenticate']
    if (expect.error === 'invalid_client' ? www !== 'Basic realm="MongoDB Cloud"' : www !== undefined) problems.push(`WWW-Authenticate ${www}`)
  } else if (endpoint === 'token') {
    const token = JSON.parse(response.body) as Record<string, unknown>
    if (typeof token['access_token'] !== 'string' || token['expires_in'] !== 3600 || token['token_type'] !== 'Bearer') problems.push(`token body ${response.body}`)
  } else if (response.body !== '') {
    problems.push(`revoke body ${JSON.stringify(response.body.slice(0, 100))}`)
  }
  return { request, labels, problems }
}
