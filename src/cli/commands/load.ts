import { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { readJsonFile } from '../read-json-file.js'

/** `waymark load FILE`: load a fixture file into a store, idempotent by id. */
export function loadCommand(): Command {
  return new Command('load')
    .description('load a fixture file into a store (idempotent by id; a bad file is refused whole)')
    .argument('<file>', 'fixture JSON file (see docs/fixtures.md)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (file: string, flags: { store?: string }) => {
      const config = loadConfig(flags)
      const document = await readJsonFile(file)
      const [{ loadFixture }, { openStore }] = await Promise.all([import('../../fixtures/load-fixture.js'), import('../../storage/open-store.js')])
      const store = await openStore(config.store)
      try {
        const summary = await loadFixture(document, store)
        const counts = Object.entries(summary).map(([kind, count]) => `${count} ${kind}`)
        process.stdout.write(`loaded ${file} into ${config.store}: ${counts.join(', ')}\n`)
      } finally {
        await store.close()
      }
    })
}
