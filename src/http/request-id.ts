import { randomUUID } from 'node:crypto'

/** The header a request id comes in with and goes out in. */
export const REQUEST_ID_HEADER = 'x-request-id'

/** An incoming id is kept when it is short and made of characters safe in a header, a log and a URL. */
const ACCEPTABLE = /^[A-Za-z0-9._:=+/@-]{1,128}$/

/**
 * The id of a request: the caller's `X-Request-Id` (or a proxy's) when it is acceptable, so that one id
 * follows a call through the proxies and Waymark; otherwise a new random UUID. Anything else the caller
 * sent (too long, spaces, quotes, control characters, several headers) is replaced, never echoed.
 */
export function requestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID()
}
