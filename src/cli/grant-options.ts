import { InvalidArgumentError, type Command } from 'commander'
import { parseAccessListEntry } from '../auth/access-list.js'
import { GROUP_ROLES, ORG_ROLES, type GroupRole, type OrgRole, type RoleAssignment } from '../domain/types.js'

/** A project role as `--project GROUP_ID:ROLE` gives it. */
export type ProjectRole = { readonly groupId: string; readonly roleName: GroupRole }

/** The flags that say what a credential may reach, shared by `apikey create` and `service-account create`. */
export interface GrantFlags {
  readonly org: string
  readonly orgRole: OrgRole
  readonly project: ProjectRole[]
  readonly accessList: string[]
  readonly store?: string
}

/**
 * The same flags on `update`: each left out keeps what the credential has; `--project` and
 * `--access-list` replace the whole list, `--no-project` and `--no-access-list` empty it.
 */
export interface RegrantFlags {
  readonly orgRole?: OrgRole
  readonly project?: ProjectRole[] | false
  readonly accessList?: string[] | false
  readonly store?: string
}

const STORE_HELP = 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite; must exist)'

/** Adds --org, --org-role, --project, --access-list and --store to a create command. */
export function withGrantOptions(command: Command, what: string): Command {
  return command
    .requiredOption('--org <id>', `organization the ${what} belongs to (24-hex id)`, objectId)
    .option('--org-role <role>', `organization role: ${ORG_ROLES.join(', ')}`, orgRole, 'ORG_MEMBER')
    .option('--project <groupId:role>', `project role (repeatable): ${GROUP_ROLES.join(', ')}`, projectRole, [])
    .option('--access-list <ip-or-cidr>', 'allow calls only from this address or CIDR block (repeatable)', accessListEntry, [])
    .option('--store <url>', STORE_HELP)
}

/** Adds --org-role, --project/--no-project, --access-list/--no-access-list and --store to an update command. */
export function withRegrantOptions(command: Command): Command {
  return command
    .option('--org-role <role>', `new organization role: ${ORG_ROLES.join(', ')}`, orgRole)
    .option('--project <groupId:role>', `project role (repeatable): replaces every project role; ${GROUP_ROLES.join(', ')}`, projectRole)
    .option('--no-project', 'remove every project role')
    .option('--access-list <ip-or-cidr>', 'address or CIDR block (repeatable): replaces the access list', accessListEntry)
    .option('--no-access-list', 'remove the access list: calls from anywhere')
    .option('--store <url>', STORE_HELP)
}

/** The `--store` option of the commands that read or change existing credentials. */
export function withStoreOption(command: Command): Command {
  return command.option('--store <url>', STORE_HELP)
}

/**
 * The roles the flags grant, and the option each role came from (for messages: a problem with
 * `roles[1]` is about `--project …`): the organization role, then each project role.
 */
export function grantedRoles(flags: GrantFlags): { roles: RoleAssignment[]; options: string[] } {
  return {
    roles: [{ orgId: flags.org, roleName: flags.orgRole }, ...flags.project],
    options: [`--org-role ${flags.orgRole}`, ...flags.project.map(projectOption)],
  }
}

/** A credential's roles after an update's flags, with the option each came from ('' when it was kept). */
export function regrantedRoles(current: readonly RoleAssignment[], orgId: string, flags: RegrantFlags): { roles: RoleAssignment[]; options: string[] } {
  const currentOrg = current.filter((r) => 'orgId' in r)
  const currentProjects = current.filter((r) => 'groupId' in r)
  const org = flags.orgRole !== undefined ? [{ orgId, roleName: flags.orgRole }] : currentOrg
  const projects = flags.project === undefined ? currentProjects : flags.project === false ? [] : flags.project
  return {
    roles: [...org, ...projects],
    options: [
      ...org.map(() => (flags.orgRole !== undefined ? `--org-role ${flags.orgRole}` : '')),
      ...projects.map((p) => (flags.project === undefined || flags.project === false ? '' : projectOption(p as ProjectRole))),
    ],
  }
}

/** Whether an update's flags change any of the roles or the access list. */
export function regrants(flags: RegrantFlags): boolean {
  return flags.orgRole !== undefined || flags.project !== undefined || flags.accessList !== undefined
}

/** One line per role, for the human-readable output. */
export function describeRoles(roles: readonly RoleAssignment[]): string[] {
  return roles.map((role) => `  role:         ${role.roleName} on ${'orgId' in role ? `organization ${role.orgId}` : `project ${role.groupId}`}`)
}

function projectOption(role: ProjectRole): string {
  return `--project ${role.groupId}:${role.roleName}`
}

function objectId(value: string): string {
  if (!/^[a-f0-9]{24}$/.test(value)) throw new InvalidArgumentError('expected a 24-hex id')
  return value
}

function orgRole(value: string): OrgRole {
  if (!(ORG_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ORG_ROLES.join(', ')}`)
  return value as OrgRole
}

function projectRole(value: string, previous: ProjectRole[] | false | undefined): ProjectRole[] {
  const [groupId = '', roleName = ''] = value.split(':')
  objectId(groupId)
  if (!(GROUP_ROLES as readonly string[]).includes(roleName)) {
    throw new InvalidArgumentError(`expected GROUP_ID:ROLE with ROLE one of ${GROUP_ROLES.join(', ')}`)
  }
  return [...(Array.isArray(previous) ? previous : []), { groupId, roleName: roleName as GroupRole }]
}

function accessListEntry(value: string, previous: string[] | false | undefined): string[] {
  const parsed = parseAccessListEntry(value)
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error)
  return [...(Array.isArray(previous) ? previous : []), parsed.value]
}
