/**
 * The restore-job routes (docs/behaviour.md#restore-jobs) after authentication, in the order of checks
 * (P-G2): media type, path (INVALID_JOB_ID) then query (`batchId`) syntax, the body's parse (POST), the
 * access list, the project and the caller's role (the write role for POST, P-G6), the rate limit (Atlas
 * v2: the "Cloud Backups" bucket, P-G7), the cluster and its backup kind (P-G5), the body's fields
 * (P-R2 steps 1-5), the lookups and conflicts (steps 6-8), the body.
 */
import type { ApiRoute, Dialect } from '../dialects/dialect.js'
import type { ViewContext } from '../dialects/checkpoint-views.js'
import { restoreJobListView, restoreJobView } from '../dialects/restore-job-views.js'
import type { CheckpointService } from '../domain/checkpoint-service.js'
import { isObjectId } from '../domain/ids.js'
import { parseJsonBody } from '../domain/legacy-backup/body-fields.js'
import { parseRestoreRequest } from '../domain/legacy-backup/restore-request.js'
import type { RestoreService } from '../domain/legacy-backup/restore-service.js'
import type { Cluster } from '../domain/types.js'
import { ApiError } from '../errors.js'
import { parseCheckpointPath } from './path-params.js'
import type { HandlerCall } from './handler-call.js'
import { parseQuery, type Paging } from './query-params.js'
import { serializeSuccess } from './render.js'

export type RestoreOperation = 'listRestoreJobs' | 'getRestoreJob' | 'createRestoreJob'

export function isRestoreOperation(operation: ApiRoute['operation']): operation is RestoreOperation {
  return operation === 'listRestoreJobs' || operation === 'getRestoreJob' || operation === 'createRestoreJob'
}

/** One restore-job call, as the pipeline hands it over once the caller is authenticated. */
export type RestoreCall = HandlerCall<RestoreOperation>

export interface RestoreAnswer {
  readonly body: string
  readonly contentType: string
}

const CREATE_PAGING: Paging = { pageNum: 1, itemsPerPage: 100, includeCount: true }

/** P-G5: where a Cloud Backup cluster's restore jobs are. */
function cloudBackupPath(dialect: Dialect, groupId: string, clusterLabel: string): string {
  return `${dialect.prefix}/groups/${groupId}/clusters/${clusterLabel}/backup/restoreJobs`
}

export class RestoreJobHandler {
  constructor(
    private readonly checkpoints: CheckpointService,
    private readonly restores: RestoreService,
  ) {}

  async answer(call: RestoreCall): Promise<RestoreAnswer> {
    const { dialect, operation, request } = call
    const contentType = dialect.contentType(request.accept)
    const path = parseCheckpointPath(dialect, call.params)
    let jobId: string | undefined
    if (operation === 'getRestoreJob') {
      const raw = call.params['jobId']
      jobId = raw?.value ?? raw?.raw ?? ''
      if (!isObjectId(jobId)) throw new ApiError('INVALID_JOB_ID', [jobId])
    }
    const query = parseQuery(call.search, operation === 'listRestoreJobs', operation === 'listRestoreJobs' ? { texts: ['batchId'] } : {})
    const batchId = query.given.get('batchId')
    if (batchId !== undefined && !isObjectId(batchId)) throw new ApiError('INVALID_QUERY_PARAMETER', ['batchId'])
    call.formatKnown(query.format)
    const body = operation === 'createRestoreJob' ? parseJsonBody(request.body) : undefined
    call.checkAccessList()

    const access = await this.checkpoints.authorize(call.principal, path.groupId)
    if (operation === 'createRestoreJob') this.restores.requireWrite(access, dialect.family)
    call.takeToken(dialect.limitsDiscovery ? { set: 'cloudBackups', key: path.groupId } : { set: 'checkpoints', key: path.groupId })
    const cluster = await this.#cluster(dialect, access, path)
    const view: ViewContext = { dialect, baseUrl: request.baseUrl, groupId: path.groupId, clusterRef: path.clusterLabel }
    const state = this.restores.state.bind(this.restores)

    switch (operation) {
      case 'getRestoreJob': {
        const job = await this.restores.get(cluster, jobId as string, path.clusterLabel)
        return { body: serializeSuccess(restoreJobView(view, job, state(job), true), 'entity', query.format), contentType }
      }
      case 'listRestoreJobs': {
        const { paging, carried } = query
        const page = await this.restores.list(cluster, typeof batchId === 'string' ? batchId : undefined, {
          offset: (paging.pageNum - 1) * paging.itemsPerPage,
          limit: paging.itemsPerPage,
        })
        return { body: serializeSuccess(restoreJobListView(view, page, paging, carried, state), 'list', query.format), contentType }
      }
      case 'createRestoreJob': {
        const wanted = parseRestoreRequest(body ?? {}, dialect.family)
        const jobs = await this.restores.create(access.principal, cluster, wanted, { family: dialect.family, clusterLabel: path.clusterLabel })
        const page = { items: jobs, totalCount: jobs.length }
        return { body: serializeSuccess(restoreJobListView(view, page, CREATE_PAGING, [], state), 'list', query.format), contentType }
      }
    }
  }

  /** The cluster of the path; a Cloud Backup cluster answers 400 INCORRECT_BACKUP_API_ENDPOINT (P-G5). */
  async #cluster(dialect: Dialect, access: Awaited<ReturnType<CheckpointService['authorize']>>, path: ReturnType<typeof parseCheckpointPath>): Promise<Cluster> {
    try {
      return await this.checkpoints.cluster(access, path.cluster)
    } catch (error) {
      if (error instanceof ApiError && error.key === 'CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP') {
        throw new ApiError('INCORRECT_BACKUP_API_ENDPOINT', [cloudBackupPath(dialect, path.groupId, path.clusterLabel)])
      }
      throw error
    }
  }
}
