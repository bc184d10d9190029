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
