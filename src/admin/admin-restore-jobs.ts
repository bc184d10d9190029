/**
 * The admin API's restore jobs (docs/admin-api.md, "Restore jobs"): list, read and create a cluster's jobs
 * directly (no roles; a body as the API's POST takes, whose source may be left out: the cluster's newest
 * complete snapshot), and end one still in progress as BROKEN or KILLED, for tests of failure handling.
 */
import { jobState } from '../domain/legacy-backup/restore-lifecycle.js'
import { restoreFileName } from '../domain/legacy-backup/restore-archive.js'
import { parseRestoreRequest } from '../domain/legacy-backup/restore-request.js'
import { RestoreService, type RestoreTiming } from '../domain/legacy-backup/restore-service.js'
import { FORCED_ENDS, type ForcedEnd, type RestoreJob } from '../domain/legacy-backup/restore-types.js'
import { ApiError } from '../errors.js'
import type { Store } from '../storage/store.js'
import { bodyObject } from './admin-bodies.js'
import { objectIdParam, type AdminRecords } from './admin-records.js'

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

const SOURCES = ['snapshotId', 'checkpointId', 'pointInTimeUTCMillis', 'oplogTs', 'oplogInc']

export class AdminRestoreJobs {
  readonly #service: RestoreService

  constructor(
    private readonly store: Store,
    private readonly records: AdminRecords,
    private readonly now: () => number,
    timing: RestoreTiming,
  ) {
    this.#service = new RestoreService(store, now, timing)
  }

  /** A job as the admin API shows it: the record (without its download secret) and where it is on the clock. */
  view(job: RestoreJob): object {
    const { token: _secret, ...record } = job
    const state = jobState(job, iso(this.now()))
    return { ...record, fileName: restoreFileName(job), statusName: state.status, deliveryStatusName: state.delivery, ...(state.expires ? { expires: state.expires } : {}) }
  }

  async list(groupId: string | undefined, clusterId: string | undefined): Promise<RestoreJob[]> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const page = await this.store.pageRestoreJobs(cluster.id, undefined, { offset: 0, limit: 500 })
    return [...page.items]
  }

  async job(groupId: string | undefined, clusterId: string | undefined, jobId: string | undefined): Promise<RestoreJob> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const id = objectIdParam(jobId, 'INVALID_JOB_ID')
    return this.#service.get(cluster, id, cluster.id)
  }

  async create(groupId: string | undefined, clusterId: string | undefined, body: unknown): Promise<RestoreJob[]> {
    const cluster = await this.records.cluster(groupId, clusterId)
    const wanted: Record<string, unknown> = { ...bodyObject(body) }
    if (SOURCES.every((name) => wanted[name] === undefined || wanted[name] === null)) {
      const [newest] = (await this.store.pageSnapshots(cluster.id, 'true', iso(this.now()), { offset: 0, limit: 1 })).items
      if (newest === undefined) throw new ApiError('UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME')
      wanted['snapshotId'] = newest.id
    }
    const request = parseRestoreRequest(wanted, 'atlas')
    return this.#service.create(undefined, cluster, request, { family: 'atlas', clusterLabel: cluster.id })
  }

  async end(groupId: string | undefined, clusterId: string | undefined, jobId: string | undefined, body: unknown): Promise<RestoreJob> {
    const job = await this.job(groupId, clusterId, jobId)
    const status = bodyObject(body)['statusName']
    if (status === undefined) throw new ApiError('MISSING_ATTRIBUTE', ['statusName'])
    if (typeof status !== 'string' || !(FORCED_ENDS as readonly string[]).includes(status)) throw new ApiError('INVALID_ENUM_VALUE', [String(status)])
    return this.#service.end(job, status as ForcedEnd)
  }
}
