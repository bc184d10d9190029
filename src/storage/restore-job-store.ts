import type { ForcedEnd, RestoreJob } from '../domain/legacy-backup/restore-types.js'
import type { IsoSeconds, ObjectIdHex } from '../domain/types.js'

/** One page of a cluster's restore jobs, newest first (`created` descending, then id descending). */
export interface RestoreJobPage {
  readonly items: readonly RestoreJob[]
  readonly totalCount: number
}

/**
 * The restore-job part of the storage contract (part of {@link Store}). A job's status follows from the
 * clock (domain/legacy-backup/restore-lifecycle.ts); only events are written: the jobs themselves, each
 * download counted (with the file's hash), and an end forced through the admin API.
 */
export interface RestoreJobStore {
  /** Inserts or replaces (by id) jobs, in one transaction; answers how many. */
  putRestoreJobs(jobs: readonly RestoreJob[]): Promise<number>
  /** One page of the jobs listed under a cluster, optionally only those of one batch. */
  pageRestoreJobs(
    clusterId: ObjectIdHex,
    batchId: ObjectIdHex | undefined,
    page: { readonly offset: number; readonly limit: number },
  ): Promise<RestoreJobPage>
  /** A job by id, whatever its cluster; undefined when unknown. */
  getRestoreJob(jobId: ObjectIdHex): Promise<RestoreJob | undefined>
  /** The jobs restoring into a target cluster that no admin call ended (a restore still running is one of them). */
  restoreJobsIntoTarget(targetClusterId: ObjectIdHex): Promise<RestoreJob[]>
  /**
   * Counts one download of a job if it has had fewer than `maxDownloads`, recording `hash` if none is
   * recorded yet; answers the count after it, or undefined when the limit was reached (nothing written).
   */
  countRestoreDownload(jobId: ObjectIdHex, hash: string, maxDownloads: number): Promise<number | undefined>
  /** Ends a job that no admin call ended yet; false when there is no such job or it was ended already. */
  endRestoreJob(jobId: ObjectIdHex, status: ForcedEnd, at: IsoSeconds): Promise<boolean>
}
