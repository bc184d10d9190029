import assert from 'node:assert/strict'
import { ADMIN_PREFIX } from '../../src/admin/admin-routes.js'
import { assertAdminResponse } from './admin-openapi.js'
import { startTestApp, type CallResult, type TestApp, type TestAppOptions } from './test-app.js'

export const ADMIN_TOKEN = 'test-admin-token-3f9c2a71'

export interface AdminCallOptions {
  /** Headers to send; the admin token is sent unless `authorization` is given here (null: none). */
  readonly authorization?: string | null
  readonly headers?: Record<string, string>
}

export interface AdminApp extends TestApp {
  /**
   * Calls the admin API in-process (`path` relative to /_admin/v1, with its query) with the admin token
   * and a JSON body (a string is sent as it is), and checks the answer against the admin OpenAPI document.
   */
  admin(method: string, path: string, body?: unknown, options?: AdminCallOptions): Promise<CallResult>
}

/** A test app (fresh store with the demo and the test fixture) with the admin API on. */
export async function startAdminApp(options: TestAppOptions = {}): Promise<AdminApp> {
  const t = await startTestApp({ ...options, env: { WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN, ...options.env } })
  const admin = async (method: string, path: string, body?: unknown, callOptions: AdminCallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...callOptions.headers }
    const authorization = callOptions.authorization === undefined ? `Bearer ${ADMIN_TOKEN}` : callOptions.authorization
    if (authorization !== null) headers['authorization'] = authorization
    if (body !== undefined) headers['content-type'] ??= 'application/json'
    const url = `${ADMIN_PREFIX}${path}`
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    })
    assertAdminResponse(method, url, response.statusCode, response.body)
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
  }
  return { ...t, admin }
}

/** Asserts an error answer: status, errorCode and, when given, parameters. */
export function assertAdminError(res: CallResult, status: number, errorCode: string, parameters?: readonly unknown[]): void {
  assert.equal(res.status, status, res.body)
  assert.equal(res.headers['content-type'], 'application/json')
  assert.equal(res.headers['x-error-code'], errorCode)
  const body = res.json()
  assert.equal(body.errorCode, errorCode, res.body)
  if (parameters) assert.deepEqual(body.parameters, parameters)
}

/**
 * Asserts 400 INVALID_ATTRIBUTE listing exactly these field violations, in order: each a field and its
 * description (a string is compared exactly, a RegExp matched).
 */
export function assertViolations(res: CallResult, expected: ReadonlyArray<readonly [string, string | RegExp]>): void {
  assertAdminError(res, 400, 'INVALID_ATTRIBUTE')
  const fields: Array<{ field: string; description: string }> = res.json().badRequestDetail.fields
  assert.deepEqual(fields.map((f) => f.field), expected.map(([field]) => field), res.body)
  expected.forEach(([, description], i) => {
    const actual = fields[i]?.description ?? ''
    if (typeof description === 'string') assert.equal(actual, description)
    else assert.match(actual, description)
  })
  assert.deepEqual(res.json().parameters, [expected.find(([field]) => field !== '')?.[0] ?? ''])
}
