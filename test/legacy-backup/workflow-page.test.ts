import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { startWaymark, type RunningWaymark } from '../../src/testing/index.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'

const run = promisify(execFile)
const PAGE = await readFile(new URL('../../../docs/legacy-backup.md', import.meta.url), 'utf8')
const BLOCKS = [...PAGE.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
const [SERVE = '', SETUP = '', V2 = '', V1 = '', OPS = '', WORKFLOW = ''] = BLOCKS
const TOKEN = 'change-me-0123456789'
const missing = async (tool: string): Promise<boolean> => run('sh', ['-c', `command -v ${tool}`]).then(() => false, () => true)
const MISSING = (await Promise.all(['bash', 'curl', 'jq', 'sha1sum', 'tar'].map(async (tool) => ((await missing(tool)) ? tool : undefined)))).filter(Boolean)

describe('docs/legacy-backup.md, run for each dialect', { skip: MISSING.length > 0 && `needs ${MISSING.join(', ')}` }, () => {
  let store: FreshStore
  let waymark: RunningWaymark
  let cwd: string
  before(async () => {
    assert.equal(BLOCKS.length, 6, 'the page has its six sh blocks: serve, setup, three dialects, the workflow')
    assert.match(SERVE, /--clock 2026-11-01T00:00:00Z --freeze-clock --admin-token change-me-0123456789/)
    store = await freshStore('workflow')
    cwd = await mkdtemp(join(tmpdir(), 'waymark-workflow-'))
    waymark = await startWaymark({ demo: true, clock: '2026-11-01T00:00:00Z', frozen: true, adminToken: TOKEN, store: store.url })
  })
  after(async () => {
    await waymark?.stop()
    await store?.drop()
    await rm(cwd, { recursive: true, force: true })
  })

  for (const [name, dialect] of [['Atlas v2', V2], ['Atlas v1.0', V1], ['Ops Manager', OPS]] as const) {
    test(`${name}: schedule, snapshots, checkpoints, a checkpoint restore of the sharded cluster, downloads, a deleted base snapshot`, async () => {
      const script = `set -euo pipefail\n${SETUP}\n${dialect}\n${WORKFLOW}`
      const { stdout } = await run('bash', ['-c', script], { cwd, env: { ...process.env, BASE: waymark.url, WAYMARK_ADMIN_TOKEN: TOKEN }, maxBuffer: 8 * 1024 * 1024 })
      const lines = stdout.trim().split('\n')
      assert.match(lines[0] ?? '', /"clusterCheckpointIntervalMin":15/, stdout)
      assert.match(stdout, /\{"snapshots":[1-9]\d*,/)
      assert.match(stdout, /^checkpoint [0-9a-f]{24}$/m)
      // The demo's Cluster0: three shards and a config server replica set, so four jobs in one batch.
      assert.match(stdout, /\{"jobs":4,"batch":"[0-9a-f]{24}","status":\["IN_PROGRESS"\]\}/)
      assert.match(stdout, /^batch FINISHED$/m)
      assert.match(stdout, /^files FINISHED$/m)
      assert.equal(stdout.match(/ hash ok MAX_DOWNLOADS_EXCEEDED$/gm)?.length, 4, stdout)
      assert.equal(stdout.match(/^again: 410$/gm)?.length, 4, stdout)
      assert.equal(stdout.match(/holds no data\.$/gm)?.length, 4, stdout)
      assert.match(stdout, /^deleted [0-9a-f]{24} 204$/m)
      assert.match(lines.at(-1) ?? '', /^checkpoint [0-9a-f]{24} restorable false$/, stdout)
    })
  }
})
