import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Cluster } from '../../src/domain/types.js'
import { validateFixture } from '../../src/fixtures/validate-fixture.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { CheckpointPlanner, checkpointAt } from '../../src/producer/checkpoint-plan.js'
import { openStore } from '../../src/storage/open-store.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { CLI } from '../helpers/cli-process.js'

const execFileAsync = promisify(execFile)

const COUNT = 1_000_000
const PER_PAGE = 500
const FROM = Date.parse('1998-01-01T00:00:00Z') / 1000
/** 1,000,000 slots of 15 minutes after FROM: 2026-07-09T16:00:00Z. */
const TO = FROM + COUNT * 900
const SEED = 4242
const KEY = { publicKey: 'millions', privateKey: '8d3c1b2a-4f5e-4a6b-9c7d-0e1f2a3b4c5d' }

const FIXTURE = {
  organizations: [{ id: '5f0c00000000000000000001', name: 'Big Org' }],
  projects: [{ id: '5f0c00000000000000000002', orgId: '5f0c00000000000000000001', name: 'Big Project' }],
  clusters: [
    {
      id: '5f0c00000000000000000003',
      groupId: '5f0c00000000000000000002',
      name: 'Million',
      type: 'SHARDED',
      backup: 'LEGACY',
      featureCompatibilityVersion: '4.0',
      shards: [0, 1, 2].map((i) => ({ shardName: `Million-shard-${i}`, replicaSetName: `Million-shard-${i}` })),
      configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Million-config-0' },
      checkpointIntervalMinutes: 15,
    },
  ],
  apiKeys: [{ ...KEY, orgId: '5f0c00000000000000000001', roles: [{ groupId: '5f0c00000000000000000002', roleName: 'GROUP_READ_ONLY' }] }],
}

test('waymark generate writes a million checkpoints, and the list endpoint pages through them', { timeout: 85_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-million-'))
  const url = `sqlite:${join(dir, 'million.sqlite')}`
  try {
    const setup = await openStore(url)
    await loadFixture(FIXTURE, setup)
    await setup.close()

    const started = Date.now()
    const { stderr } = await execFileAsync(process.execPath, [
      CLI, 'generate', '--cluster', '5f0c00000000000000000003', '--from', new Date(FROM * 1000).toISOString(),
      '--to', new Date(TO * 1000).toISOString(), '--seed', String(SEED), '--store', url,
    ])
    const seconds = (Date.now() - started) / 1000
    assert.match(stderr, /^generated 1000000 checkpoints of Million .* seed 4242, in [\d.]+ s/)
    // The figure goes to the test report; the test's own timeout bounds it (2 shared cores: 21-32 s seen).
    t.diagnostic(`generate wrote ${COUNT} checkpoints in ${seconds.toFixed(1)} s`)

    const store = await openStore(url)
    try {
      const app = await buildApp({ config: loadConfig({ logLevel: 'silent' }, {}), store })
      const get = async (path: string) => {
        const headers = { accept: ATLAS_V2_ACCEPT }
        const challenge = await app.inject({ url: path, headers })
        const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
        const authorization = digestAuthorization({ credentials: KEY, method: 'GET', uri: path, nonce, nc: 1 })
        const res = await app.inject({ url: path, headers: { ...headers, authorization } })
        assert.equal(res.statusCode, 200, res.body)
        return res.json()
      }
      const validated = validateFixture(FIXTURE)
      assert.ok(validated.ok)
      const cluster = validated.data.clusters[0] as Cluster
      const planner = new CheckpointPlanner(cluster, SEED)
      /** The nth newest checkpoint (0-based), as the generator makes it. */
      const nthNewest = (n: number) => checkpointAt(planner.plan(TO - (n + 1) * 900), TO + 86_400, 24)
      const base = '/api/atlas/v2/groups/5f0c00000000000000000002/clusters/Million/backupCheckpoints'
      const pages = COUNT / PER_PAGE
      for (const pageNum of [1, 2, pages / 2, pages / 2 + 1, pages]) {
        const body = await get(`${base}?pageNum=${pageNum}&itemsPerPage=${PER_PAGE}`)
        assert.equal(body.totalCount, COUNT)
        assert.equal(body.results.length, PER_PAGE)
        const first = (pageNum - 1) * PER_PAGE
        for (const [i, result] of (body.results as Array<Record<string, unknown>>).entries()) {
          const { links: _links, ...checkpoint } = result
          assert.deepEqual(checkpoint, nthNewest(first + i), `page ${pageNum}, item ${i}`)
        }
        const rels = (body.links as Array<{ rel: string }>).map((l) => l.rel)
        assert.deepEqual(rels.includes('next'), pageNum < pages, `next on page ${pageNum}`)
        assert.deepEqual(rels.includes('previous'), pageNum > 1, `previous on page ${pageNum}`)
      }
      const last = await get(`${base}?pageNum=${pages}&itemsPerPage=${PER_PAGE}`)
      assert.equal(last.results.at(-1).timestamp.slice(0, 16), '1998-01-01T00:00')
      const past = await get(`${base}?pageNum=${pages + 1}&itemsPerPage=${PER_PAGE}`)
      assert.deepEqual(past.results, [])
      assert.equal(past.totalCount, COUNT)
      await app.close()
    } finally {
      await store.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
