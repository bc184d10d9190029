import type { Principal, ServiceAccount } from '../domain/types.js'
import { BoundedMap, type Bounds } from '../memory/bounded-map.js'
import type { Store } from '../storage/store.js'
import { readAccessToken, type TokenClaims } from './access-tokens.js'
import { formatDigestChallenge, parseDigestAuthorization } from './digest-header.js'
import { verifyDigestResponse } from './digest-response.js'
import type { NonceBook } from './nonces.js'

/** The caller, or the challenge to answer with 401. */
export type AuthOutcome =
  | {
      readonly ok: true
      readonly principal: Principal
      /** Clock milliseconds until which these credentials stay valid as they are: a token's expiry; Infinity for Digest. */
      readonly until: number
    }
  | {
      readonly ok: false
      readonly challenge: string
      readonly reason: AuthFailure
      /** Who the credentials said they were, when they named someone: a Digest username, a verified token's client id. */
      readonly caller?: string
    }
  | {
      /**
       * Good Digest credentials whose fresh nonce would need a lease write, for a caller whose per-caller
       * bucket is empty (`NonceBook`'s `mayClaim`): nothing was written; the pipeline answers 429.
       */
      readonly ok: false
      readonly limited: true
      readonly caller: string
    }

/** Why authentication failed; logged and counted, never told to the caller. */
export type AuthFailure =
  | 'missing'
  | 'malformed'
  | 'unknown-key'
  | 'uri-mismatch'
  | 'bad-response'
  | 'stale'
  | 'leased-elsewhere'
  | 'invalid-nonce'
  | 'replay'
  | 'invalid-token'
  | 'expired-token'
  | 'revoked-token'

export interface AuthRequest {
  readonly method: string
  /** The request target exactly as sent (path and query), which the Digest `uri` must equal. */
  readonly target: string
  readonly authorization: string | undefined
}

export interface AuthenticatorDeps {
  readonly store: Store
  readonly nonces: NonceBook
  /** The HMAC secret access tokens are signed with. */
  readonly tokenSecret: string
  /** Milliseconds. */
  readonly now: () => number
}

const BEARER_CHALLENGE = 'Bearer error="invalid_token"'
/** Verified access tokens remembered (about 300 bytes each, ours: signed) before the memory starts over. */
const VERIFIED_TOKENS: Bounds = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 }

/**
 * The two ways in, as the real API has them:
 * - HTTP Digest (RFC 7616, MD5, qop=auth) with API keys: username = public key, password = private key.
 *   The response is checked against the stored HA1 before the nonce's `nc` is recorded, so a wrong
 *   guess never burns a client's counter. An expired nonce with otherwise good credentials is answered
 *   with `stale=true`, so clients retry with the fresh nonce without asking the user again.
 * - OAuth 2.0 bearer tokens of service accounts: signature and expiry checked locally, revocation and
 *   the account itself in the store, so a revoked token fails at once on every instance.
 * A request with neither gets the Digest challenge, the only one the Go digest library accepts.
 */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  async authenticate(request: AuthRequest): Promise<AuthOutcome> {
    const header = request.authorization
    if (header !== undefined && isBearer(header)) return this.#bearer(header.slice(7).trim())
    if (header === undefined || !/^digest\s/i.test(header)) return this.#digestFailure('missing')
    return this.#digest(header, request)
  }

  async #digest(header: string, request: AuthRequest): Promise<AuthOutcome> {
    const auth = parseDigestAuthorization(header)
    if (!auth) return this.#digestFailure('malformed')
    const caller = auth.username
    const key = await this.deps.store.getApiKey(caller)
    if (!key) return this.#digestFailure('unknown-key', false, caller)
    if (auth.uri !== request.target) return this.#digestFailure('uri-mismatch', false, caller)
    if (!verifyDigestResponse(auth, key.digestHa1, request.method)) return this.#digestFailure('bad-response', false, caller)
    const nc = Number.parseInt(auth.nc ?? '', 16)
    // The first use of a nonce in this process waits for its lease in the store (NonceBook); later ones do not.
    const verdict = this.deps.nonces.check(auth.nonce, nc, key.publicKey)
    switch (typeof verdict === 'string' ? verdict : await verdict) {
      case 'limited':
        return { ok: false, limited: true, caller }
      case 'ok':
        return {
          ok: true,
          principal: { kind: 'apiKey', id: key.publicKey, orgId: key.orgId, roles: key.roles, accessList: key.accessList },
          until: Infinity,
        }
      case 'stale':
        return this.#digestFailure('stale', true, caller)
      case 'elsewhere':
        // Another instance holds this nonce: the client retries with a fresh one, as for an expired nonce.
        return this.#digestFailure('leased-elsewhere', true, caller)
      case 'replay':
        return this.#digestFailure('replay', false, caller)
      case 'invalid':
        return this.#digestFailure('invalid-nonce', false, caller)
    }
  }

  async #bearer(token: string): Promise<AuthOutcome> {
    const claims = this.#verified.get(token) ?? this.#verify(token)
    if (!claims) return bearerFailure('invalid-token')
    if (claims.exp * 1000 <= this.deps.now()) return bearerFailure('expired-token', claims.sub)
    if (await this.deps.store.isTokenRevoked(claims.jti)) return bearerFailure('revoked-token', claims.sub)
    const account = await this.deps.store.getServiceAccount(claims.sub)
    // The account the token was issued to, still holding the secret it was issued with: not merely an
    // account with the same (reusable) client id.
    if (!account || !tokenBelongsTo(claims, account)) return bearerFailure('invalid-token', claims.sub)
    return {
      ok: true,
      principal: { kind: 'serviceAccount', id: account.clientId, orgId: account.orgId, roles: account.roles, accessList: account.accessList },
      until: claims.exp * 1000,
    }
  }

  /**
   * The claims of a token whose signature was checked before: a client sends the same token for an hour,
   * and checking its HMAC again would answer the same. Expiry and revocation are still checked on every use.
   */
  readonly #verified = new BoundedMap<string, TokenClaims>(VERIFIED_TOKENS)

  #verify(token: string): TokenClaims | undefined {
    const claims = readAccessToken(this.deps.tokenSecret, token)
    if (claims !== undefined) this.#verified.set(token, claims)
    return claims
  }

  #digestFailure(reason: AuthFailure, stale = false, caller?: string): AuthOutcome {
    const challenge = formatDigestChallenge(this.deps.nonces.issue(), stale)
    return caller === undefined ? { ok: false, reason, challenge } : { ok: false, reason, challenge, caller }
  }
}

/**
 * Whether a token was issued to this very account (its identity, not only its client id) with a secret
 * the account still holds. A deleted account, one created again with the same client id, and a removed
 * secret all end the tokens issued before.
 */
export function tokenBelongsTo(claims: TokenClaims, account: ServiceAccount): boolean {
  return claims.sub === account.clientId && claims.aid === account.uid && account.secrets.some((s) => s.id === claims.sid)
}

/** Whether an Authorization header is a bearer token (the scheme is case-insensitive). */
export function isBearer(header: string): boolean {
  return /^bearer /i.test(header)
}

function bearerFailure(reason: AuthFailure, caller?: string): AuthOutcome {
  return caller === undefined ? { ok: false, reason, challenge: BEARER_CHALLENGE } : { ok: false, reason, challenge: BEARER_CHALLENGE, caller }
}
