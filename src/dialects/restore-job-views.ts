/**
 * The wire views of a restore job (P-R3, P-R4, P-R6), one record under three dialects: keys in the
 * upstream (alphabetical) order; Atlas v2 without `pointInTime`/`checkpointId`, with `clusterName` and
 * `urlV2` + `authHeader`/`authValue`; Atlas v1.0 with `clusterName` and `pointInTime`, `url` only; Ops
 * Manager with `pointInTime`, `checkpointId` (checkpoint restores), `urlV2` + `authBearer`/`authHeader`/`authValue`.
 */
import { downloadExpiry, type JobState } from '../domain/legacy-backup/restore-lifecycle.js'
import { restoreFileName } from '../domain/legacy-backup/restore-archive.js'
import { DEFAULT_EXPIRATION_HOURS, DEFAULT_MAX_DOWNLOADS, type RestoreJob } from '../domain/legacy-backup/restore-types.js'
import type { Paging } from '../http/query-params.js'
import type { RestoreJobPage } from '../storage/restore-job-store.js'
import { clusterPath, type ViewContext } from './checkpoint-views.js'
import { pageLinks, type LinkView } from './page-links.js'

export const RESTORE_JOBS = 'restoreJobs'

/** Where the downloads are served, relative to the base URL. */
export function downloadPaths(job: RestoreJob): { readonly url: string; readonly urlV2: string } {
  const file = restoreFileName(job)
  return { url: `/backup/restore/v2/pull/${job.id}/${job.token}/${file}`, urlV2: `/backup/restore/v3/pull/${job.id}/${file}` }
}

function deliveryView(ctx: ViewContext, job: RestoreJob, state: JobState): object {
  const { dialect } = ctx
  const ops = dialect.family === 'ops-manager'
  const v2 = dialect.name === 'atlas-v2'
  if (job.method === 'AUTOMATED_RESTORE') {
    return {
      methodName: 'HTTP',
      statusName: state.delivery,
      targetClusterId: job.target?.clusterId,
      targetClusterName: ops ? undefined : job.target?.clusterName,
      targetGroupId: job.target?.groupId,
    }
  }
  const ready = state.status === 'FINISHED'
  const paths = downloadPaths(job)
  const withUrlV2 = ready && (v2 || ops)
  return {
    authBearer: withUrlV2 && ops ? 'Bearer' : undefined,
    authHeader: withUrlV2 ? 'Authorization' : undefined,
    authValue: withUrlV2 ? (ops ? job.token : `Bearer ${job.token}`) : undefined,
    expirationHours: job.expiresRequested !== undefined ? undefined : (job.expirationHours ?? DEFAULT_EXPIRATION_HOURS),
    expires: ready ? downloadExpiry(job) : job.expiresRequested,
    maxDownloads: job.maxDownloads ?? DEFAULT_MAX_DOWNLOADS,
    methodName: 'HTTP',
    statusName: state.delivery,
    url: ready ? `${ctx.baseUrl}${paths.url}` : undefined,
    urlV2: withUrlV2 ? `${ctx.baseUrl}${paths.urlV2}` : undefined,
  }
}

/** One job: `self`, plus cluster, snapshot and group when it stands alone (P-R6). */
export function restoreJobView(ctx: ViewContext, job: RestoreJob, state: JobState, standalone: boolean): object {
  const { dialect } = ctx
  const ops = dialect.family === 'ops-manager'
  const v2 = dialect.name === 'atlas-v2'
  const cluster = `${ctx.baseUrl}${clusterPath(ctx)}`
  const links: LinkView[] = [{ href: `${cluster}/${RESTORE_JOBS}/${job.id}`, rel: 'self' }]
  if (standalone) {
    // Atlas v1.0's documented example points its group link at the Ops Manager API (§3.2); reproduced.
    // Its relations are the MMS ones, as the v1.0 and Ops Manager examples show (P-R6); v2 keeps its own.
    const groupPrefix = dialect.name === 'atlas-v1' ? '/api/public/v1.0' : dialect.prefix
    const rel = v2 ? dialect.relationBase : 'http://mms.mongodb.com'
    links.push(
      { href: cluster, rel: `${rel}/cluster` },
      { href: `${cluster}/snapshots/${job.snapshotId}`, rel: `${rel}/snapshot` },
      { href: `${ctx.baseUrl}${groupPrefix}/groups/${job.groupId}`, rel: `${rel}/group` },
    )
  }
  return {
    batchId: job.batchId,
    checkpointId: ops && job.source.kind === 'checkpoint' ? job.source.checkpointId : undefined,
    clusterId: job.partClusterId,
    clusterName: ops ? undefined : job.clusterName,
    created: job.created,
    delivery: deliveryView(ctx, job, state),
    encryptionEnabled: job.masterKeyUUID !== undefined,
    groupId: job.groupId,
    hashes: job.hash === undefined ? undefined : [{ fileName: restoreFileName(job), hash: job.hash, typeName: 'SHA1' }],
    id: job.id,
    links,
    // The Atlas references show it (v2's BackupRestoreJob, v1.0's response elements); Ops Manager's do not.
    masterKeyUUID: ops ? undefined : job.masterKeyUUID,
    pointInTime: v2 ? undefined : job.source.kind !== 'snapshot',
    snapshotId: job.snapshotId,
    statusName: state.status,
    timestamp: { date: job.timestamp.date, increment: job.timestamp.increment },
  }
}

/** A page of jobs (also POST's answer, P-R3): `{links, results, totalCount}`. */
export function restoreJobListView(
  ctx: ViewContext,
  page: RestoreJobPage,
  paging: Paging,
  carried: readonly (readonly [string, string])[],
  state: (job: RestoreJob) => JobState,
): object {
  return {
    links: pageLinks(`${ctx.baseUrl}${clusterPath(ctx)}/${RESTORE_JOBS}`, carried, paging, page.totalCount),
    results: page.items.map((job) => restoreJobView(ctx, job, state(job), false)),
    totalCount: paging.includeCount ? page.totalCount : undefined,
  }
}
