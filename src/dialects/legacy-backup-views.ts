/**
 * The wire views of the snapshot schedule and of snapshots in the three dialects (docs/behaviour.md
 * #snapshot-schedule, #snapshots): upstream key order (alphabetical), absolute links, what each dialect
 * adds or leaves out (the digest's §8).
 */
import { deploymentOf } from '../domain/deployment.js'
import type { SnapshotScheduleView } from '../domain/legacy-backup/snapshot-service.js'
import type { Snapshot, SnapshotPart } from '../domain/legacy-backup/snapshot-types.js'
import type { Cluster } from '../domain/types.js'
import type { Paging } from '../http/query-params.js'
import type { SnapshotPage } from '../storage/snapshot-store.js'
import { clusterPath, type ViewContext } from './checkpoint-views.js'
import { pageLinks, type LinkView } from './page-links.js'

function groupUrl(ctx: ViewContext): string {
  return `${ctx.baseUrl}${ctx.dialect.prefix}/groups/${ctx.groupId}`
}

/** The schedule's own URL: under the cluster (Atlas) or its backup configuration (Ops Manager). */
export function schedulePath(ctx: ViewContext): string {
  return ctx.dialect.family === 'ops-manager'
    ? `${ctx.dialect.prefix}/groups/${ctx.groupId}/backupConfigs/${encodeURIComponent(ctx.clusterRef)}/snapshotSchedule`
    : `${clusterPath(ctx)}/snapshotSchedule`
}

/** P-S4: the schedule, `clusterCheckpointIntervalMin` only while checkpoints are on; Ops Manager's reference time once set. */
export function scheduleView(ctx: ViewContext, schedule: SnapshotScheduleView): object {
  const { cluster, settings } = schedule
  const opsManager = ctx.dialect.family === 'ops-manager'
  const links: LinkView[] = [
    { href: `${ctx.baseUrl}${schedulePath(ctx)}`, rel: 'self' },
    { href: `${ctx.baseUrl}${clusterPath(ctx)}`, rel: `${ctx.dialect.relationBase}/cluster` },
    { href: groupUrl(ctx), rel: `${ctx.dialect.relationBase}/group` },
  ]
  const reference = opsManager && settings.referenceTimeSet
  return {
    clusterCheckpointIntervalMin: cluster.checkpointIntervalMinutes ?? undefined,
    clusterId: cluster.id,
    dailySnapshotRetentionDays: settings.dailySnapshotRetentionDays,
    groupId: cluster.groupId,
    links,
    monthlySnapshotRetentionMonths: settings.monthlySnapshotRetentionMonths,
    pointInTimeWindowHours: cluster.pointInTimeWindowHours,
    referenceHourOfDay: reference ? settings.referenceHourOfDay : undefined,
    referenceMinuteOfHour: reference ? settings.referenceMinuteOfHour : undefined,
    referenceTimeZoneOffset: reference ? '+0000' : undefined,
    snapshotIntervalHours: settings.snapshotIntervalHours,
    snapshotRetentionDays: settings.snapshotRetentionDays,
    weeklySnapshotRetentionWeeks: settings.weeklySnapshotRetentionWeeks,
  }
}

function oneSecondBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1000).toISOString().slice(0, 19) + 'Z'
}

function partView(ctx: ViewContext, cluster: Cluster, snapshot: Snapshot, part: SnapshotPart): object {
  const full = ctx.dialect.name !== 'atlas-v1'
  const deployment = deploymentOf(cluster)
  return {
    clusterId: part.clusterId,
    completedTime: full ? snapshot.completedAt : undefined,
    compressionSetting: 'GZIP',
    dataSizeBytes: part.dataSizeBytes,
    encryptionEnabled: false,
    fcv: full ? cluster.featureCompatibilityVersion : undefined,
    fileSizeBytes: part.fileSizeBytes,
    machineId: full ? `${part.replicaSetName.toLowerCase()}-00-00.${deployment.hostLabel}.mongodb.net:27017` : undefined,
    mongodVersion: deployment.mongoDBVersion,
    replicaSetName: part.replicaSetName,
    replicaState: full ? 'SECONDARY' : undefined,
    storageSizeBytes: part.storageSizeBytes,
    typeName: part.typeName,
  }
}

/** One snapshot (P-N1's shape per dialect): a `self` link. */
export function snapshotView(ctx: ViewContext, cluster: Cluster, snapshot: Snapshot): object {
  const name = ctx.dialect.name
  const opsManager = ctx.dialect.family === 'ops-manager'
  const sharded = cluster.type === 'SHARDED'
  return {
    clusterId: snapshot.clusterId,
    clusterName: name === 'atlas-v1' ? undefined : cluster.name,
    complete: snapshot.completedAt !== undefined,
    created: { date: snapshot.created, increment: 1 },
    doNotDelete: snapshot.doNotDelete,
    expires: snapshot.expires,
    groupId: snapshot.groupId,
    id: snapshot.id,
    incremental: name === 'atlas-v2' ? snapshot.incremental : undefined,
    isPossiblyInconsistent: opsManager && sharded ? false : undefined,
    lastOplogAppliedTimestamp: { date: oneSecondBefore(snapshot.created), increment: 1 },
    links: [{ href: `${ctx.baseUrl}${clusterPath(ctx)}/snapshots/${snapshot.id}`, rel: 'self' }],
    missingShards: opsManager && sharded ? [] : undefined,
    namespaceFilterList: opsManager ? { filterList: [], filterType: 'denylist' } : undefined,
    parts: snapshot.parts.map((part) => partView(ctx, cluster, snapshot, part)),
  }
}

/** A page of snapshots, `{links, results, totalCount}`, links as every list's. */
export function snapshotListView(
  ctx: ViewContext,
  cluster: Cluster,
  page: SnapshotPage,
  paging: Paging,
  carried: readonly (readonly [string, string])[],
): object {
  return {
    links: pageLinks(`${ctx.baseUrl}${clusterPath(ctx)}/snapshots`, carried, paging, page.totalCount),
    results: page.items.map((s) => snapshotView(ctx, cluster, s)),
    totalCount: paging.includeCount ? page.totalCount : undefined,
  }
}
