import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { readAccessToken, signAccessToken } from '../auth/access-tokens.js'
import { parseBasicAuthorization } from '../auth/basic-credentials.js'
import { verifyClientSecret } from '../auth/client-secrets.js'
import type { ServiceAccount } from '../domain/types.js'
import { ApiError } from '../errors.js'
import { noteCaller } from './caller.js'
import type { Store } from '../storage/store.js'

export interface OAuthDeps {
  readonly store: Store
  /** The HMAC secret that signs access tokens (kept in the store, shared by every instance). */
  readonly tokenSecret: string
  readonly tokenLifetimeSeconds: number
  /** Milliseconds. */
  readonly now: () => number
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type'

const DESCRIPTIONS: Readonly<Record<OAuthError, string>> = {
  invalid_request: 'The request is missing a required parameter or is otherwise malformed.',
  invalid_client: 'Invalid credentials provided.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
}
const FORM = 'application/x-www-form-urlencoded'

/**
 * The OAuth 2.0 endpoints of service accounts (client credentials grant, RFC 6749 §4.4, and token
 * revocation, RFC 7009): `POST /api/oauth/token` and `POST /api/oauth/revoke`, with HTTP Basic client
 * authentication and form bodies. Errors use OAuth bodies, not the API's.
 */
export async function oauthRoutes(app: FastifyInstance, deps: OAuthDeps): Promise<void> {
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
    done(null, new URLSearchParams(String(body)))
  })
  // Fastify's own refusals of the request (a Content-Type that is no media type, a form over the body
  // limit) are malformed requests in OAuth terms; anything else goes to the app's handler (503, 500).
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    // A body that did not arrive in time (or a client gone) is the app's to answer (app.ts).
    if (error instanceof ApiError) throw error
    if (error.code?.startsWith('FST_ERR_') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return oauthError(reply, 'invalid_request')
    }
    throw error
  })

  app.post('/api/oauth/token', async (request, reply) => {
    const call = await clientCall(request, 'grant_type', deps)
    if ('error' in call) return oauthError(reply, call.error)
    const { account, value: grant } = call
    if (grant !== 'client_credentials') return oauthError(reply, 'unsupported_grant_type')
    const subject = { sub: account.clientId, aid: account.uid, sid: call.secretId }
    const { token } = signAccessToken(deps.tokenSecret, subject, Math.floor(deps.now() / 1000), deps.tokenLifetimeSeconds)
    return reply
      .code(200)
      .headers({ 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' })
      .send(Buffer.from(JSON.stringify({ access_token: token, expires_in: deps.tokenLifetimeSeconds, token_type: 'Bearer' })))
  })

  app.post('/api/oauth/revoke', async (request, reply) => {
    const call = await clientCall(request, 'token', deps)
    if ('error' in call) return oauthError(reply, call.error)
    const { account, value: token } = call
    // RFC 7009: an invalid or foreign token is not an error; only the client's own tokens are revoked.
    const claims = readAccessToken(deps.tokenSecret, token)
    if (claims && claims.sub === account.clientId && claims.aid === account.uid && claims.exp * 1000 > deps.now()) {
      await deps.store.revokeToken(claims.jti, claims.exp)
    }
    return reply.code(200).header('cache-control', 'no-store').send()
  })
}

/**
 * What both endpoints check first: a form body (400 invalid_request) carrying the one parameter they
 * need (400 invalid_request), from an authenticated client (401 invalid_client).
 */
async function clientCall(
  request: FastifyRequest,
  parameter: string,
  deps: OAuthDeps,
): Promise<{ readonly account: ServiceAccount; readonly secretId: string; readonly value: string } | { readonly error: OAuthError }> {
  const form = request.body instanceof URLSearchParams ? request.body : undefined
  if (!form) return { error: 'invalid_request' }
  const value = single(form, parameter)
  if (value === undefined) return { error: 'invalid_request' }
  const client = await authenticateClient(request, form, deps)
  return 'error' in client ? client : { ...client, value }
}

function single(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name)
  return values.length === 1 && values[0] !== '' ? values[0] : undefined
}

/**
 * The service account whose id and secret the request carries (Basic, or `client_id`/`client_secret` in
 * the form), checked against every unexpired secret of the account, with the id of the secret that matched.
 * RFC 6749 §2.3: a client uses one authentication method per request, so an Authorization header (even a
 * malformed one) beside a `client_secret` in the form, or a header that is no Basic credentials beside a
 * `client_id`, is `invalid_request`; a `client_id` repeated beside good Basic credentials is not
 * authentication and is let be (some OAuth libraries send it).
 */
async function authenticateClient(
  request: FastifyRequest,
  form: URLSearchParams,
  deps: OAuthDeps,
): Promise<{ readonly account: ServiceAccount; readonly secretId: string } | { readonly error: OAuthError }> {
  const header = request.headers.authorization
  const basic = parseBasicAuthorization(header)
  if (header !== undefined && (form.has('client_secret') || (basic === undefined && form.has('client_id')))) return { error: 'invalid_request' }
  const clientId = basic?.user ?? single(form, 'client_id')
  const secret = basic?.password ?? single(form, 'client_secret')
  noteCaller(request.raw, clientId)
  if (clientId === undefined || secret === undefined || secret.length > 1024) return { error: 'invalid_client' }
  const account = await deps.store.getServiceAccount(clientId)
  if (!account) return { error: 'invalid_client' }
  const now = deps.now()
  for (const stored of account.secrets) {
    if (Date.parse(stored.expiresAt) <= now) continue
    if (await verifyClientSecret(secret, stored.hash)) return { account, secretId: stored.id }
  }
  return { error: 'invalid_client' }
}

function oauthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="MongoDB Cloud"')
  return reply
    .code(error === 'invalid_client' ? 401 : 400)
    .headers({ 'content-type': 'application/json', 'cache-control': 'no-store' })
    .send(Buffer.from(JSON.stringify({ error, error_description: DESCRIPTIONS[error] })))
}
