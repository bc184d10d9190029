import { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { FixtureError } from '../../fixtures/fixture-error.js'
import { fixtureFile, withFileMessages } from '../../fixtures/fixture-file.js'
import { CliError } from '../cli-error.js'
import { configuredStore, withCliStore } from '../cli-store.js'
import { storeLabel } from '../store-label.js'

/** `waymark load FILE`: load a fixture file into a store (created if missing), idempotent by id. */
export function loadCommand(): Command {
  return new Command('load')
    .description('load a fixture file into a store (idempotent by id; a bad file is refused whole)')
    .argument('<file>', 'fixture JSON file (see docs/fixtures.md)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite; created if missing)')
    .action(async (file: string, flags: { store?: string }) => {
      const config = loadConfig(flags)
      const source = await fixtureFile(file)
      const { loadFixtureStream } = await import('../../fixtures/load-fixture.js')
      const choice = configuredStore(config)
      const summary = await withCliStore(choice, { mustExist: false, command: 'load' }, async (store) => {
        try {
          // Streamed: a large file is never held whole (docs/fixtures.md).
          return await withFileMessages(source, () => loadFixtureStream(source.open(), store))
        } catch (error) {
          if (!(error instanceof FixtureError)) throw error
          // "The store" of the fixture checks is named: the one this command loads into.
          const where = `the store ${storeLabel(config.store)}`
          const problems = error.errors.map((e) => `  - ${e.replace(/in this file or the store$/, `in this file or ${where}`)}`)
          throw new CliError(`invalid fixture ${file}, nothing was loaded into ${where} ${choice.source}:\n${problems.join('\n')}`)
        }
      })
      const counts = Object.entries(summary).map(([kind, count]) => `${count} ${kind}`)
      process.stdout.write(`loaded ${file} into ${storeLabel(config.store)}: ${counts.join(', ')}\n`)
    })
}
