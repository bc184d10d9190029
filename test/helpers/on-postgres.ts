import { postgresUnreachable, reportUnreachable } from './postgres.js'
import { useEngine } from './test-store.js'

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
  reportUnreachable(`${suite} on PostgreSQL`, why)
}
