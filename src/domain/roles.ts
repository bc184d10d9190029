import type { GroupRole, OrgRole, Principal, Project } from './types.js'

/** Organization roles that reach every project of their organization. */
const ORG_ROLES_READING_PROJECTS: readonly OrgRole[] = ['ORG_OWNER', 'ORG_READ_ONLY']

/** Project roles at or above "Project Read Only", the role the checkpoint operations require. */
const PROJECT_ROLES_READING_CHECKPOINTS: readonly GroupRole[] = ['GROUP_OWNER', 'GROUP_BACKUP_MANAGER', 'GROUP_READ_ONLY']

/**
 * Whether the caller may read the project's checkpoints: it must belong to the project's organization
 * and hold ORG_OWNER or ORG_READ_ONLY there, or GROUP_OWNER, GROUP_BACKUP_MANAGER or GROUP_READ_ONLY on
 * the project itself. Nothing else grants it.
 */
export function canReadCheckpoints(principal: Principal, project: Project): boolean {
  if (principal.orgId !== project.orgId) return false
  return principal.roles.some((role) =>
    'orgId' in role
      ? role.orgId === project.orgId && ORG_ROLES_READING_PROJECTS.includes(role.roleName)
      : role.groupId === project.id && PROJECT_ROLES_READING_CHECKPOINTS.includes(role.roleName),
  )
}

/**
 * Whether the caller sees the project in the discovery endpoints (lists, by name, by id): the same rule as
 * reading its checkpoints, so every project a tool discovers is one it can read.
 */
export const canSeeProject = canReadCheckpoints

/**
 * Whether the caller may change a project's legacy backup (PATCH the schedule, PATCH or DELETE a snapshot,
 * POST a restore job; docs/behaviour.md#legacy-backup-roles): ORG_OWNER of its organization or GROUP_OWNER
 * of the project ("Project Owner"); on Ops Manager also GROUP_BACKUP_MANAGER ("Project Backup Admin").
 */
export function canWriteLegacyBackup(principal: Principal, project: Project, family: 'atlas' | 'ops-manager'): boolean {
  if (principal.orgId !== project.orgId) return false
  return principal.roles.some((role) =>
    'orgId' in role
      ? role.orgId === project.orgId && role.roleName === 'ORG_OWNER'
      : role.groupId === project.id && (role.roleName === 'GROUP_OWNER' || (family === 'ops-manager' && role.roleName === 'GROUP_BACKUP_MANAGER')),
  )
}

/** Ops Manager's "Global Backup Admin or Global Owner", which deleting a snapshot inside the point-in-time window needs: ORG_OWNER here. */
export function isOrgOwner(principal: Principal, project: Project): boolean {
  return principal.orgId === project.orgId && principal.roles.some((role) => 'orgId' in role && role.orgId === project.orgId && role.roleName === 'ORG_OWNER')
}
