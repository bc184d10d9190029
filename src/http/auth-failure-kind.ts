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
