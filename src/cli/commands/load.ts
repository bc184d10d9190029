import { Command } from 'commander'
import { loadConfig } from '../../config.js'
import { configuredStore, withCliStore } from '../cli-store.js'
import { readJsonFile } from '../read-json-file.js'
import { storeLabel } from '../store-label.js'

/** `waymark load FILE`: load a fixture file into a store (created if missing), idempotent by id. */
export function loadCommand(): Command {
  return new Command('load')
    .description('load a fixture file into a store (idempotent by id; a bad file is refused whole)')
    .argument('<file>', 'fixture JSON file (see docs/fixtures.md)')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite; created if missing)')
    .action(async (file: string, flags: { store?: string }) => {
      const config = loadConfig(flags)
      const document = await readJsonFile(file)
      const { loadFixture } = await import('../../fixtures/load-fixture.js')
      const summary = await withCliStore(configuredStore(config), { mustExist: false, command: 'load' }, (store) => loadFixture(document, store))
      const counts = Object.entries(summary).map(([kind, count]) => `${count} ${kind}`)
      process.stdout.write(`loaded ${file} into ${storeLabel(config.store)}: ${counts.join(', ')}\n`)
    })
}
