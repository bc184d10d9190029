import { after, before, describe, test } from 'node:test'
import { runAdminCase, runHealthCase } from '../helpers/fuzz-admin.js'
import { runOAuthCase } from '../helpers/fuzz-oauth.js'
import { caseCount, fuzzSettings } from '../helpers/fuzz-prng.js'
import { runProperty, startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js'

const settings = fuzzSettings()

describe('fuzz: OAuth endpoints, admin API and health probes over a real socket (SQLite)', () => {
  let server: FuzzServer
  before(async () => {
    server = await startFuzzServer({ admin: true })
  })
  after(() => server.close())

  test('OAuth token and revoke: content types, form bodies, client credentials, sizes', async () => {
    await runProperty('oauth', settings, caseCount(settings, 300), 2, (rng) => runOAuthCase(server, rng))
    await server.assertServes()
  })

  test('admin API with and without the token: malformed ids, queries, bodies, methods', async () => {
    await runProperty('admin', settings, caseCount(settings, 700), 4, (rng) => runAdminCase(server, rng))
    await server.assertServes()
  })

  test('health probes: any method, query or header', async () => {
    await runProperty('health', settings, caseCount(settings, 200), 4, (rng) => runHealthCase(server, rng))
    await server.assertServes()
  })
})
