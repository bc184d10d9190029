import assert from 'node:assert/strict'
import { assertSchema } from './openapi.js'
import type { CallResult } from './test-app.js'

/** Asserts an API error answer: status, catalogue code, the upstream ApiError shape, detail and parameters when given. */
export function assertApiError(res: CallResult, status: number, errorCode: string, detail?: string, parameters?: unknown[]): void {
  assert.equal(res.status, status, res.body)
  const body = res.json()
  assertSchema('ApiError', body)
  assert.deepEqual(Object.keys(body), ['detail', 'error', 'errorCode', 'parameters', 'reason'])
  assert.equal(body.error, status)
  assert.equal(body.errorCode, errorCode)
  assert.equal(res.headers['x-error-code'], errorCode)
  assert.equal(res.headers['content-type'], 'application/json')
  if (detail !== undefined) assert.equal(body.detail, detail)
  if (parameters !== undefined) assert.deepEqual(body.parameters, parameters)
}

/** The Accept header of an Atlas v2 resource version date. */
export function atlasAccept(date: string): string {
  return `application/vnd.atlas.${date}+json`
}
