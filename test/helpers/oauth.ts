import assert from 'node:assert/strict'
import type { InjectOptions } from 'fastify'
import { digestAuthorization, parseChallenge, type Credentials } from './digest-client.js'
import { ATLAS_V2_ACCEPT, type CallResult, type TestApp } from './test-app.js'

export const FORM = 'application/x-www-form-urlencoded'

/** A service account's client credentials as a fixture declares them. */
export interface ClientCredentials {
  readonly clientId: string
  readonly clientSecret: string
}

/** An API key (Digest), a bearer token, or nobody. */
export type Caller = { readonly key: Credentials } | { readonly token: string } | null

export interface InjectExtras {
  readonly method?: string
  readonly headers?: Record<string, string>
  /** The Accept header; defaults to the versioned type on Atlas v2 paths; null sends none. */
  readonly accept?: string | null
  /** The socket peer address light-my-request reports (127.0.0.1 unless given). */
  readonly remoteAddress?: string
}

/** `Basic base64(urlencode(id):urlencode(secret))`, as RFC 6749 §2.3.1 has clients send it. */
export function basic(clientId: string, secret: string): string {
  const encode = (text: string): string => encodeURIComponent(text)
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`
}

export function form(fields: Record<string, string> | [string, string][]): string {
  return new URLSearchParams(fields).toString()
}

async function inject(t: TestApp, url: string, options: InjectOptions): Promise<CallResult> {
  const response = await t.app.inject({ ...options, url })
  return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
}

/** One POST to an OAuth endpoint: `body` as given, Content-Type form unless headers say otherwise. */
export function oauthPost(t: TestApp, path: string, body: string | undefined, headers: Record<string, string> = {}): Promise<CallResult> {
  return inject(t, path, {
    method: 'POST',
    headers: { 'content-type': FORM, ...headers },
    ...(body === undefined ? {} : { payload: body }),
  })
}

/** The token endpoint's answer for these credentials and grant. */
export function requestToken(t: TestApp, clientId: string, secret: string, grant = 'client_credentials'): Promise<CallResult> {
  return oauthPost(t, '/api/oauth/token', form({ grant_type: grant }), { authorization: basic(clientId, secret) })
}

/** A fresh access token; fails the test unless the endpoint answers 200. */
export async function getToken(t: TestApp, clientId: string, secret: string): Promise<string> {
  const res = await requestToken(t, clientId, secret)
  assert.equal(res.status, 200, res.body)
  const token: unknown = res.json().access_token
  assert.equal(typeof token, 'string')
  return token as string
}

export function revokeToken(t: TestApp, clientId: string, secret: string, token: string): Promise<CallResult> {
  return oauthPost(t, '/api/oauth/revoke', form({ token }), { authorization: basic(clientId, secret) })
}

/** An API call with `Authorization: Bearer <token>`. */
export function bearerCall(t: TestApp, url: string, token: string, extras: InjectExtras = {}): Promise<CallResult> {
  return callAs(t, url, { token }, extras)
}

/**
 * An API call as the caller: a bearer token is sent at once; an API key answers the Digest challenge
 * first. Both requests come from `remoteAddress` when given.
 */
export async function callAs(t: TestApp, url: string, caller: Caller, extras: InjectExtras = {}): Promise<CallResult> {
  const method = extras.method ?? 'GET'
  const headers: Record<string, string> = { ...extras.headers }
  const accept = extras.accept === undefined ? (url.startsWith('/api/atlas/v2/') ? ATLAS_V2_ACCEPT : null) : extras.accept
  if (accept !== null) headers['accept'] = accept
  const send = (authorization?: string): Promise<CallResult> =>
    inject(t, url, {
      method: method as 'GET',
      headers: authorization === undefined ? headers : { ...headers, authorization },
      ...(extras.remoteAddress === undefined ? {} : { remoteAddress: extras.remoteAddress }),
    })
  if (caller === null) return send()
  if ('token' in caller) return send(`Bearer ${caller.token}`)
  const first = await send()
  const challenge = first.headers['www-authenticate']
  if (first.status !== 401 || typeof challenge !== 'string') return first
  const { nonce } = parseChallenge(challenge)
  return send(digestAuthorization({ credentials: caller.key, method, uri: url, nonce, nc: 1 }))
}
