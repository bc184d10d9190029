import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { startWaymark } from '../../src/testing/index.js'

const run = promisify(execFile)
const DOC = readFileSync(new URL('../../../docs/producer.md', import.meta.url), 'utf8')
const SECTION = DOC.slice(DOC.indexOf('## Worked example: a stale backup alert'))
const [serveBlock = '', script = ''] = [...SECTION.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
const missing = async (tool: string): Promise<boolean> => run('sh', ['-c', `command -v ${tool}`]).then(() => false, () => true)
const NO_TOOLS = (await missing('curl')) || (await missing('jq')) || (await missing('bash'))

test('docs/producer.md: the stale backup alert, run as written, answers what its comments say', { skip: NO_TOOLS && 'needs curl, jq and bash' }, async () => {
  // The server the example starts, through waymark/testing: the demo, the clock frozen where the doc says.
  const clock = /--clock (\S+)/.exec(serveBlock)?.[1]
  assert.equal(clock, '2026-12-01T00:00:00Z')
  assert.match(serveBlock, /--demo .*--freeze-clock/)
  const waymark = await startWaymark({ demo: true, clock, frozen: true, adminToken: 'change-me-0123456789' })
  try {
    const expected = [...script.matchAll(/^age +# (\d+)/gm)].map((m) => m[1])
    assert.deepEqual(expected, ['14', '14', '134'])
    // One answer per line, so that each `age` is told from the clock's answers.
    const { stdout } = await run('bash', ['-c', `set -e\ncurl() { command curl "$@"; echo; }\n${script.replaceAll('http://127.0.0.1:8080', waymark.url)}`])
    const ages = stdout.split('\n').filter((line) => /^\d+$/.test(line))
    assert.deepEqual(ages, expected, stdout)
    assert.deepEqual(await waymark.admin.clock(), { now: '2026-12-01T04:00:00.000Z', frozen: true })
  } finally {
    await waymark.stop()
  }
})
