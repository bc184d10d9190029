import { Command, InvalidArgumentError } from 'commander'
import { generateApiKeySecrets } from '../../auth/api-key-secrets.js'
import { loadConfig } from '../../config.js'
import { toIsoSeconds } from '../../domain/timestamps.js'
import { GROUP_ROLES, ORG_ROLES, type ApiKey, type GroupRole, type OrgRole, type RoleAssignment } from '../../domain/types.js'
import { checkReferences } from '../../fixtures/check-references.js'
import { openStore } from '../../storage/open-store.js'
import { CliError } from '../cli-error.js'

interface CreateFlags {
  readonly org: string
  readonly orgRole: OrgRole
  readonly project: { groupId: string; roleName: GroupRole }[]
  readonly description: string
  readonly json: boolean
  readonly store?: string
}

/** `waymark apikey create`: a new programmatic API key; the private key is printed once. */
export function apikeyCommand(): Command {
  const create = new Command('create')
    .description('create an API key with roles; prints the private key once (it is stored only as a Digest hash)')
    .requiredOption('--org <id>', 'organization the key belongs to (24-hex id)', objectId)
    .option('--org-role <role>', `organization role: ${ORG_ROLES.join(', ')}`, orgRole, 'ORG_MEMBER')
    .option('--project <groupId:role>', `project role (repeatable): ${GROUP_ROLES.join(', ')}`, projectRole, [])
    .option('--description <text>', 'what the key is for', 'Created by waymark apikey create')
    .option('--json', 'print the key as JSON', false)
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (flags: CreateFlags) => {
      const config = loadConfig(flags)
      const secrets = generateApiKeySecrets()
      const roles: RoleAssignment[] = [{ orgId: flags.org, roleName: flags.orgRole }, ...flags.project]
      const apiKey: ApiKey = {
        publicKey: secrets.publicKey,
        orgId: flags.org,
        description: flags.description,
        digestHa1: secrets.digestHa1,
        roles,
        accessList: [],
        createdAt: toIsoSeconds(new Date()) as string,
      }
      const store = await openStore(config.store)
      try {
        const data = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [apiKey], serviceAccounts: [] }
        const problems = await checkReferences(data, store)
        if (problems.length > 0) throw new CliError(problems.join('\n'))
        await store.apply(data)
      } finally {
        await store.close()
      }
      const shown = { publicKey: secrets.publicKey, privateKey: secrets.privateKey, orgId: flags.org, roles }
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
          ...roles.map((role) => `  role:         ${role.roleName} on ${'orgId' in role ? `organization ${role.orgId}` : `project ${role.groupId}`}`),
          `Try: curl --digest -u '${shown.publicKey}:${shown.privateKey}' …`,
          '',
        ].join('\n'),
      )
    })
  return new Command('apikey').description('manage programmatic API keys').addCommand(create)
}

function objectId(value: string): string {
  if (!/^[a-f0-9]{24}$/.test(value)) throw new InvalidArgumentError('expected a 24-hex id')
  return value
}

function orgRole(value: string): OrgRole {
  if (!(ORG_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ORG_ROLES.join(', ')}`)
  return value as OrgRole
}

function projectRole(value: string, previous: { groupId: string; roleName: GroupRole }[]): { groupId: string; roleName: GroupRole }[] {
  const [groupId = '', roleName = ''] = value.split(':')
  objectId(groupId)
  if (!(GROUP_ROLES as readonly string[]).includes(roleName)) {
    throw new InvalidArgumentError(`expected GROUP_ID:ROLE with ROLE one of ${GROUP_ROLES.join(', ')}`)
  }
  return [...previous, { groupId, roleName: roleName as GroupRole }]
}
