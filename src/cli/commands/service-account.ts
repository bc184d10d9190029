import { Command, InvalidArgumentError } from 'commander'
import { hashClientSecret, newAccountUid, newClientId, newClientSecret } from '../../auth/client-secrets.js'
import { newObjectId } from '../../domain/ids.js'
import { toIsoSeconds } from '../../domain/timestamps.js'
import { describeRoles, grantedRoles, withGrantOptions, type GrantFlags } from '../grant-options.js'
import { saveCredential } from '../save-credential.js'

interface CreateFlags extends GrantFlags {
  readonly name?: string
  readonly description: string
  readonly secretExpiresAfterHours: number
  readonly json: boolean
}

/** `waymark service-account create`: an OAuth 2.0 client; the secret is printed once. */
export function serviceAccountCommand(): Command {
  const create = withGrantOptions(
    new Command('create').description('create a service account with roles; prints the client secret once (stored only as a slow hash)'),
    'service account',
  )
    .option('--name <text>', 'display name (default: the client id)')
    .option('--description <text>', 'what the account is for', 'Created by waymark service-account create')
    .option('--secret-expires-after-hours <hours>', 'lifetime of the secret', hours, 8760)
    .option('--json', 'print the account as JSON', false)
    .action(async (flags: CreateFlags) => {
      const clientId = newClientId()
      const clientSecret = newClientSecret()
      const now = Date.now()
      const createdAt = toIsoSeconds(now) as string
      const expiresAt = toIsoSeconds(now + flags.secretExpiresAfterHours * 3_600_000) as string
      const roles = grantedRoles(flags)
      await saveCredential(flags.store, {
        serviceAccount: {
          clientId,
          uid: newAccountUid(),
          orgId: flags.org,
          name: flags.name ?? clientId,
          description: flags.description,
          roles,
          secrets: [{ id: newObjectId(now), hash: await hashClientSecret(clientSecret), createdAt, expiresAt }],
          accessList: flags.accessList,
          createdAt,
        },
      })
      const shown = { clientId, clientSecret, secretExpiresAt: expiresAt, orgId: flags.org, roles, accessList: flags.accessList }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
        return
      }
      process.stdout.write(
        [
          'Service account created. The client secret is shown only now: keep it safe.',
          `  client id:     ${clientId}`,
          `  client secret: ${clientSecret}`,
          `  secret expires ${expiresAt}`,
          `  organization:  ${flags.org}`,
          ...describeRoles(roles),
          ...flags.accessList.map((entry) => `  access list:  ${entry}`),
          `Get a token with: curl -u '${clientId}:${clientSecret}' -d grant_type=client_credentials …/api/oauth/token`,
          '',
        ].join('\n'),
      )
    })
  return new Command('service-account').description('manage OAuth 2.0 service accounts').addCommand(create)
}

function hours(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive whole number of hours')
  return parsed
}
