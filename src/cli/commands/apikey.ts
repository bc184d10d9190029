import { Command } from 'commander'
import { generateApiKeySecrets } from '../../auth/api-key-secrets.js'
import { toIsoSeconds } from '../../domain/timestamps.js'
import { describeRoles, grantedRoles, withGrantOptions, type GrantFlags } from '../grant-options.js'
import { saveCredential } from '../save-credential.js'

interface CreateFlags extends GrantFlags {
  readonly description: string
  readonly json: boolean
}

/** `waymark apikey create`: a new programmatic API key; the private key is printed once. */
export function apikeyCommand(): Command {
  const create = withGrantOptions(
    new Command('create').description('create an API key with roles; prints the private key once (it is stored only as a Digest hash)'),
    'key',
  )
    .option('--description <text>', 'what the key is for', 'Created by waymark apikey create')
    .option('--json', 'print the key as JSON', false)
    .action(async (flags: CreateFlags) => {
      const secrets = generateApiKeySecrets()
      const roles = grantedRoles(flags)
      await saveCredential(flags.store, {
        apiKey: {
          publicKey: secrets.publicKey,
          orgId: flags.org,
          description: flags.description,
          digestHa1: secrets.digestHa1,
          roles,
          accessList: flags.accessList,
          createdAt: toIsoSeconds(new Date()) as string,
        },
      })
      const shown = { publicKey: secrets.publicKey, privateKey: secrets.privateKey, orgId: flags.org, roles, accessList: flags.accessList }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
        return
      }
      process.stdout.write(
        [
          'API key created. The private key is shown only now: keep it safe.',
          `  public key:   ${shown.publicKey}`,
          `  private key:  ${shown.privateKey}`,
          `  organization: ${shown.orgId}`,
          ...describeRoles(roles),
          ...flags.accessList.map((entry) => `  access list:  ${entry}`),
          `Use it with: curl --digest -u '${shown.publicKey}:${shown.privateKey}' …`,
          '',
        ].join('\n'),
      )
    })
  return new Command('apikey').description('manage programmatic API keys').addCommand(create)
}
