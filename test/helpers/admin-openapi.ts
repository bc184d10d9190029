import assert from 'node:assert/strict'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { ADMIN_OPENAPI } from '../../src/admin/admin-openapi.js'

const PREFIX = '/_admin/v1'

let ajv: Ajv | undefined

function validator(pointer: string): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true })
    ;(addFormatsModule as unknown as (instance: Ajv) => void)(ajv)
    ajv.addSchema({ ...JSON.parse(JSON.stringify(ADMIN_OPENAPI)), $id: 'admin' })
  }
  const validate = ajv.getSchema(`admin#${pointer}`)
  if (!validate) throw new Error(`no schema at ${pointer}`)
  return validate
}

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1')

/** The documented path template a request path (without the prefix) matches; literal segments win. */
export function documentedPath(path: string): string | undefined {
  const segments = path.split('/')
  const candidates = Object.keys(ADMIN_OPENAPI.paths).filter((template) => {
    const parts = template.split('/')
    return parts.length === segments.length && parts.every((p, i) => p.startsWith('{') || p === segments[i])
  })
  const literals = (t: string): number => t.split('/').filter((p) => !p.startsWith('{')).length
  return candidates.sort((a, b) => literals(b) - literals(a))[0]
}

/**
 * Asserts that an admin answer is what the OpenAPI document declares for its operation and status: a
 * response the operation lists, with a body valid against its schema. Answers without an operation
 * (unknown paths, other methods) must be valid ApiError bodies.
 */
export function assertAdminResponse(method: string, url: string, status: number, body: string): void {
  assert.ok(url.startsWith(PREFIX), url)
  const path = (url.split('?')[0] ?? '').slice(PREFIX.length)
  const template = documentedPath(path)
  const operation = template === undefined ? undefined : documentedOperation(template, method === 'HEAD' ? 'GET' : method)
  if (method === 'HEAD') return
  const parsed: unknown = JSON.parse(body)
  if (!operation || template === undefined || status === 401) {
    if (operation && template !== undefined) assert.ok(operation.responses[String(status)], `${method} ${template} does not document ${status}`)
    assertValid(validator('/components/schemas/ApiError'), parsed, `${method} ${url} ${status}`)
    return
  }
  assert.ok(operation.responses[String(status)], `${method} ${template} does not document ${status}: ${body}`)
  const pointer = `/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}/content/${escape('application/json')}/schema`
  assertValid(validator(pointer), parsed, `${method} ${url} ${status}`)
}

/** The operation the document gives `method` at `template`, or undefined. */
export function documentedOperation(template: string, method: string): { readonly responses: Record<string, unknown> } | undefined {
  const item = (ADMIN_OPENAPI.paths as unknown as Record<string, Record<string, unknown>>)[template]
  const operation = item?.[method.toLowerCase()]
  return typeof operation === 'object' && operation !== null && 'responses' in operation
    ? (operation as { readonly responses: Record<string, unknown> })
    : undefined
}

function assertValid(validate: ValidateFunction, body: unknown, what: string): void {
  assert.ok(validate(body), `${what}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`)
}
