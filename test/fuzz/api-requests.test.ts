import { after, before, describe, test } from 'node:test'
import { runApiCase } from '../helpers/fuzz-api-case.js'
import { generateDiscoveryCase } from '../helpers/fuzz-discovery.js'
import { caseCount, fuzzSettings } from '../helpers/fuzz-prng.js'
import { runProperty, startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js'

const settings = fuzzSettings()

describe('fuzz: API requests (checkpoints and discovery) over a real socket (SQLite)', () => {
  let server: FuzzServer
  before(async () => {
    server = await startFuzzServer()
  })
  after(() => server.close())

  test('malformed paths: every id and name, percent-encodings, dot segments, slashes, long segments', async () => {
    await runProperty('api paths', settings, caseCount(settings, 900), 4, (rng) =>
      runApiCase(server, rng, { malformedSegment: 0.35, structural: 0.2, badQuery: 0.1, badAccept: 0.05, otherMethod: 0.06, bearer: 0.15, brokenAuth: 0.03 }),
    )
    await server.assertServes()
  })

  test('query values and Accept headers: bad, huge, negative, float, empty, repeated, unknown, encoded', async () => {
    await runProperty('api query and accept', settings, caseCount(settings, 700), 4, (rng) =>
      runApiCase(server, rng, { malformedSegment: 0.05, structural: 0.02, badQuery: 0.5, badAccept: 0.4, otherMethod: 0.02, bearer: 0.15, brokenAuth: 0.03 }),
    )
    await server.assertServes()
  })

  test('discovery routes: projects, organizations, clusters, backup configurations; malformed ids and names, versions, filters', async () => {
    await runProperty('discovery', settings, caseCount(settings, 700), 4, (rng) =>
      runApiCase(server, rng, { malformedSegment: 0.25, structural: 0.1, badQuery: 0.15, badAccept: 0.15, otherMethod: 0.04, bearer: 0.2, brokenAuth: 0.05 }, generateDiscoveryCase),
    )
    await server.assertServes()
  })

  test('Authorization headers broken at every field: Digest, Bearer, Basic, unknown schemes', async () => {
    await runProperty('api authorization', settings, caseCount(settings, 700), 4, (rng) =>
      runApiCase(server, rng, { malformedSegment: 0.08, structural: 0.03, badQuery: 0.08, badAccept: 0.08, otherMethod: 0.02, bearer: 0.25, brokenAuth: 0.75 }),
    )
    await server.assertServes()
  })
})
