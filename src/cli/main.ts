#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config.js'
import { FixtureError } from '../fixtures/fixture-error.js'
import { apikeyCommand } from './commands/apikey.js'
import { copyCommand } from './commands/copy.js'
import { generateCommand } from './commands/generate.js'
import { loadCommand } from './commands/load.js'
import { migrateCommand } from './commands/migrate.js'
import { serveCommand } from './commands/serve.js'
import { serviceAccountCommand } from './commands/service-account.js'

/** Exit codes: 0 success, 1 the command failed, 2 the command line was wrong. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const

function program(): Command {
  const root = new Command('waymark')
    .description('A faithful, self-hosted server for the MongoDB backup Checkpoints API')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addCommand(serveCommand())
    .addCommand(loadCommand())
    .addCommand(apikeyCommand())
    .addCommand(serviceAccountCommand())
    .addCommand(migrateCommand())
    .addCommand(copyCommand())
    .addCommand(generateCommand())
  const strict = (command: Command): void => {
    command.exitOverride().showHelpAfterError('(add --help for usage)')
    command.commands.forEach(strict)
  }
  strict(root)
  return root
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: 'user' })
    return EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
      return informational ? EXIT.ok : EXIT.usage
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`waymark: ${error.message}\n`)
      return EXIT.usage
    }
    if (error instanceof FixtureError) {
      process.stderr.write(`waymark: invalid fixture, nothing was loaded:\n${error.errors.map((e) => `  - ${e}\n`).join('')}`)
      return EXIT.failed
    }
    process.stderr.write(`waymark: ${error instanceof Error ? error.message : String(error)}\n`)
    return EXIT.failed
  }
}

process.exit(await main(process.argv.slice(2)))
