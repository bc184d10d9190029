import type { Checkpoint, CheckpointPart } from '../domain/types.js'
import type { Paging } from '../http/query-params.js'
import type { CheckpointPage } from '../storage/store.js'
import type { Dialect } from './dialect.js'
import { pageLinks, type LinkView } from './page-links.js'

/**
 * The wire views of a checkpoint, shared by every dialect: the upstream key order (alphabetical),
 * absolute links. A dialect changes only the paths and the relation names.
 */

export type { LinkView }

/** Where a view is rendered: the public base URL and the cluster as the request's path named it. */
export interface ViewContext {
  readonly dialect: Dialect
  readonly baseUrl: string
  readonly groupId: string
  /** The cluster's name (Atlas) or id (Ops Manager), as it appears in the path. */
  readonly clusterRef: string
}

export function clusterPath(ctx: ViewContext): string {
  return `${ctx.dialect.prefix}/groups/${ctx.groupId}/clusters/${encodeURIComponent(ctx.clusterRef)}`
}

/** A single checkpoint: `self`, plus the cluster and group relations when it stands alone. */
export function checkpointView(ctx: ViewContext, checkpoint: Checkpoint, standalone: boolean): object {
  const cluster = `${ctx.baseUrl}${clusterPath(ctx)}`
  const links: LinkView[] = [{ href: `${cluster}/${ctx.dialect.collection}/${checkpoint.id}`, rel: 'self' }]
  if (standalone) {
    links.push(
      { href: cluster, rel: `${ctx.dialect.relationBase}/cluster` },
      { href: `${ctx.baseUrl}${ctx.dialect.prefix}/groups/${ctx.groupId}`, rel: `${ctx.dialect.relationBase}/group` },
    )
  }
  return {
    clusterId: checkpoint.clusterId,
    completed: checkpoint.completed,
    groupId: checkpoint.groupId,
    id: checkpoint.id,
    links,
    parts: checkpoint.parts.map(partView),
    restorable: checkpoint.restorable,
    started: checkpoint.started,
    timestamp: checkpoint.timestamp,
  }
}

function partView(part: CheckpointPart): object {
  return {
    hostId: part.hostId,
    replicaSetName: part.replicaSetName,
    shardName: part.shardName,
    tokenDiscovered: part.tokenDiscovered,
    tokenTimestamp: { date: part.tokenTimestamp.date, increment: part.tokenTimestamp.increment },
    typeName: part.typeName,
  }
}

/**
 * A page of checkpoints: `{links, results, totalCount}`. `self` ends `pageNum=N&itemsPerPage=M`, `next`
 * and `previous` end `itemsPerPage=M&pageNum=N±1`; the other parameters the request carried come first.
 */
export function checkpointListView(
  ctx: ViewContext,
  page: CheckpointPage,
  paging: Paging,
  carried: readonly (readonly [string, string])[],
): object {
  return {
    links: pageLinks(`${ctx.baseUrl}${clusterPath(ctx)}/${ctx.dialect.collection}`, carried, paging, page.totalCount),
    results: page.items.map((checkpoint) => checkpointView(ctx, checkpoint, false)),
    totalCount: paging.includeCount ? page.totalCount : undefined,
  }
}
