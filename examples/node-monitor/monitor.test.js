// The monitor against Waymark, started for each test by waymark/testing: the project's fixture loaded, the
// server's clock frozen at a known time, history and time arranged through the admin client.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, test } from 'node:test'
import { startWaymark } from 'waymark/testing'
import { check } from './monitor.js'

const fixture = JSON.parse(await readFile(new URL('./fixture.json', import.meta.url), 'utf8'))
const GROUP = '5f0c00000000000000000002'
const CLUSTER_ID = '5f0c00000000000000000003'
const [account] = fixture.serviceAccounts

let waymark
beforeEach(async () => {
  waymark = await startWaymark({ fixtures: [fixture], clock: '2026-12-01T00:00:00Z', frozen: true })
})
afterEach(() => waymark.stop())

/** The monitor, with the server's clock as its own. */
async function runMonitor() {
  const { now } = await waymark.admin.clock()
  return check({ baseUrl: waymark.url, groupId: GROUP, cluster: 'payments-prod', clientId: account.clientId, clientSecret: account.clientSecret, now: Date.parse(now) })
}

test('a recent history raises no alert', async () => {
  const written = await waymark.admin.history(GROUP, CLUSTER_ID, { from: '-3h' })
  assert.equal(written.written, 12)
  assert.equal(await runMonitor(), undefined)
})

test('no alert while the backup runs, however much time passes', async () => {
  await waymark.admin.history(GROUP, CLUSTER_ID, { from: '-3h' })
  // The producer makes every checkpoint of those six hours before the call answers; the access token of
  // an hour expires meanwhile, and the monitor gets a new one.
  await waymark.admin.advanceClock('PT6H')
  assert.equal(await runMonitor(), undefined)
})

test('an alert once the FCV moved past 4.0 over an hour ago', async () => {
  await waymark.admin.history(GROUP, CLUSTER_ID, { from: '-3h' })
  await waymark.admin.updateCluster(GROUP, CLUSTER_ID, { featureCompatibilityVersion: '4.2' })
  await waymark.admin.advanceClock('PT40M')
  assert.equal(await runMonitor(), undefined, 'under an hour since the newest checkpoint: not yet')
  await waymark.admin.advanceClock('PT30M')
  assert.match((await runMonitor()) ?? '', /^payments-prod: the newest restorable checkpoint \(\w{24}\) is \d+ minutes old$/)
})
