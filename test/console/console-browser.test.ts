import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { eventually, launchBrowser, markTime, screenshot, serveConsole, SKIP_WITHOUT_CHROMIUM, type ServedConsole } from '../helpers/browser.js'

/**
 * The console in a real browser, against `waymark serve` (the bundled CLI) with the demo and a known
 * fixture, its clock frozen: sign in, walk to a cluster, count its timeline by state, zoom into a day, open a
 * checkpoint, copy its curl command and run it, change a schedule and see new checkpoints after moving the
 * clock, see validation errors by their fields, create credentials, reset to the demo, sign out.
 */

const run = promisify(execFile)
const TOKEN = 'console-browser-test-token'
const NOW = '2026-12-01T12:00:00Z'
const ORG = '5f1900000000000000000001'
const GROUP = '5f1900000000000000000002'
const LEDGER = '5f1900000000000000000003'
const RS = '5f1900000000000000000004'
const HOUR = 3_600_000
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + 'Z'
const at = (hoursBeforeNow: number): number => Date.parse(NOW) - hoursBeforeNow * HOUR

type Kind = 'restorable' | 'inProgress' | 'tokenNotDiscovered' | 'expired'

function checkpoint(n: number, ms: number, kind: Kind): object {
  const id = Math.floor(ms / 1000).toString(16).padStart(8, '0') + n.toString(16).padStart(16, '0')
  const part = (typeName: string, name: string, discovered: boolean) => ({
    typeName,
    replicaSetName: name,
    ...(typeName === 'REPLICA_SET' ? { shardName: name } : {}),
    tokenDiscovered: discovered,
    tokenTimestamp: { date: iso(ms), increment: 1 },
  })
  return {
    id,
    clusterId: LEDGER,
    groupId: GROUP,
    started: iso(ms - 4000),
    ...(kind === 'inProgress' ? {} : { completed: iso(ms + 5000) }),
    timestamp: iso(ms),
    restorable: kind === 'restorable',
    parts: [part('REPLICA_SET', 'ledger-0', kind !== 'tokenNotDiscovered' && kind !== 'inProgress'), part('CONFIG_SERVER_REPLICA_SET', 'ledger-cfg', true)],
  }
}

// A 6-hour window. Outside it: 10 expired checkpoints (30 to 21 hours back), 2 never discovered, a gap, 1 more
// expired; inside: 5 restorable, 1 not discovered yet, 1 loaded not restorable, 1 in progress (the newest).
const KINDS: Array<[number, Kind]> = [
  ...Array.from({ length: 10 }, (_, i): [number, Kind] => [30 - i, 'expired']),
  [20.5, 'tokenNotDiscovered'],
  [19.5, 'tokenNotDiscovered'],
  [6.5, 'expired'],
  ...Array.from({ length: 5 }, (_, i): [number, Kind] => [5 - i, 'restorable']),
  [0.75, 'tokenNotDiscovered'],
  [0.5, 'expired'],
  [0.25, 'inProgress'],
]

const sharded = (id: string, name: string) => ({
  id,
  groupId: GROUP,
  name,
  type: 'SHARDED',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [{ shardName: `${name}-0`, replicaSetName: `${name}-0` }],
  configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: `${name}-cfg` },
  pointInTimeWindowHours: 6,
})

const FIXTURE = {
  organizations: [{ id: ORG, name: 'Console Org' }],
  projects: [{ id: GROUP, orgId: ORG, name: 'Payments' }],
  clusters: [
    sharded(LEDGER, 'ledger'),
    { id: RS, groupId: GROUP, name: 'rs', type: 'REPLICASET', backup: 'LEGACY', featureCompatibilityVersion: '4.0', shards: [{ shardName: 'rs', replicaSetName: 'rs' }] },
  ],
  checkpoints: KINDS.map(([hours, kind], n) => checkpoint(n, at(hours), kind)),
}

const count = async (page: Page, state: string): Promise<number> => Number((await page.getByTestId(`count-${state}`).textContent())?.replaceAll(',', ''))

describe('the console in a browser', { skip: SKIP_WITHOUT_CHROMIUM }, () => {
  let served: ServedConsole
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const pageErrors: string[] = []

  before(async () => {
    served = await serveConsole(TOKEN, ['--demo', '--clock', NOW, '--freeze-clock', '--fixtures', 'fixture.json', '--store', 'sqlite:console.sqlite'], { 'fixture.json': FIXTURE })
    browser = await launchBrowser()
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] })
    page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
  })
  after(async () => {
    await browser?.close()
    await served?.stop()
  })

  test('signs in with the admin token, kept in session storage and never in the URL; a wrong one is refused at the field', async () => {
    await page.goto(`${served.url}/console/`)
    await page.getByLabel('Admin token').fill('not-the-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByTestId('error-admin-token').getByText('refused').waitFor()
    assert.equal(await page.getByLabel('Admin token').getAttribute('aria-invalid'), 'true')
    await page.getByLabel('Admin token').fill(TOKEN)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Clusters' }).waitFor()
    assert.equal(await page.evaluate("sessionStorage.getItem('waymark.adminToken')"), TOKEN)
    assert.equal(await page.evaluate('localStorage.length'), 0)
    assert.ok(!page.url().includes(TOKEN))
  })

  test('the overview lists organizations, projects and clusters with their schedules, ages and warnings; first paint on the demo under a second', async (t) => {
    await page.getByRole('link', { name: 'ledger', exact: true }).waitFor()
    const demoRow = page.locator('tr[data-cluster="Cluster0"]')
    assert.match((await demoRow.textContent()) ?? '', /sharded.*every 15 min.*168 h/)
    // The demo's newest restorable checkpoint is a quarter of an hour old: no warning; the ledger's is an hour old: stale past 30 minutes.
    await page.getByLabel(/Warn when/).selectOption('30')
    assert.match((await page.getByTestId('newest-restorable-Cluster0').textContent()) ?? '', /^\s*\d+ min ago$/)
    assert.match((await page.getByTestId('newest-restorable-ledger').textContent()) ?? '', /stale\s+1 h ago/)
    assert.match((await page.locator('tr[data-cluster="Upgraded42"]').textContent()) ?? '', /none made: FCV 4\.2/)
    await screenshot(page, 'console-overview')

    // Measured by the browser: a reload of the signed-in console (the token is in session storage).
    await page.reload()
    const ready = await markTime(page, 'waymark:overview-ready')
    const paint = await markTime(page, 'first-contentful-paint')
    t.diagnostic(`demo overview: first contentful paint ${paint.toFixed(0)} ms, clusters shown ${ready.toFixed(0)} ms after navigation`)
    assert.ok(paint < 1000, `first paint after ${paint} ms`)
    assert.ok(ready < 3000, `overview ready after ${ready} ms`)
  })

  test('a cluster\'s timeline counts the fixture by state; a day shows each checkpoint; one opens with every field and a curl command that works', async () => {
    await page.getByRole('link', { name: 'ledger', exact: true }).click()
    await page.getByRole('heading', { name: /^ledger/ }).waitFor()
    await eventually('21 checkpoints in view', async () => (await count(page, 'total')) === 21)
    assert.deepEqual(
      { restorable: await count(page, 'restorable'), inProgress: await count(page, 'inProgress'), tokenNotDiscovered: await count(page, 'tokenNotDiscovered'), outsideWindow: await count(page, 'outsideWindow'), notRestorable: await count(page, 'notRestorable') },
      { restorable: 5, inProgress: 1, tokenNotDiscovered: 3, outsideWindow: 11, notRestorable: 1 },
    )
    assert.match((await page.getByTestId('timeline-canvas').getAttribute('aria-label')) ?? '', /21 checkpoints \(5 restorable, 1 in progress, 3 token not discovered, 11 outside the window, 1 not restorable\)/)
    await screenshot(page, 'console-timeline')

    // Keyboard: + zooms in (half the span).
    const range = async () => (await page.locator('.timeline .range').textContent()) ?? ''
    const wide = await range()
    await page.getByRole('group', { name: /Timeline of ledger/ }).focus()
    await page.keyboard.press('+')
    await eventually('a narrower view', async () => (await range()) !== wide)
    assert.match(await range(), /\(15 h/)

    await page.getByRole('button', { name: 'Last day' }).click()
    const rows = page.locator('.checkpoint-list tbody tr')
    await eventually('the day\'s 15 checkpoints', async () => (await rows.count()) === 15)
    const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')))
    const tally = Object.fromEntries(['restorable', 'inProgress', 'tokenNotDiscovered', 'outsideWindow', 'notRestorable'].map((s) => [s, states.filter((x) => x === s).length]))
    assert.deepEqual(tally, { restorable: 5, inProgress: 1, tokenNotDiscovered: 3, outsideWindow: 5, notRestorable: 1 })

    const restorable = rows.filter({ has: page.getByText('Restorable', { exact: true }) }).last()
    const id = ((await restorable.locator('a').textContent()) ?? '').trim()
    await restorable.locator('a').click()
    await page.getByRole('heading', { name: /^Checkpoint/ }).waitFor()
    assert.ok(page.url().endsWith(`/checkpoint/${id}`))
    assert.match((await page.getByTestId('checkpoint-state').textContent()) ?? '', /Restorable/)
    const fields = (await page.getByTestId('checkpoint-fields').textContent()) ?? ''
    for (const value of [id, LEDGER, GROUP, iso(at(1)), 'true']) assert.ok(fields.includes(value), `${value} in ${fields}`)
    assert.match((await page.locator('table.parts').textContent()) ?? '', /ledger-0.*✓ true.*ledger-cfg/s)

    // Create an API key in the Access page, use it in the commands, copy one and run it.
    await page.getByRole('link', { name: 'Access' }).click()
    await page.getByLabel('Description').fill('console test')
    await page.locator('#key-scope').selectOption({ label: 'Project Payments' })
    await page.getByRole('button', { name: 'Create an API key' }).click()
    const secret = page.getByTestId('key-secret')
    await secret.waitFor()
    const privateKey = ((await secret.locator('code').textContent()) ?? '').trim()
    assert.match(privateKey, /^[0-9a-f-]{36}$/)
    await secret.getByRole('button', { name: 'Copy the private key' }).click()
    await secret.getByText('Copied').waitFor()
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), privateKey)
    await screenshot(page, 'console-access')
    await secret.getByRole('button', { name: 'Use it in the curl commands' }).click()
    await secret.getByRole('button', { name: 'Done: hide it' }).click()
    assert.equal(await page.getByTestId('key-secret').count(), 0, 'the secret is shown once')
    await page.goBack()
    await page.getByRole('heading', { name: /^Checkpoint/ }).waitFor()
    await page.getByRole('button', { name: 'Copy the curl command for Atlas Admin API v2' }).click()
    const command = String(await page.evaluate('navigator.clipboard.readText()'))
    assert.match(command, /^curl --digest -u '[a-z]{8}:[0-9a-f-]{36}' -H 'Accept: application\/vnd\.atlas\.2023-01-01\+json' 'http:\/\/127\.0\.0\.1:\d+\/api\/atlas\/v2\/groups\/5f19.*\/clusters\/ledger\/backupCheckpoints\/[0-9a-f]{24}'$/)
    await screenshot(page, 'console-checkpoint')
    const commands = [command, ...(await page.locator('[data-testid^="curl-"]').allTextContents()).slice(1)]
    for (const c of commands) {
      const { stdout } = await run('bash', ['-c', `${c} -s --fail`])
      const body = JSON.parse(stdout) as { id: string; restorable: boolean; clusterId: string }
      assert.equal(body.id, id, c)
      assert.equal(body.restorable, true)
    }
  })

  test('validation errors show next to their fields; a schedule change makes checkpoints once the clock moves; they also arrive while the page only watches', async () => {
    // A window the API refuses, and a duration it refuses.
    await page.getByLabel('Point-in-time window (hours)').fill('9999')
    await page.getByRole('button', { name: 'Save' }).click()
    const windowError = page.getByTestId('error-pointInTimeWindowHours')
    await windowError.waitFor()
    assert.match((await windowError.textContent()) ?? '', /pointInTimeWindowHours/)
    assert.equal(await page.getByLabel('Point-in-time window (hours)').getAttribute('aria-invalid'), 'true')
    await page.getByLabel('Advance by (ISO 8601)').fill('P1Y')
    await page.getByRole('button', { name: 'Advance', exact: true }).click()
    await page.getByTestId('error-clock-advance-by').waitFor()
    await screenshot(page, 'console-arrange')
    await page.getByRole('button', { name: 'Undo changes' }).click()

    // Every 15 minutes from now on; then an hour passes: four slots, from noon.
    await page.getByLabel('Checkpoint interval').selectOption('15')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved: checkpointIntervalMinutes.').waitFor()
    await page.getByTestId('cluster-schedule').getByText('every 15 min').waitFor()
    await page.getByRole('link', { name: 'Close' }).click()
    await page.getByRole('button', { name: 'Last hour' }).click()
    await eventually('the last hour\'s 4 checkpoints (11:00 to 11:45)', async () => (await page.locator('.checkpoint-list tbody tr').count()) === 4)
    await page.getByRole('button', { name: 'Advance the clock 1 h' }).click()
    await page.getByTestId('server-clock').getByText('2026-12-01 13:00:00 UTC').waitFor()
    const newer = () =>
      page.locator('.checkpoint-list tbody tr td:first-child').evaluateAll((cells) => cells.map((c) => c.textContent ?? '').filter((t) => t >= '2026-12-01 12:00'))
    await eventually('the four checkpoints of the hour', async () => (await newer()).length >= 4)
    assert.deepEqual((await newer()).slice(0, 4).map((t) => t.slice(0, 16)), ['2026-12-01 12:00', '2026-12-01 12:15', '2026-12-01 12:30', '2026-12-01 12:45'])

    // Moved by someone else (the admin API, not the page): the page sees it by polling.
    assert.equal((await served.admin('POST', '/clock', { advanceBy: 'PT15M' })).status, 200)
    await page.getByTestId('server-clock').getByText('2026-12-01 13:15:00 UTC').waitFor({ timeout: 10_000 })
    await eventually('the checkpoint of 13:00', async () => (await newer()).some((t) => t.startsWith('2026-12-01 13:00')))
  })

  test('an interval on a replica set is refused at its field; a service account\'s secret is shown once', async () => {
    await page.goto(`${served.url}/console/#/cluster/${GROUP}/${RS}`)
    await page.getByLabel('Checkpoint interval').selectOption('15')
    await page.getByRole('button', { name: 'Save' }).click()
    assert.match((await page.getByTestId('error-checkpointIntervalMinutes').textContent()) ?? '', /replica set/i)
    await page.getByRole('link', { name: 'Access' }).click()
    await page.getByLabel('Name').fill('console-ci')
    await page.getByRole('button', { name: 'Create a service account' }).click()
    assert.match(((await page.getByTestId('account-secret').locator('code').textContent()) ?? '').trim(), /^mdb_sa_sk_/)
    await page.getByRole('cell', { name: 'console-ci' }).waitFor()
  })

  test('resets to the demo after a confirmation, then signs out: the token leaves the tab', async () => {
    await page.getByRole('link', { name: 'Clusters' }).click()
    await page.getByRole('button', { name: 'Reset to the demo…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Reset to the demo?' })
    await dialog.getByRole('button', { name: 'Reset to the demo' }).click()
    await page.getByRole('link', { name: 'ledger', exact: true }).waitFor({ state: 'detached' })
    await page.getByRole('link', { name: 'Cluster0', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Admin token').waitFor()
    assert.equal(await page.evaluate("sessionStorage.getItem('waymark.adminToken')"), null)
    await page.reload()
    await page.getByLabel('Admin token').waitFor()
    assert.deepEqual(pageErrors, [])
  })
})
