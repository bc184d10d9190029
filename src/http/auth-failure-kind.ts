import type { AuthFailure } from '../auth/authenticate.js'

/**
 * Why a caller was refused, as the metrics count it (`waymark_auth_failures_total{kind}`). The first
 * twelve are the authenticator's reasons; the rest are decided after it or outside the API pipeline.
 */
export const AUTH_FAILURE_KINDS = [
  'no_credentials',
  'malformed_header',
  'unknown_key',
  'uri_mismatch',
  'bad_digest_response',
  'stale_nonce',
  'nonce_leased_elsewhere',
  'invalid_nonce',
  'replayed_nc',
  'invalid_token',
  'expired_token',
  'revoked_token',
  'access_list',
  'role',
  'invalid_client',
  'admin_token',
  'metrics_token',
] as const
export type AuthFailureKind = (typeof AUTH_FAILURE_KINDS)[number]

/**
 * What an open `/metrics` shows instead of the kinds that would tell a stranger a fact about one
 * credential (docs/operations.md): whether a public key exists (`unknown_key` vs `bad_digest_response`
 * vs `uri_mismatch`, which is checked after the key is found), or whether a token was revoked, expired or
 * its account deleted. With a metrics token the scraper is trusted and sees every kind.
 */
export const COARSE_AUTH_FAILURE_KIND: Readonly<Partial<Record<AuthFailureKind, string>>> = {
  unknown_key: 'bad_credentials',
  uri_mismatch: 'bad_credentials',
  bad_digest_response: 'bad_credentials',
  invalid_token: 'bad_token',
  expired_token: 'bad_token',
  revoked_token: 'bad_token',
}

/** The metrics' name of each authenticator reason. */
export const AUTH_FAILURE_KIND: Readonly<Record<AuthFailure, AuthFailureKind>> = {
  missing: 'no_credentials',
  malformed: 'malformed_header',
  'unknown-key': 'unknown_key',
  'uri-mismatch': 'uri_mismatch',
  'bad-response': 'bad_digest_response',
  stale: 'stale_nonce',
  'leased-elsewhere': 'nonce_leased_elsewhere',
  'invalid-nonce': 'invalid_nonce',
  replay: 'replayed_nc',
  'invalid-token': 'invalid_token',
  'expired-token': 'expired_token',
  'revoked-token': 'revoked_token',
}
