import { projectCreatedAt } from '../../domain/deployment.js'
import type { Organization, Project } from '../../domain/types.js'
import { apiUrl, type DiscoveryContext } from '../discovery-context.js'
import type { LinkView } from '../page-links.js'

/** The relations of a project standing alone, in the real API's order, after `self`. */
const PROJECT_RELATIONS = ['containers', 'clusters', 'databaseUsers', 'peers', 'processes', 'whitelist']
/** The relations of an organization standing alone, after `self`. */
const ORGANIZATION_RELATIONS = ['groups', 'teams', 'users']

function links(ctx: DiscoveryContext, self: string, relations: readonly string[], standalone: boolean): LinkView[] {
  const href = apiUrl(ctx, self)
  const out: LinkView[] = [{ href, rel: 'self' }]
  if (standalone) for (const relation of relations) out.push({ href: `${href}/${relation}`, rel: `${ctx.dialect.relationBase}/${relation}` })
  return out
}

/**
 * An Atlas project (`Group`, v2 2023-01-01 and v1.0): `self` and six relations alone, `self` in lists.
 * `withDefaultAlertsSettings` is always true; `regionUsageRestrictions` (Atlas for Government) never shown.
 */
export function atlasGroupView(ctx: DiscoveryContext, project: Project, clusterCount: number, standalone: boolean): object {
  return {
    clusterCount,
    created: projectCreatedAt(project),
    id: project.id,
    links: links(ctx, `/groups/${project.id}`, PROJECT_RELATIONS, standalone),
    name: project.name,
    orgId: project.orgId,
    tags: (project.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
    withDefaultAlertsSettings: true,
  }
}

/** An Atlas organization (`AtlasOrganization`): `self` and three relations alone, `self` in lists. */
export function atlasOrganizationView(ctx: DiscoveryContext, org: Organization, standalone: boolean): object {
  return {
    id: org.id,
    isDeleted: false,
    links: links(ctx, `/orgs/${org.id}`, ORGANIZATION_RELATIONS, standalone),
    name: org.name,
    skipDefaultAlertsSettings: false,
  }
}
