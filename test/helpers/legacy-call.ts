import { digestAuthorization, parseChallenge, type Credentials } from './digest-client.js'
import { KEYS } from './fixtures.js'
import { ATLAS_V2_ACCEPT, type CallResult, type TestApp } from './test-app.js'

export interface BodyCallOptions {
  readonly method?: string
  readonly key?: Credentials
  /** A value to send as JSON, or a string sent as is. */
  readonly body?: unknown
  /** Default: the SDK's `application/vnd.atlas.2023-01-01+json` on Atlas v2, `application/json` elsewhere; null: none. */
  readonly contentType?: string | null
  readonly accept?: string | null
}

/** A Digest-authenticated call with a body, through `app.inject` (test-app.ts sends none). */
export async function callWithBody(t: TestApp, url: string, options: BodyCallOptions = {}): Promise<CallResult> {
  const method = options.method ?? 'GET'
  const v2 = url.startsWith('/api/atlas/v2/')
  const headers: Record<string, string> = {}
  const accept = options.accept === undefined ? (v2 ? ATLAS_V2_ACCEPT : undefined) : options.accept
  if (accept !== undefined && accept !== null) headers['accept'] = accept
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
  const contentType = options.contentType === undefined ? (v2 ? ATLAS_V2_ACCEPT : 'application/json') : options.contentType
  if (payload !== undefined && contentType !== null) headers['content-type'] = contentType
  const send = async (extra: Record<string, string>): Promise<CallResult> => {
    const response = await t.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload }) })
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
  }
  const first = await send({})
  if (first.status !== 401 || typeof first.headers['www-authenticate'] !== 'string') return first
  const { nonce } = parseChallenge(first.headers['www-authenticate'])
  const key = options.key ?? KEYS.demoread
  return send({ authorization: digestAuthorization({ credentials: key, method, uri: url, nonce, nc: 1 }) })
}
