import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { startWaymark, type RunningWaymark } from '../../src/testing/index.js'

const run = promisify(execFile)
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
const section = (heading: string): string => {
  const start = README.indexOf(`\n## ${heading}\n`)
  assert.ok(start >= 0, heading)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end === -1 ? undefined : end)
}
/** The shell blocks of a section, without the lines that install or start a server (the test starts its own). */
const commands = (heading: string): string =>
  [...section(heading).matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .join('\n')
    .split('\n')
    .filter((line) => !/^(npm |WAYMARK_ADMIN_TOKEN=\S+ (npx )?waymark serve|waymark serve)/.test(line))
    .join('\n')
const missing = async (tool: string): Promise<boolean> => run('sh', ['-c', `command -v ${tool}`]).then(() => false, () => true)
const NO_CURL = (await missing('curl')) || (await missing('bash'))

/** Runs a README block against the server; every curl prints its status on a line of its own. */
async function runBlock(script: string, base: string): Promise<{ stdout: string; codes: string[] }> {
  const { stdout } = await run('bash', ['-c', `set -e\ncurl() { command curl -w '\\n%{http_code}\\n' "$@"; }\n${script.replaceAll('http://127.0.0.1:8080', base)}`], {
    maxBuffer: 16 * 1024 * 1024,
  })
  return { stdout, codes: stdout.split('\n').filter((line) => /^\d{3}$/.test(line)) }
}

describe('README.md', { skip: NO_CURL && 'needs curl and bash' }, () => {
  let waymark: RunningWaymark
  // `npm start` and `waymark serve --demo`: the demo as of now, the producer on; the README's admin token.
  before(async () => {
    waymark = await startWaymark({ demo: true, adminToken: 'change-me-0123456789' })
  })
  after(() => waymark.stop())

  test('the quick start commands work as written, whatever the day: the newest checkpoint is recent and restorable', async () => {
    const { stdout, codes } = await runBlock(commands('Quick start'), waymark.url)
    // The list, the newest checkpoint (the id lookup's own output goes into its pipe), Ops Manager, Atlas
    // v1.0, the four discovery calls, then the three mistakes.
    assert.deepEqual(codes, ['200', '200', '200', '200', '200', '200', '200', '200', '406', '400', '401'], stdout.slice(-2000))
    const one = JSON.parse(stdout.slice(stdout.indexOf('{\n  "clusterId"'), stdout.indexOf('\n}\n', stdout.indexOf('{\n  "clusterId"')) + 2))
    assert.match(one.id, /^[0-9a-f]{24}$/)
    assert.ok(Date.now() - Date.parse(one.timestamp) < 16 * 60_000, `${one.timestamp} is from the last quarter hour`)
  })

  test('docs/clients.md: its curl examples (Digest, and a service account\'s token) work as written', async () => {
    const doc = readFileSync(new URL('../../../docs/clients.md', import.meta.url), 'utf8')
    const block = /## curl\n\n```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? ''
    const account = await waymark.admin.createServiceAccount({
      orgId: '65a1f0c2e4b0a1b2c3d4e501',
      roles: [{ groupId: '65a1f0c2e4b0a1b2c3d4e502', roleName: 'GROUP_READ_ONLY' }],
    })
    const { stdout } = await run('bash', ['-c', `set -e\ncurl() { command curl "$@"; echo; }\n${block.replaceAll('http://127.0.0.1:8080', waymark.url)}`], {
      env: { ...process.env, CLIENT_ID: account.clientId, CLIENT_SECRET: account.clientSecret },
    })
    const answers = stdout.split('\n').filter((line) => line.startsWith('{'))
    assert.equal(answers.length, 2, stdout.slice(0, 300))
    for (const answer of answers) assert.equal(JSON.parse(answer).results.length > 0, true, answer.slice(0, 300))
  })

  test('the admin API commands work as written', async () => {
    const { stdout, codes } = await runBlock(commands('Admin API: arrange what the server serves'), waymark.url)
    assert.deepEqual(codes, ['200', '200'], stdout.slice(-2000))
  })
})
