import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DEMO, demoDataSet } from '../../src/fixtures/demo.js'
import { history } from '../../src/producer/history.js'
import { openStore } from '../../src/storage/open-store.js'
import { runWaymark as waymark } from '../helpers/cli-process.js'



const { cluster0, replicaSet0, cloudCluster0, upgraded42 } = DEMO.clusters

describe('waymark generate', () => {
  let dir: string
  let store: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-generate-'))
    store = `sqlite:${join(dir, 'demo.sqlite')}`
    const opened = await openStore(store)
    await opened.apply(demoDataSet())
    await opened.close()
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const generate = (cluster: string, from: string, to: string, ...more: string[]) =>
    waymark(['generate', '--cluster', cluster, '--from', from, '--to', to, '--store', store, ...more])

  test('appends a day of Cluster0 after the demo, as the producer makes it, with a plain summary', async () => {
    const res = await generate(cluster0.id, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00+00:00', '--batch-size', '10')
    assert.equal(res.code, 0, res.stderr)
    assert.match(
      res.stderr,
      /^generated 96 checkpoints of Cluster0 \(65a1f0c2e4b0a1b2c3d4e510\) every 15 minutes from 2026-11-01T00:00:00Z to 2026-11-02T00:00:00Z, 0 restorable, seed 20261101, in [\d.]+ s \(\d+\/s\)\n$/,
    )
    const opened = await openStore(store)
    try {
      const page = await opened.pageCheckpoints(cluster0.id, { offset: 0, limit: 100 })
      assert.equal(page.totalCount, cluster0.checkpoints + 96)
      const demo = demoDataSet()
      const cluster = demo.clusters.find((c) => c.id === cluster0.id)
      assert.ok(cluster)
      const from = Date.parse('2026-11-01T00:00:00Z') / 1000
      const expected = [...history({ cluster, seed: DEMO.seed, from, to: from + 86_400, intervalSeconds: 900, asOf: Date.now() / 1000 })]
      assert.deepEqual(page.items.slice(0, 96).map((c) => c.id), expected.map((c) => c.id).reverse())
      assert.ok(page.items.slice(0, 96).every((c) => c.completed !== undefined && !c.restorable), 'older than the one-week window')
      assert.deepEqual(page.items[96], demo.checkpoints.filter((c) => c.clusterId === cluster0.id).at(-1))
    } finally {
      await opened.close()
    }
  })

  test('only appends: a range at or before the newest checkpoint is refused unless it is this range\'s own start', async () => {
    // Another seed: the stored checkpoints are not this generate's, refused.
    const res = await generate(cluster0.id, '2026-11-01T12:00:00Z', '2026-11-03T00:00:00Z', '--seed', '7')
    assert.equal(res.code, 1, res.stderr)
    assert.match(res.stderr, /cluster Cluster0 already has checkpoints up to 2026-11-01T23:45:\d\dZ; a history is only appended after the newest/)
    // The same seed over a range whose first slots are exactly what is stored: an interrupted run, resumed.
    const again = await generate(cluster0.id, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /^generated 0 checkpoints of Cluster0 .* to 2026-11-02T00:00:00Z \(resumed after the 96 already there\), 0 restorable/)
  })

  test('clusters that make no checkpoints, unknown clusters and the future are refused (exit 1)', async () => {
    const cases: Array<[string, RegExp]> = [
      [replicaSet0.id, /ReplicaSet0 .* makes no checkpoints: it is a replica set/],
      [cloudCluster0.id, /CloudCluster0 .* makes no checkpoints: its backup is CLOUD/],
      [upgraded42.id, /Upgraded42 .* makes no checkpoints: it runs FCV 4\.2; checkpoints exist only up to FCV 4\.0/],
      ['ffffffffffffffffffffffff', /no cluster with id ffffffffffffffffffffffff/],
    ]
    for (const [cluster, message] of cases) {
      const res = await generate(cluster, '2026-11-10T00:00:00Z', '2026-11-11T00:00:00Z')
      assert.equal(res.code, 1, `${cluster}: ${res.stderr}`)
      assert.match(res.stderr, message)
    }
    const future = await generate(cluster0.id, '2026-11-02T00:00:00Z', '2999-01-01T00:00:00Z')
    assert.equal(future.code, 1)
    assert.match(future.stderr, /--to 2999-01-01T00:00:00Z is in the future/)
  })

  test('takes times relative to now (--from=-1h, --to now), and prints the times they meant', async () => {
    const res = await waymark(['generate', '--cluster', cluster0.id, '--from=-1h', '--to', 'now', '--store', store])
    assert.equal(res.code, 0, res.stderr)
    const match = /^generated ([3-4]) checkpoints of Cluster0 .* from (\S+) to (\S+), /.exec(res.stderr)
    assert.ok(match, res.stderr)
    assert.equal(Date.parse(match[3] ?? '') - Date.parse(match[2] ?? ''), 3_600_000)
    assert.ok(Math.abs(Date.parse(match[3] ?? '') - Date.now()) < 60_000, `${match[3]} is now`)
    const again = await waymark(['generate', '--cluster', cluster0.id, '--from', match[2] ?? '', '--to', match[3] ?? '', '--store', store])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /^generated 0 checkpoints .*resumed after the [3-4] already there/)
  })

  test('a wrong command line exits 2', async () => {
    for (const args of [
      ['--cluster', cluster0.id, '--from', 'yesterday', '--to', '2026-11-02T00:00:00Z'],
      ['--cluster', cluster0.id, '--from', '2026-11-02T00:00:00', '--to', '2026-11-03T00:00:00Z'],
      ['--cluster', 'Cluster0', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z'],
      ['--cluster', cluster0.id, '--from', '2026-11-03T00:00:00Z', '--to', '2026-11-02T00:00:00Z'],
      ['--cluster', cluster0.id, '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--batch-size', '0'],
      ['--cluster', cluster0.id, '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-03T00:00:00Z', '--seed', 'x'],
      ['--cluster', cluster0.id, '--to', '2026-11-03T00:00:00Z'],
    ]) {
      const res = await waymark(['generate', ...args, '--store', store])
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
      assert.notEqual(res.stderr.trim(), '')
    }
  })
})
