import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { callWithBody } from '../helpers/legacy-call.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

// P-N4 as of the clock alone: a base snapshot that expires while nothing is written (no producer grooming
// it: `serve --no-produce`, or a clock advanced through the admin API) turns its checkpoints non-restorable
// at that instant, although the checkpoint answers are remembered between calls (http/answer-cache.ts).
const NOW = Date.parse(DEMO_END)
const HOUR = 3_600_000
const G = IDS.projectA
const V2 = `/api/atlas/v2/groups/${G}/clusters/Cluster0`
const OPS = `/api/public/v1.0/groups/${G}/clusters/${IDS.cluster0}`

describe('P-N4 on the clock: a base snapshot expiring with nothing written', () => {
  let now = NOW
  let t: TestApp
  before(async () => {
    t = await startTestApp({ now: () => now })
  })
  after(() => t.close())

  test('the remembered checkpoint answers follow the expiry: restorable before it, not after', async () => {
    const listed = (await callWithBody(t, `${V2}/backupCheckpoints?itemsPerPage=500`)).json().results as Array<{ id: string; timestamp: string; restorable: boolean }>
    const oldest = listed.filter((c) => c.restorable).at(-1)
    assert.ok(oldest !== undefined)
    const snapshots = (await callWithBody(t, `${V2}/snapshots?itemsPerPage=500`)).json().results as Array<{ id: string; created: { date: string } }>
    const bases = snapshots.filter((s) => s.created.date <= oldest.timestamp)
    assert.ok(bases.length > 0)
    // The bases now expire an hour from now (a write: every remembered answer is made afresh after it).
    const expires = new Date(NOW + HOUR).toISOString().replace(/\.\d+Z$/, 'Z')
    for (const base of bases) {
      const res = await callWithBody(t, `${V2}/snapshots/${base.id}`, { method: 'PATCH', body: { doNotDelete: false, expires }, key: KEYS.orgowner })
      assert.equal(res.status, 200, res.body)
    }
    const urls = [`${V2}/backupCheckpoints/${oldest.id}`, `${OPS}/checkpoints/${oldest.id}`]
    for (let i = 0; i < 2; i++) {
      // Twice: the second answer is the remembered one.
      for (const url of urls) assert.equal((await callWithBody(t, url)).json().restorable, true, url)
      const page = (await callWithBody(t, `${V2}/backupCheckpoints?itemsPerPage=500`)).json().results as typeof listed
      assert.equal(page.find((c) => c.id === oldest.id)?.restorable, true)
    }

    now = NOW + 2 * HOUR
    for (const url of urls) assert.equal((await callWithBody(t, url)).json().restorable, false, `${url} after its base expired`)
    const page = (await callWithBody(t, `${V2}/backupCheckpoints?itemsPerPage=500`)).json().results as typeof listed
    assert.equal(page.find((c) => c.id === oldest.id)?.restorable, false)
    // Checkpoints on a base that is still kept stay restorable.
    const kept = snapshots.filter((s) => s.created.date > oldest.timestamp).at(-1)
    assert.ok(kept !== undefined)
    assert.ok(page.some((c) => c.restorable && c.timestamp >= kept.created.date))
  })
})
