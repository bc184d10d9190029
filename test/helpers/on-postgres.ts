import assert from 'node:assert/strict'
import { test } from 'node:test'
import { POSTGRES_START_HINT, POSTGRES_URL, postgresUnreachable, useEngine } from './test-store.js'

/**
 * Runs an HTTP suite again with every test app on PostgreSQL (each in its own schema). The suite's
 * module is imported after switching the engine, so its tests register in the calling file.
 *
 * When PostgreSQL cannot be reached: under CI=true one failing test says so; otherwise one skipped test
 * names the suite and how to start PostgreSQL, so `npm test` stays green on a machine without it.
 */
export async function onPostgres(suite: string, load: () => Promise<unknown>): Promise<void> {
  const why = await postgresUnreachable()
  if (why === undefined) {
    useEngine('postgres')
    await load()
    return
  }
  const message = `PostgreSQL is not reachable at ${POSTGRES_URL} (${why})`
  if (process.env.CI === 'true') {
    test(`${suite} on PostgreSQL`, () => assert.fail(`${message}; CI must run the PostgreSQL suites`))
  } else {
    test(`${suite} on PostgreSQL`, { skip: `${message}; start it with: ${POSTGRES_START_HINT}, then run npm test again` }, () => undefined)
  }
}
