import { Command } from 'commander'
import { apiKeyView } from '../../admin/admin-views.js'
import { storeLabel } from '../store-label.js'
import { apiKeyTable, describeApiKey, printJson, printLines } from '../credential-output.js'
import { withCredentials } from '../credential-store.js'
import {
  describeRoles,
  grantedRoles,
  regrantedRoles,
  regrants,
  withGrantOptions,
  withRegrantOptions,
  withStoreOption,
  type GrantFlags,
  type RegrantFlags,
} from '../grant-options.js'

interface CreateFlags extends GrantFlags {
  readonly description: string
  readonly json: boolean
}

interface ReadFlags {
  readonly store?: string
  readonly json: boolean
}

interface UpdateFlags extends RegrantFlags {
  readonly description?: string
  readonly json: boolean
}

/**
 * `waymark apikey create | list | show | update | delete`: programmatic API keys, through the same logic as
 * the admin API's /apiKeys (admin/admin-credentials.ts). Every subcommand needs an existing store.
 */
export function apikeyCommand(): Command {
  return new Command('apikey')
    .description('manage programmatic API keys (HTTP Digest)')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(updateCommand())
    .addCommand(deleteCommand())
}

function createCommand(): Command {
  return withGrantOptions(
    new Command('create').description('create an API key with roles; prints the private key once (it is stored only as a Digest hash)'),
    'key',
  )
    .option('--description <text>', 'what the key is for', 'Created by waymark apikey create')
    .option('--json', 'print the key as JSON', false)
    .action(async (flags: CreateFlags) => {
      const { roles, options } = grantedRoles(flags)
      const { record, secret } = await withCredentials(flags.store, 'apikey create', (context) => {
        context.options = { roles: options, accessList: flags.accessList.map((e) => `--access-list ${e}`), fields: { orgId: `--org ${flags.org}`, description: '--description' } }
        return context.credentials.createApiKey({ orgId: flags.org, description: flags.description, roles, accessList: flags.accessList })
      })
      const shown = { publicKey: record.publicKey, privateKey: secret, orgId: record.orgId, roles: record.roles, accessList: record.accessList }
      if (flags.json) return printJson(shown)
      printLines([
        'API key created. The private key is shown only now: keep it safe.',
        `  public key:   ${shown.publicKey}`,
        `  private key:  ${shown.privateKey}`,
        `  organization: ${shown.orgId}`,
        ...describeRoles(record.roles),
        ...record.accessList.map((entry) => `  access list:  ${entry}`),
        `Use it with: curl --digest -u '${shown.publicKey}:${shown.privateKey}' …`,
      ])
    })
}

function listCommand(): Command {
  return withStoreOption(new Command('list').description('list the API keys (never a private key or a hash)'))
    .option('--org <id>', 'only the keys of this organization')
    .option('--json', 'print {"results": [...], "totalCount": N}, as the admin API does', false)
    .action(async (flags: ReadFlags & { readonly org?: string }) => {
      const keys = await withCredentials(flags.store, 'apikey list', ({ credentials }) => credentials.listApiKeys(flags.org))
      if (flags.json) return printJson({ results: keys.map(apiKeyView), totalCount: keys.length })
      printLines(keys.length === 0 ? ['no API keys'] : apiKeyTable(keys))
    })
}

function showCommand(): Command {
  return withStoreOption(new Command('show').description('show one API key (never its private key or hash)'))
    .argument('<publicKey>', 'the key\'s public key')
    .option('--json', 'print the key as JSON, as the admin API does', false)
    .action(async (publicKey: string, flags: ReadFlags) => {
      const key = await withCredentials(flags.store, 'apikey show', ({ credentials }) => credentials.apiKey(publicKey))
      if (flags.json) return printJson(apiKeyView(key))
      printLines(['API key', ...describeApiKey(key)])
    })
}

function updateCommand(): Command {
  return withRegrantOptions(new Command('update').description('change an API key\'s roles, access list or description (the private key stays)'))
    .argument('<publicKey>', 'the key\'s public key')
    .option('--description <text>', 'what the key is for')
    .option('--json', 'print the key as stored now, as JSON', false)
    .action(async (publicKey: string, flags: UpdateFlags, command: Command) => {
      if (!regrants(flags) && flags.description === undefined) {
        command.error('error: nothing to change: give --description, --org-role, --project, --no-project, --access-list or --no-access-list', { exitCode: 2, code: 'waymark.nothingToChange' })
      }
      const key = await withCredentials(flags.store, 'apikey update', async (context) => {
        const current = await context.credentials.apiKey(publicKey)
        const { roles, options } = regrantedRoles(current.roles, current.orgId, flags)
        const accessList = flags.accessList === undefined ? undefined : flags.accessList === false ? [] : flags.accessList
        context.options = { roles: options, accessList: (accessList ?? []).map((e) => (flags.accessList ? `--access-list ${e}` : '')), fields: { description: '--description' } }
        return context.credentials.updateApiKey(publicKey, {
          roles,
          ...(accessList !== undefined ? { accessList } : {}),
          ...(flags.description !== undefined ? { description: flags.description } : {}),
        })
      })
      if (flags.json) return printJson(apiKeyView(key))
      printLines(['API key updated.', ...describeApiKey(key)])
    })
}

function deleteCommand(): Command {
  return withStoreOption(new Command('delete').description('delete an API key: every server on the store refuses it from its next request'))
    .argument('<publicKey>', 'the key\'s public key')
    .option('--json', 'print {"deleted": <the key as it was>}', false)
    .action(async (publicKey: string, flags: ReadFlags) => {
      const { key, where } = await withCredentials(flags.store, 'apikey delete', async ({ credentials, store }) => {
        const key = await credentials.apiKey(publicKey)
        await credentials.deleteApiKey(publicKey)
        return { key, where: storeLabel(store.url) }
      })
      if (flags.json) return printJson({ deleted: apiKeyView(key) })
      printLines([`API key ${key.publicKey} deleted from ${where}.`])
    })
}
