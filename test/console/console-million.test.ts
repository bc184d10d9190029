import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { openStore } from '../../src/storage/open-store.js'
import { eventually, inPage, launchBrowser, markTime, serveConsole, SKIP_WITHOUT_CHROMIUM } from '../helpers/browser.js'
import { CLI } from '../helpers/cli-process.js'

/**
 * The timeline of a cluster of a million checkpoints (written by `waymark generate`, as
 * test/cli/generate-million.test.ts does), timed by the browser's own clock (the Performance API): the
 * whole history drawn under 2 s from the page's navigation, a day's checkpoints under 2 s from the click.
 */

const run = promisify(execFile)
const TOKEN = 'console-million-token'
const GROUP = '5f1a00000000000000000002'
const CLUSTER = '5f1a00000000000000000003'
const FROM = '1998-01-01T00:00:00Z'
/** 1,000,000 slots of 15 minutes after FROM. */
const TO = '2026-07-09T16:00:00Z'

const FIXTURE = {
  organizations: [{ id: '5f1a00000000000000000001', name: 'Big Org' }],
  projects: [{ id: GROUP, orgId: '5f1a00000000000000000001', name: 'Big Project' }],
  clusters: [
    {
      id: CLUSTER,
      groupId: GROUP,
      name: 'Million',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [{ shardName: 'Million-shard-0', replicaSetName: 'Million-shard-0' }],
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Million-config-0' },
      checkpointIntervalMinutes: 15,
    },
  ],
}

test('the timeline of a million checkpoints draws in under 2 s, and a day of it in under 2 s', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 240_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-console-million-'))
  const url = `sqlite:${join(dir, 'million.sqlite')}`
  const browser = await launchBrowser()
  try {
    const setup = await openStore(url)
    await loadFixture(FIXTURE, setup)
    await setup.close()
    const started = Date.now()
    await run(process.execPath, [CLI, 'generate', '--cluster', CLUSTER, '--from', FROM, '--to', TO, '--store', url])
    t.diagnostic(`generate wrote 1,000,000 checkpoints in ${((Date.now() - started) / 1000).toFixed(1)} s`)

    const served = await serveConsole(TOKEN, ['--store', url, '--no-produce', '--clock', '2026-07-10T00:00:00Z', '--freeze-clock'])
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(`${served.url}/console/`)
      await page.getByLabel('Admin token').fill(TOKEN)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('link', { name: 'Million', exact: true }).waitFor()

      // A fresh load of the cluster's page: navigation to the whole history drawn, by the browser's clock.
      await page.goto(`${served.url}/console/#/cluster/${GROUP}/${CLUSTER}`)
      await page.reload()
      const drawn = await markTime(page, 'waymark:timeline-drawn')
      await eventually('the million in view', async () => (await page.getByTestId('count-total').textContent()) === '1,000,000')
      const server = Number(
        await inPage(page, `Math.max(...performance.getEntriesByType('resource').filter((e) => e.name.includes('/timeline?from=')).map((e) => e.duration))`),
      )
      t.diagnostic(`1,000,000 checkpoints: timeline drawn ${drawn.toFixed(0)} ms after navigation (its slowest timeline call ${server.toFixed(0)} ms)`)
      assert.ok(drawn < 2000, `drawn after ${drawn} ms`)
      assert.match((await page.locator('.timeline .range').textContent()) ?? '', /buckets of/)

      // Zoom into its last day: each checkpoint.
      const before = Number(await inPage(page, 'performance.now()'))
      const marks = Number(await inPage(page, `performance.getEntriesByName('waymark:timeline-drawn').length`))
      await page.getByRole('button', { name: 'Last day' }).click()
      let day = -1
      await eventually('the day drawn checkpoint by checkpoint', async () => {
        const entries = JSON.parse(String(await inPage(page, `JSON.stringify(performance.getEntriesByName('waymark:timeline-drawn').map((e) => [e.startTime, e.detail.checkpoints]))`))) as Array<[number, boolean]>
        const found = entries.slice(marks).find(([, checkpoints]) => checkpoints)
        if (found) day = found[0] - before
        return found !== undefined
      })
      await page.locator('.checkpoint-list tbody tr').first().waitFor()
      t.diagnostic(`a day of it: its checkpoints drawn ${day.toFixed(0)} ms after the click`)
      assert.ok(day < 2000, `day drawn after ${day} ms`)
    } finally {
      await served.stop()
    }
  } finally {
    await browser.close()
    await rm(dir, { recursive: true, force: true })
  }
})
