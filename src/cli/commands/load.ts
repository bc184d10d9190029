import { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { fixtureFile, withFileMessages } from '../../fixtures/fixture-file.js'

/** `waymark load FILE`: load a fixture file into a store, idempotent by id. */
export function loadCommand(): Command {
  return new Command('load')
    .description('load a fixture file into a store (idempotent by id; a bad file is refused whole)')
    .argument('<file>', 'fixture JSON file (see docs/fixtures.md)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (file: string, flags: { store?: string }) => {
      const config = loadConfig(flags)
      const source = await fixtureFile(file)
      const [{ loadFixtureStream }, { openStore }] = await Promise.all([import('../../fixtures/load-fixture.js'), import('../../storage/open-store.js')])
      const store = await openStore(config.store)
      try {
        // Streamed: a large file is never held whole (docs/fixtures.md).
        const summary = await withFileMessages(source, () => loadFixtureStream(source.open(), store))
        const counts = Object.entries(summary).map(([kind, count]) => `${count} ${kind}`)
        process.stdout.write(`loaded ${file} into ${config.store}: ${counts.join(', ')}\n`)
      } finally {
        await store.close()
      }
    })
}
