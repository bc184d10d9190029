import type { Principal } from '../domain/types.js'
import type { Store } from '../storage/store.js'
import { formatDigestChallenge, parseDigestAuthorization } from './digest-header.js'
import { verifyDigestResponse } from './digest-response.js'
import type { NonceBook } from './nonces.js'

/** The caller, or the challenge to answer with 401. */
export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly challenge: string; readonly reason: AuthFailure }

/** Why authentication failed; logged and counted, never told to the caller. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown-key' | 'uri-mismatch' | 'bad-response' | 'stale' | 'invalid-nonce' | 'replay'

export interface AuthRequest {
  readonly method: string
  /** The request target exactly as sent (path and query), which the Digest `uri` must equal. */
  readonly target: string
  readonly authorization: string | undefined
}

/**
 * HTTP Digest (RFC 7616, MD5, qop=auth) with API keys: username = public key, password = private key.
 * The response is checked against the stored HA1 before the nonce's `nc` is recorded, so a wrong
 * guess never burns a client's counter. An expired nonce with otherwise good credentials is answered
 * with `stale=true`, so clients retry with the fresh nonce without asking the user again.
 */
export class DigestAuthenticator {
  constructor(
    private readonly store: Store,
    private readonly nonces: NonceBook,
  ) {}

  async authenticate(request: AuthRequest): Promise<AuthOutcome> {
    const header = request.authorization
    if (header === undefined || !/^digest\s/i.test(header)) return this.#fail('missing')
    const auth = parseDigestAuthorization(header)
    if (!auth) return this.#fail('malformed')
    const key = await this.store.getApiKey(auth.username)
    if (!key) return this.#fail('unknown-key')
    if (auth.uri !== request.target) return this.#fail('uri-mismatch')
    if (!verifyDigestResponse(auth, key.digestHa1, request.method)) return this.#fail('bad-response')
    switch (this.nonces.check(auth.nonce, Number.parseInt(auth.nc ?? '', 16))) {
      case 'ok':
        return { ok: true, principal: { kind: 'apiKey', id: key.publicKey, orgId: key.orgId, roles: key.roles } }
      case 'stale':
        return this.#fail('stale', true)
      case 'replay':
        return this.#fail('replay')
      case 'invalid':
        return this.#fail('invalid-nonce')
    }
  }

  #fail(reason: AuthFailure, stale = false): AuthOutcome {
    return { ok: false, reason, challenge: formatDigestChallenge(this.nonces.issue(), stale) }
  }
}
