import { ApiError, ERRORS, REASONS } from '../errors.js'
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
  const status = 200
  return { status, headers: { ...headers, 'content-type': contentType }, body: serialize(wrap(body, kind, status, format), format) }
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
  const body = { error: spec.status, reason: REASONS[spec.status], detail: spec.detail, errorCode: spec.errorCode }
  return {
    status: spec.status,
    headers: { 'content-type': JSON_TYPE, 'www-authenticate': challenge },
    body: jacksonPretty(body),
  }
}

function wrap(body: object, kind: 'entity' | 'list', status: number, format: OutputFormat): object {
  if (!format.envelope) return body
  return kind === 'list' ? { ...body, status } : { status, content: body }
}

function serialize(value: object, format: OutputFormat): string {
  return format.pretty ? jacksonPretty(value) : JSON.stringify(value)
}
