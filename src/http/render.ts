import { ApiError, ERRORS, REASONS } from '../errors.js'
import { stringBytes, type Bounds } from '../memory/bounded-map.js'
import { jacksonPretty } from './jackson-pretty.js'
import type { OutputFormat } from './query-params.js'

/** A finished answer, independent of the HTTP framework that writes it. */
export interface ApiResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const JSON_TYPE = 'application/json'

/**
 * A success body. With `envelope=true` an entity becomes `{"status": S, "content": body}` and a list
 * (which is an envelope already) gets `"status"` added after its fields; the HTTP status is unchanged.
 */
export function renderSuccess(
  body: object,
  kind: 'entity' | 'list',
  format: OutputFormat,
  contentType: string,
  headers: Readonly<Record<string, string>> = {},
): ApiResponse {
  return renderSerialized(serializeSuccess(body, kind, format), contentType, headers)
}

/** The text of a success body (see {@link renderSuccess}). */
export function serializeSuccess(body: object, kind: 'entity' | 'list', format: OutputFormat): string {
  return serialize(wrap(body, kind, 200, format), format)
}

/** A success answer whose body is already serialised. */
export function renderSerialized(body: string, contentType: string, headers: Readonly<Record<string, string>> = {}): ApiResponse {
  return { status: 200, headers: { ...headers, 'content-type': contentType }, body }
}

/** An API error: compact JSON (unless pretty), `X-Error-Code`, enveloped like an entity when asked. */
export function renderError(
  error: ApiError,
  format: OutputFormat,
  headers: Readonly<Record<string, string>> = {},
): ApiResponse {
  return {
    status: error.status,
    headers: { ...headers, 'content-type': JSON_TYPE, 'x-error-code': error.errorCode },
    body: serialize(wrap(error.toBody(), 'entity', error.status, format), format),
  }
}

/**
 * The 401 for missing or failed credentials, as the real API sends it: always Jackson-pretty, key
 * order error, reason, detail, errorCode, with the authentication challenge.
 */
export function renderUnauthenticated(challenge: string): ApiResponse {
  const spec = ERRORS.NOT_AUTHENTICATED
  unauthenticatedBody ??= jacksonPretty({ error: spec.status, reason: REASONS[spec.status], detail: spec.detail, errorCode: spec.errorCode })
  return {
    status: spec.status,
    headers: { 'content-type': JSON_TYPE, 'www-authenticate': challenge },
    body: unauthenticatedBody,
  }
}

/** The same for every 401 (a Go client is challenged on every call): made once. */
let unauthenticatedBody: string | undefined

/**
 * A success body made from a record the store's cache shares between requests (the same object until
 * it changes), remembered per record and per rendering (`key`: dialect, base URL, path, format…), so that
 * a checkpoint asked for again is not turned into its view and serialised again. A record that changes
 * is a new object, so a remembered body is never stale.
 *
 * Bounded for the whole process, not per record: what a caller may vary (the Host of the links, the page
 * size, the format, the dialect) makes new bodies of the same records, so a per-record bound would still
 * multiply with the records kept. Past {@link BODY_MEMO} (bodies and keys counted, also those of records
 * collected since, an over-estimate) the memo starts over; a body over a quarter of it is not kept.
 */
export function memoizedBody(record: object, key: string, make: () => string): string {
  const bodies = memo.records.get(record)
  const remembered = bodies?.get(key)
  if (remembered !== undefined) return remembered
  const body = make()
  const bytes = stringBytes(body) + stringBytes(key)
  if (bytes > BODY_MEMO.maxBytes / 4) return body
  if (memo.entries >= BODY_MEMO.maxEntries || memo.bytes + bytes > BODY_MEMO.maxBytes) memo = newMemo()
  let kept = memo.records.get(record)
  if (kept === undefined) memo.records.set(record, (kept = new Map()))
  kept.set(key, body)
  memo.entries++
  memo.bytes += bytes
  return body
}

/** The bounds of the bodies {@link memoizedBody} keeps (docs/security.md). */
export const BODY_MEMO: Bounds = { maxEntries: 20_000, maxBytes: 16 * 1024 * 1024 }

interface BodyMemo {
  readonly records: WeakMap<object, Map<string, string>>
  entries: number
  bytes: number
}

const newMemo = (): BodyMemo => ({ records: new WeakMap(), entries: 0, bytes: 0 })
let memo = newMemo()

function wrap(body: object, kind: 'entity' | 'list', status: number, format: OutputFormat): object {
  if (!format.envelope) return body
  return kind === 'list' ? { ...body, status } : { status, content: body }
}

function serialize(value: object, format: OutputFormat): string {
  return format.pretty ? jacksonPretty(value) : JSON.stringify(value)
}
