/**
 * The admin API, called with the admin token as a bearer header: never in a URL, so never in a log,
 * a history or a Referer. Errors keep the API's error body, so forms can put each message by its field.
 */

export const ADMIN = '/_admin/v1'

export interface FieldViolation {
  readonly field: string
  readonly description: string
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly fields: readonly FieldViolation[],
    readonly parameters: readonly unknown[],
  ) {
    super(detail)
  }
}

export interface Api {
  get<T>(path: string): Promise<T>
  post<T>(path: string, body?: unknown): Promise<T>
  patch<T>(path: string, body: unknown): Promise<T>
}

/** A client of the admin API; `onUnauthorized` runs when the server refuses the token (401). */
export function adminApi(token: string, onUnauthorized: () => void): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${ADMIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
    })
    const text = await response.text()
    const json: unknown = text === '' ? undefined : JSON.parse(text)
    if (response.ok) return json as T
    if (response.status === 401) onUnauthorized()
    const error = (json ?? {}) as { errorCode?: string; detail?: string; badRequestDetail?: { fields?: FieldViolation[] }; parameters?: unknown[] }
    throw new AdminError(
      response.status,
      error.errorCode ?? `HTTP_${response.status}`,
      error.detail ?? response.statusText,
      error.badRequestDetail?.fields ?? [],
      error.parameters ?? [],
    )
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
  }
}

/** Checks a token against the server: true when the admin API accepts it. */
export async function tokenAccepted(token: string): Promise<boolean> {
  const response = await fetch(`${ADMIN}/clock`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' })
  if (response.status === 401) return false
  if (!response.ok) throw new Error(`the server answered ${response.status}`)
  return true
}

/**
 * Each field's message from a refused change, by the names of the form's fields; what no field takes is
 * under `''` (shown at the top of the form). Schedule errors name no field in their body: they belong to
 * the interval. `aliases` maps the API's field names to the form's.
 */
export function fieldMessages(error: unknown, fieldNames: readonly string[], aliases: Readonly<Record<string, string>> = {}): Record<string, string> {
  if (!(error instanceof AdminError)) return { '': error instanceof Error ? error.message : String(error) }
  const messages: Record<string, string> = {}
  const put = (field: string, message: string) => {
    const name = aliases[field] ?? field
    const key = fieldNames.includes(name) ? name : ''
    messages[key] = messages[key] === undefined ? message : `${messages[key]} ${message}`
  }
  if (error.fields.length > 0) for (const f of error.fields) put(f.field, f.description)
  else if (error.errorCode === 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET' || error.errorCode === 'INVALID_CLUSTER_CHECKPOINT_INTERVAL') {
    put('checkpointIntervalMinutes', error.detail)
  } else if (error.errorCode === 'INVALID_ATTRIBUTE' && typeof error.parameters[0] === 'string') put(error.parameters[0], error.detail)
  else put('', `${error.detail} (${error.errorCode})`)
  return messages
}
