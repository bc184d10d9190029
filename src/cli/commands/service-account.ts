import { Command, InvalidArgumentError } from 'commander'
import { secretView, serviceAccountView } from '../../admin/admin-views.js'
import { toIsoSeconds } from '../../domain/timestamps.js'
import { describeServiceAccount, printJson, printLines, serviceAccountTable } from '../credential-output.js'
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
import { storeLabel } from '../store-label.js'

interface CreateFlags extends GrantFlags {
  readonly name?: string
  readonly description: string
  readonly secretExpiresAfterHours: number
  readonly json: boolean
}

interface ReadFlags {
  readonly store?: string
  readonly json: boolean
}

interface UpdateFlags extends RegrantFlags {
  readonly name?: string
  readonly description?: string
  readonly json: boolean
}

const DEFAULT_SECRET_HOURS = 8760

/**
 * `waymark service-account create | list | show | update | delete | secret add | secret delete`: OAuth 2.0
 * service accounts, through the same logic as the admin API's /serviceAccounts (admin/admin-credentials.ts).
 * Every subcommand needs an existing store.
 */
export function serviceAccountCommand(): Command {
  const secret = new Command('secret').description('add or remove one client secret of a service account (rotation)').addCommand(secretAddCommand()).addCommand(secretDeleteCommand())
  return new Command('service-account')
    .description('manage OAuth 2.0 service accounts')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(updateCommand())
    .addCommand(deleteCommand())
    .addCommand(secret)
}

function createCommand(): Command {
  return withGrantOptions(
    new Command('create').description('create a service account with roles; prints the client secret once (stored only as a slow hash)'),
    'service account',
  )
    .option('--name <text>', 'display name (default: the client id)')
    .option('--description <text>', 'what the account is for', 'Created by waymark service-account create')
    .option('--secret-expires-after-hours <hours>', 'lifetime of the secret', hours, DEFAULT_SECRET_HOURS)
    .option('--json', 'print the account as JSON', false)
    .action(async (flags: CreateFlags) => {
      const { roles, options } = grantedRoles(flags)
      const { record, secret } = await withCredentials(flags.store, 'service-account create', (context) => {
        context.options = {
          roles: options,
          accessList: flags.accessList.map((e) => `--access-list ${e}`),
          fields: { orgId: `--org ${flags.org}`, name: '--name', description: '--description', secretExpiresAt: '--secret-expires-after-hours' },
        }
        return context.credentials.createServiceAccount({
          orgId: flags.org,
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          description: flags.description,
          roles,
          accessList: flags.accessList,
          secretExpiresAt: expiresIn(flags.secretExpiresAfterHours),
        })
      })
      const expiresAt = record.secrets[0]?.expiresAt
      const shown = { clientId: record.clientId, clientSecret: secret, secretExpiresAt: expiresAt, orgId: record.orgId, roles: record.roles, accessList: record.accessList }
      if (flags.json) return printJson(shown)
      printLines([
        'Service account created. The client secret is shown only now: keep it safe.',
        `  client id:     ${record.clientId}`,
        `  client secret: ${secret}`,
        `  secret expires ${expiresAt}`,
        `  organization:  ${record.orgId}`,
        ...describeRoles(record.roles),
        ...record.accessList.map((entry) => `  access list:  ${entry}`),
        `Get a token with: curl -u '${record.clientId}:${secret}' -d grant_type=client_credentials …/api/oauth/token`,
      ])
    })
}

function listCommand(): Command {
  return withStoreOption(new Command('list').description('list the service accounts (never a secret or a hash)'))
    .option('--org <id>', 'only the accounts of this organization')
    .option('--json', 'print {"results": [...], "totalCount": N}, as the admin API does', false)
    .action(async (flags: ReadFlags & { readonly org?: string }) => {
      const accounts = await withCredentials(flags.store, 'service-account list', ({ credentials }) => credentials.listServiceAccounts(flags.org))
      if (flags.json) return printJson({ results: accounts.map(serviceAccountView), totalCount: accounts.length })
      printLines(accounts.length === 0 ? ['no service accounts'] : serviceAccountTable(accounts))
    })
}

function showCommand(): Command {
  return withStoreOption(new Command('show').description('show one service account, with its secrets\' ids and expiry (never a secret)'))
    .argument('<clientId>', 'the account\'s client id (mdb_sa_id_…)')
    .option('--json', 'print the account as JSON, as the admin API does', false)
    .action(async (clientId: string, flags: ReadFlags) => {
      const account = await withCredentials(flags.store, 'service-account show', ({ credentials }) => credentials.serviceAccount(clientId))
      if (flags.json) return printJson(serviceAccountView(account))
      printLines(['Service account', ...describeServiceAccount(account)])
    })
}

function updateCommand(): Command {
  return withRegrantOptions(new Command('update').description('change a service account\'s roles, access list, name or description (its secrets stay)'))
    .argument('<clientId>', 'the account\'s client id')
    .option('--name <text>', 'display name')
    .option('--description <text>', 'what the account is for')
    .option('--json', 'print the account as stored now, as JSON', false)
    .action(async (clientId: string, flags: UpdateFlags, command: Command) => {
      if (!regrants(flags) && flags.name === undefined && flags.description === undefined) {
        command.error('error: nothing to change: give --name, --description, --org-role, --project, --no-project, --access-list or --no-access-list', {
          exitCode: 2,
          code: 'waymark.nothingToChange',
        })
      }
      const account = await withCredentials(flags.store, 'service-account update', async (context) => {
        const current = await context.credentials.serviceAccount(clientId)
        const { roles, options } = regrantedRoles(current.roles, current.orgId, flags)
        const accessList = flags.accessList === undefined ? undefined : flags.accessList === false ? [] : flags.accessList
        context.options = {
          roles: options,
          accessList: (accessList ?? []).map((e) => (flags.accessList ? `--access-list ${e}` : '')),
          fields: { name: '--name', description: '--description' },
        }
        return context.credentials.updateServiceAccount(clientId, {
          roles,
          ...(accessList !== undefined ? { accessList } : {}),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          ...(flags.description !== undefined ? { description: flags.description } : {}),
        })
      })
      if (flags.json) return printJson(serviceAccountView(account))
      printLines(['Service account updated.', ...describeServiceAccount(account)])
    })
}

function deleteCommand(): Command {
  return withStoreOption(new Command('delete').description('delete a service account: its tokens are refused by every server on the store from their next request'))
    .argument('<clientId>', 'the account\'s client id')
    .option('--json', 'print {"deleted": <the account as it was>}', false)
    .action(async (clientId: string, flags: ReadFlags) => {
      const { account, where } = await withCredentials(flags.store, 'service-account delete', async ({ credentials, store }) => {
        const account = await credentials.serviceAccount(clientId)
        await credentials.deleteServiceAccount(clientId)
        return { account, where: storeLabel(store.url) }
      })
      if (flags.json) return printJson({ deleted: serviceAccountView(account) })
      printLines([`Service account ${account.clientId} deleted from ${where}.`])
    })
}

function secretAddCommand(): Command {
  return withStoreOption(new Command('add').description('add a client secret beside the others; prints it once'))
    .argument('<clientId>', 'the account\'s client id')
    .option('--secret-expires-after-hours <hours>', 'lifetime of the secret', hours, DEFAULT_SECRET_HOURS)
    .option('--json', 'print {"clientId", "id", "createdAt", "expiresAt", "clientSecret"}', false)
    .action(async (clientId: string, flags: ReadFlags & { readonly secretExpiresAfterHours: number }) => {
      const { record, secret } = await withCredentials(flags.store, 'service-account secret add', (context) => {
        context.options = { fields: { secretExpiresAt: '--secret-expires-after-hours' } }
        return context.credentials.addServiceAccountSecret(clientId, { secretExpiresAt: expiresIn(flags.secretExpiresAfterHours) })
      })
      if (flags.json) return printJson({ clientId, ...secretView(record), clientSecret: secret })
      printLines([
        'Secret added. The client secret is shown only now: keep it safe.',
        `  client id:     ${clientId}`,
        `  secret id:     ${record.id}`,
        `  client secret: ${secret}`,
        `  expires:       ${record.expiresAt}`,
        `Remove the old one with: waymark service-account secret delete ${clientId} SECRET_ID`,
      ])
    })
}

function secretDeleteCommand(): Command {
  return withStoreOption(new Command('delete').description('remove one client secret: it gets no more tokens; the others stay'))
    .argument('<clientId>', 'the account\'s client id')
    .argument('<secretId>', 'the secret\'s id (`service-account show` lists them)')
    .option('--json', 'print the account as stored now', false)
    .action(async (clientId: string, secretId: string, flags: ReadFlags) => {
      const account = await withCredentials(flags.store, 'service-account secret delete', ({ credentials }) => credentials.deleteServiceAccountSecret(clientId, secretId))
      if (flags.json) return printJson(serviceAccountView(account))
      printLines([`Secret ${secretId} removed; ${account.secrets.length} left.`, ...describeServiceAccount(account)])
    })
}

/** An ISO date `hours` from now. */
function expiresIn(hours: number): string {
  return toIsoSeconds(Date.now() + hours * 3_600_000) as string
}

function hours(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive whole number of hours')
  return parsed
}
