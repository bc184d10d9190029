/**
 * The legacy backup routes around checkpoints (docs/behaviour.md#snapshot-schedule, #snapshots): the
 * snapshot schedule and snapshots of the three dialects, after authentication, in the order of checks of
 * P-G2: media type; path, then query, then body syntax; access list, project and role (the write role
 * for PATCH and DELETE); rate limit (the project's bucket, Atlas v2's "Legacy Backup" set shared with the
 * checkpoints); cluster and backup kind; body fields; lookups; state.
 */
import type { LegacyBackupOperation, Dialect } from '../dialects/dialect.js'
import type { ViewContext } from '../dialects/checkpoint-views.js'
import { scheduleView, snapshotListView, snapshotView } from '../dialects/legacy-backup-views.js'
import type { CheckpointService } from '../domain/checkpoint-service.js'
import { parseJsonBody, type JsonBody } from '../domain/legacy-backup/body-fields.js'
import type { ScheduleRules } from '../domain/legacy-backup/schedule-change.js'
import type { LegacyBackupService } from '../domain/legacy-backup/snapshot-service.js'
import type { Cluster } from '../domain/types.js'
import { ApiError } from '../errors.js'
import type { CompletedFilter } from '../storage/snapshot-store.js'
import { parseCheckpointPath } from './path-params.js'
import type { HandlerCall } from './handler-call.js'
import { parseQuery } from './query-params.js'
import { renderSerialized, serializeSuccess, type ApiResponse } from './render.js'

/** One legacy backup call, as the pipeline hands it over once the caller is authenticated. */
export type LegacyBackupCall = HandlerCall<LegacyBackupOperation>

export interface LegacyBackupDeps {
  readonly checkpoints: CheckpointService
  readonly legacy: LegacyBackupService
}

const OBJECT_ID = /^[a-f0-9]{24}$/
const COMPLETED: readonly CompletedFilter[] = ['true', 'false', 'all']

/** The Cloud Backup resource a legacy path of a Cloud Backup cluster points to (P-G5). */
const CLOUD_BACKUP_RESOURCE: Readonly<Record<LegacyBackupOperation, string>> = {
  snapshotSchedule: 'backup/schedule',
  snapshots: 'backup/snapshots',
  snapshot: 'backup/snapshots',
}

function rulesOf(dialect: Dialect): ScheduleRules {
  return dialect.family === 'ops-manager' ? 'ops-manager' : dialect.name === 'atlas-v2' ? 'atlas-v2' : 'atlas-v1'
}

export class LegacyBackupHandler {
  constructor(private readonly deps: LegacyBackupDeps) {}

  async answer(call: LegacyBackupCall): Promise<ApiResponse> {
    const { dialect, operation, request } = call
    const method = request.method === 'HEAD' ? 'GET' : request.method
    const contentType = dialect.contentType(request.accept)

    // Path, query, body syntax.
    const path = parseCheckpointPath(dialect, call.params)
    let snapshotId: string | undefined
    if (operation === 'snapshot') {
      const param = call.params['snapshotId']
      snapshotId = param?.value ?? param?.raw ?? ''
      if (!OBJECT_ID.test(snapshotId)) throw new ApiError('INVALID_SNAPSHOT_ID', [snapshotId])
    }
    const list = operation === 'snapshots'
    const query = parseQuery(call.search, list, list ? { texts: ['completed'] } : {})
    call.formatKnown(query.format)
    let filter: CompletedFilter = 'true'
    let carried = query.carried
    const completed = query.given.get('completed')
    if (typeof completed === 'string') {
      const lower = completed.toLowerCase() as CompletedFilter
      if (!COMPLETED.includes(lower)) throw new ApiError('INVALID_QUERY_PARAMETER', ['completed'])
      filter = lower
      carried = carried.map(([name, value]) => (name === 'completed' ? [name, lower] : [name, value]))
    }
    const writing = method === 'PATCH' || method === 'DELETE'
    const body: JsonBody | undefined = method === 'PATCH' ? parseJsonBody(request.body) : undefined

    // Access list, project, role, rate limit.
    call.checkAccessList()
    const { checkpoints, legacy } = this.deps
    const access = await checkpoints.authorize(call.principal, path.groupId)
    if (writing) legacy.authorizeWrite(access, dialect.family)
    call.takeToken({ set: 'checkpoints', key: path.groupId })

    // Cluster and backup kind.
    const found = await checkpoints.anyCluster(access, path.cluster)
    if (found.backup === 'CLOUD' && dialect.family === 'atlas') {
      const template = `${dialect.prefix}/groups/{groupId}/clusters/{clusterName}/${CLOUD_BACKUP_RESOURCE[operation]}`
      throw new ApiError('INCORRECT_BACKUP_API_ENDPOINT', [template])
    }
    const cluster: Cluster = found.backup === 'CLOUD' ? { ...found, backup: 'NONE' } : found
    const view: ViewContext = { dialect, baseUrl: request.baseUrl, groupId: path.groupId, clusterRef: path.clusterLabel }
    const ok = (value: object, kind: 'entity' | 'list'): ApiResponse => renderSerialized(serializeSuccess(value, kind, query.format), contentType, call.headers)

    switch (operation) {
      case 'snapshotSchedule': {
        const schedule =
          body === undefined ? await legacy.schedule(access, cluster) : await legacy.updateSchedule(access, cluster, body, rulesOf(dialect))
        return ok(scheduleView(view, schedule), 'entity')
      }
      case 'snapshots': {
        const { paging } = query
        const page = await legacy.listSnapshots(access, cluster, filter, { offset: (paging.pageNum - 1) * paging.itemsPerPage, limit: paging.itemsPerPage })
        return ok(snapshotListView(view, cluster, page, paging, carried), 'list')
      }
      case 'snapshot': {
        const id = snapshotId ?? ''
        if (method === 'DELETE') {
          await legacy.deleteSnapshot(access, cluster, id, path.clusterLabel, dialect.family)
          // 204 without a body; Atlas v2 still names its media type (as its recorded deletes do).
          const headers: Record<string, string> = { ...call.headers }
          if (dialect.name === 'atlas-v2') headers['content-type'] = contentType
          return { status: 204, headers, body: '' }
        }
        const snapshot =
          body === undefined
            ? await legacy.getSnapshot(access, cluster, id, path.clusterLabel)
            : await legacy.updateSnapshot(access, cluster, id, path.clusterLabel, body)
        return ok(snapshotView(view, cluster, snapshot), 'entity')
      }
    }
  }
}
