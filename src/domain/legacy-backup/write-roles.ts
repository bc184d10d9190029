/**
 * P-G6: who may write legacy backup resources (a restore job today): on the Atlas dialects
 * `x-rolesRequirements: ["Project Owner"]`, which Waymark's roles give as ORG_OWNER of the project's
 * organization or GROUP_OWNER of the project; Ops Manager also lets GROUP_BACKUP_MANAGER (≈ "Project
 * Backup Admin") write.
 */
import type { Principal, Project } from '../types.js'

export function canWriteLegacyBackup(principal: Principal, project: Project, family: 'atlas' | 'ops-manager'): boolean {
  if (principal.orgId !== project.orgId) return false
  return principal.roles.some((role) =>
    'orgId' in role
      ? role.orgId === project.orgId && role.roleName === 'ORG_OWNER'
      : role.groupId === project.id && (role.roleName === 'GROUP_OWNER' || (family === 'ops-manager' && role.roleName === 'GROUP_BACKUP_MANAGER')),
  )
}
