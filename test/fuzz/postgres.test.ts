import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { runAdminCase } from '../helpers/fuzz-admin.js'
import { runApiCase } from '../helpers/fuzz-api-case.js'
import { generateDiscoveryCase } from '../helpers/fuzz-discovery.js'
import { runOAuthCase } from '../helpers/fuzz-oauth.js'
import { caseCount, fuzzSettings } from '../helpers/fuzz-prng.js'
import { answered } from '../helpers/fuzz-oracle.js'
import { FUZZ_ADMIN_TOKEN, runProperty, startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js'
import { postgresUnreachable, reportUnreachable } from '../helpers/postgres.js'
import { useEngine } from '../helpers/test-store.js'

const settings = fuzzSettings()

/** A shorter pass of the same properties with the store on PostgreSQL (its own schema). */
const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('fuzz on PostgreSQL', why)
} else {
  useEngine('postgres')
  describe('fuzz: a short pass on PostgreSQL', () => {
    let server: FuzzServer
    before(async () => {
      server = await startFuzzServer({ admin: true })
    })
    after(() => server.close())

    test('checkpoint API requests, every part malformed now and then', async () => {
      await runProperty('postgres api', settings, caseCount(settings, 400), 4, (rng) =>
        runApiCase(server, rng, { malformedSegment: 0.2, structural: 0.08, badQuery: 0.25, badAccept: 0.2, otherMethod: 0.04, bearer: 0.2, brokenAuth: 0.3 }),
      )
      await server.assertServes()
    })

    test('discovery routes', async () => {
      await runProperty('postgres discovery', settings, caseCount(settings, 200), 4, (rng) =>
        runApiCase(server, rng, { malformedSegment: 0.2, structural: 0.08, badQuery: 0.2, badAccept: 0.15, otherMethod: 0.04, bearer: 0.2, brokenAuth: 0.1 }, generateDiscoveryCase),
      )
      await server.assertServes()
    })

    test('OAuth endpoints', async () => {
      await runProperty('postgres oauth', settings, caseCount(settings, 80), 2, (rng) => runOAuthCase(server, rng))
      await server.assertServes()
    })

    test('admin API', async () => {
      await runProperty('postgres admin', settings, caseCount(settings, 200), 4, (rng) => runAdminCase(server, rng))
      await server.assertServes()
    })

    // Regressions: PostgreSQL refuses U+0000 in text parameters, and the store let the error through as
    // a 500 (the guards: `holdsNul` in src/storage/postgres/postgres-connection.ts, the fixture readers in src/fixtures/entry-reader.ts).
    const status = async (method: string, target: string, headers: [string, string][], body?: string): Promise<number> => {
      const { response, problems } = answered(await server.send({ method, target, headers, ...(body === undefined ? {} : { body }) }))
      assert.deepEqual(problems, [])
      return response?.status ?? 0
    }
    const admin: [string, string] = ['Authorization', `Bearer ${FUZZ_ADMIN_TOKEN}`]

    test('a NUL in an OAuth client id is invalid_client, not 500 (probe; oauth property)', async () => {
      const form: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded']
      assert.equal(await status('POST', '/api/oauth/token', [form], 'grant_type=client_credentials&client_id=%00&client_secret=x'), 401)
      const basic = `Basic ${Buffer.from('%00:x').toString('base64')}`
      assert.equal(await status('POST', '/api/oauth/token', [form, ['Authorization', basic]], 'grant_type=client_credentials'), 401)
    })

    test('admin lookups and deletes by a key holding NUL are 404, not 500 (postgres admin, seed 1 case 968; seed 3 case 518)', async () => {
      assert.equal(await status('GET', `/_admin/v1/apiKeys/${'%00'.repeat(10)}`, [admin]), 404)
      assert.equal(await status('DELETE', `/_admin/v1/serviceAccounts/${'%00'.repeat(12)}?pageNum=0`, [admin, ['Content-Type', 'text/plain']], '['), 404)
      assert.equal(await status('DELETE', '/_admin/v1/apiKeys/%00', [admin]), 404)
      assert.equal(await status('GET', '/_admin/v1/serviceAccounts/%00', [admin]), 404)
    })

    test('a record named with a NUL is 400 INVALID_ATTRIBUTE, not 500 (probe)', async () => {
      const json: [string, string] = ['Content-Type', 'application/json']
      assert.equal(await status('POST', '/_admin/v1/orgs', [admin, json], JSON.stringify({ name: 'a\u0000b' })), 400)
      assert.equal(await status('POST', '/_admin/v1/groups', [admin, json], JSON.stringify({ name: '\u0000', orgId: '65a1f0c2e4b0a1b2c3d4e501' })), 400)
      await server.assertServes()
    })
  })
}
