import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ApiError, ERRORS, fillTemplate, type ErrorName } from '../src/errors.js'

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const ROWS = DOC.split('\n').filter((line) => line.startsWith('| ') && line.includes('`'))

test('docs/errors.md has a row for every catalogue entry, with its status and detail template', () => {
  for (const [name, spec] of Object.entries(ERRORS)) {
    const row = ROWS.find((line) => line.includes(`\`${spec.errorCode}\``) && line.includes(`| ${spec.status} |`) && line.includes(`| ${spec.detail} |`))
    assert.ok(row, `docs/errors.md lacks ${name}: ${spec.status} ${spec.errorCode} "${spec.detail}"`)
  }
})

test('every catalogue row of docs/errors.md exists in the catalogue', () => {
  for (const row of ROWS.filter((line) => /^\| (<a [^>]+><\/a>)?`[A-Z_]+` \| \d{3} \|/.test(line))) {
    const [, code, status, detail] = /`([A-Z_]+)` \| (\d{3}) \| ([^|]+) \|/.exec(row) ?? []
    const found = Object.values(ERRORS).some((s) => s.errorCode === code && String(s.status) === status && s.detail === detail?.trim())
    assert.ok(found, `docs/errors.md documents an error the catalogue does not have: ${row}`)
  }
})

test('templates fill in order and bodies keep the real key order', () => {
  assert.equal(fillTemplate('a %s b %s', ['x', 7]), 'a x b 7')
  const error = new ApiError('CLUSTER_NAME_NOT_FOUND' satisfies ErrorName, ['Cluster0', 'g'])
  assert.deepEqual(Object.keys(error.toBody()), ['detail', 'error', 'errorCode', 'parameters', 'reason'])
  assert.equal(error.toBody().detail, 'No cluster named Cluster0 exists in group g.')
})
