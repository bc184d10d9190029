import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { ADMIN_OPENAPI } from '../../src/admin/admin-openapi.js'
import { ADMIN_TOKEN, startAdminApp, type AdminApp } from '../helpers/admin.js'
import { documentedOperation } from '../helpers/admin-openapi.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DOC = readFileSync(new URL('docs/admin-api.md', `file://${ROOT}`), 'utf8')
const [, REFERENCE = '', WALKTHROUGH = ''] = /^## Organizations\n([\s\S]*?)^## Arrange a test scenario\n([\s\S]*)$/m.exec(DOC) ?? []
const shBlocks = (text: string): string[] => [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')

const missing = async (tool: string): Promise<boolean> => run('sh', ['-c', `command -v ${tool}`]).then(() => false, () => true)
const NO_CURL = (await missing('curl')) || (await missing('bash'))
const NO_JQ = await missing('jq')

describe('docs/admin-api.md', () => {
  let t: AdminApp
  let base: string
  before(async () => {
    // As the doc's time examples assume: a server started with --clock 2026-12-01T00:00:00Z.
    const started = Date.now()
    t = await startAdminApp({ now: () => Date.parse('2026-12-01T00:00:00Z') + (Date.now() - started) })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  })
  after(() => t.close())

  const env = () => ({ ...process.env, ADMIN: `${base}/_admin/v1`, AUTH: `Authorization: Bearer ${ADMIN_TOKEN}`, WAYMARK_ADMIN_TOKEN: ADMIN_TOKEN })

  test('has a section with a curl example for every operation of the OpenAPI document', () => {
    for (const template of Object.keys(ADMIN_OPENAPI.paths)) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (!documentedOperation(template, method)) continue
        const heading = `### \`${method} ${template}\`\n`
        const at = REFERENCE.indexOf(heading)
        assert.ok(at >= 0, `no section ${heading}`)
        const section = REFERENCE.slice(at + heading.length).split('\n### ')[0] ?? ''
        assert.match(section, /```sh\n[^`]*^curl /m, `no curl example under ${heading}`)
      }
    }
  })

  test('its curl examples, run in order against a server with the demo, all succeed', { skip: NO_CURL && 'needs curl and bash' }, async () => {
    const blocks = shBlocks(REFERENCE)
    const calls = blocks.join('\n').split('\n').filter((line) => line.startsWith('curl ')).length
    assert.ok(calls >= 40, `${calls} curl examples`)
    const script = `set -e\ncurl() { command curl -w '\\n%{http_code}\\n' "$@"; }\n${blocks.join('\n')}`
    const { stdout } = await run('bash', ['-c', script], { env: env(), cwd: ROOT, maxBuffer: 16 * 1024 * 1024 })
    const lines = stdout.split('\n')
    const codes = lines.filter((line) => /^\d{3}$/.test(line))
    assert.equal(codes.length, calls, stdout)
    codes.forEach((code, i) => assert.match(code, /^2\d\d$/, `call ${i + 1} answered ${code}: ${lines[lines.indexOf(code) - 1]}`))
  })

  test('its walkthrough arranges a scenario the Atlas API then serves', { skip: (NO_CURL || NO_JQ) && 'needs curl, bash and jq' }, async () => {
    const [script = ''] = shBlocks(WALKTHROUGH)
    const { stdout } = await run('bash', ['-c', `set -e\n${script.replaceAll('http://127.0.0.1:8080', base)}`], { env: env(), cwd: ROOT })
    const last = stdout.slice(stdout.lastIndexOf('{"links"'))
    const list = JSON.parse(last)
    assert.equal(list.totalCount, 2)
    assert.deepEqual(list.results.map((c: { restorable: boolean }) => c.restorable), [false, true])
  })
})
