import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { IDS } from '../helpers/fixtures.js'
import { PROPOSED_BODIES } from '../helpers/proposed-bodies.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * Every field of the discovery bodies comes from the model, is derived from it, or is a documented
 * constant: Waymark's bodies for the demo's Cluster0 and ReplicaSet0 are, byte for byte, the bodies the
 * research proposed from those rules (test/helpers/proposed-bodies.ts), ids, host names and all.
 */
describe('discovery bodies of the demo, byte for byte', () => {
  let t: TestApp
  before(async () => {
    t = await startTestApp({ publicUrl: 'http://localhost:8080', now: () => Date.parse('2026-12-04T10:00:42Z') })
    // The research built its bodies from a project holding Cluster0 and ReplicaSet0 only.
    for (const id of [IDS.cloudCluster0, IDS.upgraded42, IDS.sccc, IDS.noBackup]) await t.store.deleteCluster(IDS.projectA, id)
  })
  after(() => t.close())

  for (const [name, proposed] of Object.entries(PROPOSED_BODIES)) {
    test(`${name}: GET ${proposed.path}${proposed.version ? ` at ${proposed.version}` : ''}`, async () => {
      const accept = proposed.version ? `application/vnd.atlas.${proposed.version}+json` : null
      const res = await t.call(proposed.path, { accept })
      assert.equal(res.status, 200, res.body)
      assert.equal(res.headers['content-type'], proposed.version ? `application/vnd.atlas.${proposed.version}+json;charset=utf-8` : 'application/json')
      assert.equal(res.body, proposed.body)
    })
  }
})
