/**
 * How a restore job is stored by both engines (migration 11): the columns reads filter and order by, the
 * counted downloads, the hash and a forced end as columns of their own (the only things written after
 * creation), and the rest of the record as one JSON document.
 */
import type { ForcedEnd, RestoreJob } from '../domain/legacy-backup/restore-types.js'

export const RESTORE_JOB_COLUMNS = 'id, cluster_id, group_id, batch_id, created, target_cluster_id, downloads, hash, ended_status, ended_at, doc'

export interface RestoreJobRow {
  readonly id: string
  readonly cluster_id: string
  readonly group_id: string
  readonly batch_id: string | null
  readonly created: string
  readonly target_cluster_id: string | null
  readonly downloads: number
  readonly hash: string | null
  readonly ended_status: string | null
  readonly ended_at: string | null
  readonly doc: string
}

type Doc = Omit<RestoreJob, 'id' | 'clusterId' | 'groupId' | 'batchId' | 'created' | 'downloads' | 'hash' | 'ended'>

export function restoreJobValues(job: RestoreJob): unknown[] {
  const { id, clusterId, groupId, batchId, created, downloads, hash, ended, ...doc } = job
  return [id, clusterId, groupId, batchId ?? null, created, job.target?.clusterId ?? null, downloads, hash ?? null, ended?.status ?? null, ended?.at ?? null, JSON.stringify(doc)]
}

export function restoreJobFromRow(row: RestoreJobRow): RestoreJob {
  const doc = JSON.parse(row.doc) as Doc
  return {
    ...doc,
    id: row.id,
    clusterId: row.cluster_id,
    groupId: row.group_id,
    ...(row.batch_id !== null ? { batchId: row.batch_id } : {}),
    created: row.created,
    downloads: Number(row.downloads),
    ...(row.hash !== null ? { hash: row.hash } : {}),
    ...(row.ended_status !== null && row.ended_at !== null ? { ended: { status: row.ended_status as ForcedEnd, at: row.ended_at } } : {}),
  }
}
