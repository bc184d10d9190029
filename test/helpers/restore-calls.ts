import type { Credentials } from './digest-client.js'
import { digestAuthorization, parseChallenge } from './digest-client.js'
import { KEYS } from './fixtures.js'
import { ATLAS_V2_ACCEPT, type CallResult, type TestApp } from './test-app.js'

export const SDK_CONTENT_TYPE = 'application/vnd.atlas.2023-01-01+json'

/** A write with a body through `inject`, answering the Digest challenge (the org owner by default). */
export async function send(
  t: TestApp,
  method: string,
  url: string,
  body: unknown,
  options: { key?: Credentials; contentType?: string | null; raw?: string } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = {}
  if (url.startsWith('/api/atlas/v2/')) headers['accept'] = ATLAS_V2_ACCEPT
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType
  if (contentType !== null) headers['content-type'] = contentType
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body))
  const inject = async (extra: Record<string, string>) => {
    const response = await t.app.inject({ method: method as 'POST', url, headers: { ...headers, ...extra }, ...(payload !== undefined ? { payload } : {}) })
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
  }
  const first = await inject({})
  if (first.status !== 401 || typeof first.headers['www-authenticate'] !== 'string') return first
  const { nonce } = parseChallenge(first.headers['www-authenticate'])
  const key = options.key ?? KEYS.orgowner
  return inject({ authorization: digestAuthorization({ credentials: key, method, uri: url, nonce, nc: 1 }) })
}
