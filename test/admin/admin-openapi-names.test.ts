import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { startAdminApp, type AdminApp } from '../helpers/admin.js'

/**
 * The served admin OpenAPI document describes the same operations and component schemas as it did when
 * it was written by hand (test/admin/openapi-names.json, captured before the document was generated from
 * the record schemas). A new operation or schema is added to that file on purpose.
 */

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options']

interface Names {
  readonly operations: string[]
  readonly schemas: string[]
}

/** `METHOD /path` of every operation (with its operationId, if any), and the component schema names. */
export function openApiNames(doc: { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }): Names {
  const operations: string[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: string } | undefined
      if (operation) operations.push(`${method.toUpperCase()} ${path}${operation.operationId ? ` ${operation.operationId}` : ''}`)
    }
  }
  return { operations: operations.sort(), schemas: Object.keys(doc.components.schemas).sort() }
}

const EXPECTED: Names = JSON.parse(readFileSync(new URL('../../../test/admin/openapi-names.json', import.meta.url), 'utf8'))

describe('the served admin OpenAPI document', () => {
  let t: AdminApp
  before(async () => {
    t = await startAdminApp()
  })
  after(() => t.close())

  test('names the same operations and component schemas as before', async () => {
    const res = await t.admin('GET', '/openapi.json')
    assert.equal(res.status, 200)
    assert.deepEqual(openApiNames(res.json()), EXPECTED)
  })
})
