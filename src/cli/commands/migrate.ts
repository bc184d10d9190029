import { Command } from 'commander'
import { loadConfig } from '../../config.js'
import type { SchemaMigration } from '../../storage/store.js'
import { configuredStore, withCliStore } from '../cli-store.js'
import { storeLabel } from '../store-label.js'

/**
 * `waymark migrate`: brings a store's schema to the newest version this build knows and says what it did.
 * Opening a store migrates it (the engines do it under a lock, so concurrent starts do not race); this
 * command is that step alone, for deployments that migrate before starting servers. A database written by
 * a newer Waymark is refused (exit 1) and left untouched.
 */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply pending schema migrations to a store and report the schema version')
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (flags: { store?: string }) => {
      const config = loadConfig(flags)
      const migration = await withCliStore(configuredStore(config), { mustExist: false, command: 'migrate' }, async (store) => store.migration)
      process.stdout.write(`${storeLabel(config.store)}: ${describeMigration(migration)}\n`)
    })
}

/** "schema version 1 → 2 (applied 2 access lists, …)" or "already at schema version 2". */
export function describeMigration(migration: SchemaMigration): string {
  if (migration.applied.length === 0) return `already at schema version ${migration.to}`
  const applied = migration.applied.map((m) => `${m.version} ${m.name}`).join('; ')
  return `schema version ${migration.from} → ${migration.to} (applied ${applied})`
}
