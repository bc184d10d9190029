import { InvalidArgumentError, type Command } from 'commander'
import { parseAccessListEntry } from '../auth/access-list.js'
import { GROUP_ROLES, ORG_ROLES, type GroupRole, type OrgRole, type RoleAssignment } from '../domain/types.js'

/** The flags that say what a credential may reach, shared by `apikey create` and `service-account create`. */
export interface GrantFlags {
  readonly org: string
  readonly orgRole: OrgRole
  readonly project: { groupId: string; roleName: GroupRole }[]
  readonly accessList: string[]
  readonly store?: string
}

/** Adds --org, --org-role, --project, --access-list and --store to a create command. */
export function withGrantOptions(command: Command, what: string): Command {
  return command
    .requiredOption('--org <id>', `organization the ${what} belongs to (24-hex id)`, objectId)
    .option('--org-role <role>', `organization role: ${ORG_ROLES.join(', ')}`, orgRole, 'ORG_MEMBER')
    .option('--project <groupId:role>', `project role (repeatable): ${GROUP_ROLES.join(', ')}`, projectRole, [])
    .option('--access-list <ip-or-cidr>', 'allow calls only from this address or CIDR block (repeatable)', accessListEntry, [])
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
}

/** The roles the flags grant: the organization role, then each project role. */
export function grantedRoles(flags: GrantFlags): RoleAssignment[] {
  return [{ orgId: flags.org, roleName: flags.orgRole }, ...flags.project]
}

/** One line per role, for the human-readable output. */
export function describeRoles(roles: readonly RoleAssignment[]): string[] {
  return roles.map((role) => `  role:         ${role.roleName} on ${'orgId' in role ? `organization ${role.orgId}` : `project ${role.groupId}`}`)
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

function accessListEntry(value: string, previous: string[]): string[] {
  const parsed = parseAccessListEntry(value)
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error)
  return [...previous, parsed.value]
}
