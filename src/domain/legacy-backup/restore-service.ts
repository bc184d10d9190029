/**
 * Restore jobs, independent of any dialect (docs/behaviour.md#restore-jobs): P-R2 steps 6 to 8 (topology,
 * lookups, target), what POST creates (P-R3), the reads (P-R6), downloads (P-R4) and the admin API's
 * forced ends. The request's own checks (steps 1-5) are restore-request.ts's.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { ApiError } from '../../errors.js'
import type { Store } from '../../storage/store.js'
import type { RestoreJobPage } from '../../storage/restore-job-store.js'
import type { GroupAccess } from '../checkpoint-service.js'
import { derivedId } from '../deployment.js'
import { isObjectId, newObjectId } from '../ids.js'
import { canReadCheckpoints, canWriteLegacyBackup } from '../roles.js'
import type { Cluster, IsoSeconds, Principal, TokenTimestamp } from '../types.js'
import { restoreArchive, restoreFileName, sha1Hex } from './restore-archive.js'
import { jobState, type JobState } from './restore-lifecycle.js'
import type { RestoreRequest } from './restore-request.js'
import { DEFAULT_MAX_DOWNLOADS, type ForcedEnd, type RestoreJob, type RestoreTarget } from './restore-types.js'
import { snapshotFloorOf, withSnapshotRule } from './restorability.js'
import type { Snapshot } from './snapshot-types.js'

export interface RestoreTiming {
  readonly startSeconds: number
  readonly finishSeconds: number
}

/** How the request named the cluster, for messages: its name (Atlas) or id (Ops Manager). */
export interface CreateContext {
  readonly family: 'atlas' | 'ops-manager'
  readonly clusterLabel: string
}

/** A file ready to send, with what the job now shows. */
export interface Download {
  readonly fileName: string
  readonly bytes: Buffer
  readonly downloads: number
}

function iso(ms: number): IsoSeconds {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

/** FCV 4.0 or earlier: the sharded clusters checkpoint restores are for, and PIT/oplog restores are not. */
function fcvAtMost40(cluster: Cluster): boolean {
  const [major = 0, minor = 0] = cluster.featureCompatibilityVersion.split('.').map(Number)
  return major < 4 || (major === 4 && minor === 0)
}

/** The replica sets one restore of the cluster makes a job for: the replica set, or each shard then the config server. */
function restoredParts(cluster: Cluster): { replicaSetName: string; partClusterId: string; configServer: boolean }[] {
  if (cluster.type !== 'SHARDED') {
    return [{ replicaSetName: cluster.shards[0]?.replicaSetName ?? cluster.name, partClusterId: cluster.id, configServer: false }]
  }
  const parts = cluster.shards.map((s) => ({ replicaSetName: s.replicaSetName, partClusterId: derivedId(cluster.id, s.replicaSetName), configServer: false }))
  const config = cluster.configServer
  if (config?.typeName === 'CONFIG_SERVER_REPLICA_SET') {
    parts.push({ replicaSetName: config.replicaSetName, partClusterId: derivedId(cluster.id, config.replicaSetName), configServer: true })
  }
  return parts
}

/** The timing of `waymark serve`'s defaults (config.ts): what the admin API's jobs use when none is given. */
export const DEFAULT_RESTORE_TIMING: RestoreTiming = { startSeconds: 10, finishSeconds: 60 }

export class RestoreService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly timing: RestoreTiming,
  ) {}

  nowIso(): IsoSeconds {
    return iso(this.now())
  }

  /** P-G6: 401 USER_UNAUTHORIZED unless the caller may write the project's legacy backups. */
  requireWrite(access: GroupAccess, family: 'atlas' | 'ops-manager'): void {
    if (!canWriteLegacyBackup(access.principal, access.project, family)) throw new ApiError('USER_UNAUTHORIZED')
  }

  /** The state of a job now. */
  state(job: RestoreJob): JobState {
    return jobState(job, this.nowIso())
  }

  /** P-R6: a page of the cluster's jobs, optionally of one batch, newest first. */
  async list(cluster: Cluster, batchId: string | undefined, page: { offset: number; limit: number }): Promise<RestoreJobPage> {
    return this.store.pageRestoreJobs(cluster.id, batchId, page)
  }

  /** P-R6: 404 RESTORE_JOB_NOT_FOUND unless the job is listed under the cluster. */
  async get(cluster: Cluster, jobId: string, clusterLabel: string): Promise<RestoreJob> {
    const job = await this.store.getRestoreJob(jobId)
    if (job === undefined || job.clusterId !== cluster.id) throw new ApiError('RESTORE_JOB_NOT_FOUND', [jobId, clusterLabel])
    return job
  }

  /**
   * P-R2 steps 6 to 8, then P-R3: the jobs made and stored, in order (shards, then the config server).
   * `principal` is the caller whose right to write the target is checked; undefined: the admin API (no check).
   */
  async create(principal: Principal | undefined, cluster: Cluster, request: RestoreRequest, ctx: CreateContext): Promise<RestoreJob[]> {
    const nowMs = this.now()
    const now = iso(nowMs)
    // 6. Topology.
    const sharded = cluster.type === 'SHARDED'
    const { source } = request
    if (source.kind === 'checkpoint' && !sharded) throw new ApiError('CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS')
    if (source.kind === 'pointInTime' && sharded && fcvAtMost40(cluster)) throw new ApiError('PIT_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS')
    if (source.kind === 'oplog' && sharded && fcvAtMost40(cluster)) throw new ApiError('OPLOG_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS')

    // 7. Lookups (a cluster without legacy backup has nothing to restore from).
    const backedUp = cluster.backup === 'LEGACY'
    let snapshot: Snapshot | undefined
    let timestamp: TokenTimestamp
    switch (source.kind) {
      case 'snapshot': {
        snapshot = backedUp ? await this.store.getSnapshot(cluster.id, source.snapshotId, now) : undefined
        if (snapshot === undefined) throw new ApiError('SNAPSHOT_NOT_FOUND', [source.snapshotId, ctx.clusterLabel])
        if (snapshot.completedAt === undefined) throw new ApiError('CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT')
        timestamp = { date: iso(Date.parse(snapshot.created) - 1000), increment: 1 }
        if (request.expires !== undefined && snapshot.expires !== undefined && request.expires > snapshot.expires) {
          throw new ApiError('LINK_EXPIRATION_AFTER_SNAPSHOT_DELETION')
        }
        break
      }
      case 'checkpoint': {
        const found = backedUp ? await this.store.getCheckpoint(cluster.id, source.checkpointId) : undefined
        if (found === undefined) throw new ApiError('CHECKPOINT_NOT_FOUND', [source.checkpointId, ctx.clusterLabel])
        const checkpoint = withSnapshotRule(found, await snapshotFloorOf(this.store, cluster, now))
        if (!checkpoint.restorable) throw new ApiError('NO_CHECKPOINT_FOR_PIT_RESTORE')
        snapshot = await this.store.baseSnapshot(cluster.id, checkpoint.timestamp, now)
        if (snapshot === undefined) throw new ApiError('NO_CHECKPOINT_FOR_PIT_RESTORE')
        timestamp = { date: checkpoint.timestamp, increment: 1 }
        break
      }
      default: {
        const atMs = Date.parse(source.at)
        if (atMs > nowMs || atMs < nowMs - cluster.pointInTimeWindowHours * 3_600_000) throw new ApiError('INVALID_PIT_RESTORE_TIME')
        snapshot = backedUp ? await this.store.baseSnapshot(cluster.id, source.at, now) : undefined
        if (snapshot === undefined) throw new ApiError('UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME')
        timestamp = { date: source.at, increment: source.kind === 'oplog' ? source.increment : 0 }
      }
    }

    // 8. The target of an automated restore.
    const target = request.target === undefined ? undefined : await this.#target(principal, request.target, ctx)

    const batchId = sharded ? newObjectId(nowMs) : undefined
    const jobs: RestoreJob[] = restoredParts(cluster).map((part) => ({
      id: newObjectId(nowMs),
      groupId: cluster.groupId,
      clusterId: cluster.id,
      clusterName: cluster.name,
      partClusterId: part.partClusterId,
      replicaSetName: part.replicaSetName,
      configServer: part.configServer,
      ...(batchId !== undefined ? { batchId } : {}),
      created: now,
      startsAt: iso(nowMs + this.timing.startSeconds * 1000),
      finishesAt: iso(nowMs + this.timing.finishSeconds * 1000),
      source,
      snapshotId: (snapshot as Snapshot).id,
      timestamp,
      method: request.method,
      ...(request.expirationHours !== undefined ? { expirationHours: request.expirationHours } : {}),
      ...(request.expires !== undefined ? { expiresRequested: request.expires } : {}),
      ...(request.maxDownloads !== undefined ? { maxDownloads: request.maxDownloads } : {}),
      ...(target !== undefined ? { target } : {}),
      token: randomBytes(20).toString('hex'),
      downloads: 0,
    }))
    await this.store.putRestoreJobs(jobs)
    return jobs
  }

  /** Step 8: the target project, the caller's right to write there, the cluster, a restore already running into it. */
  async #target(principal: Principal | undefined, wanted: NonNullable<RestoreRequest['target']>, ctx: CreateContext): Promise<RestoreTarget> {
    const project = await this.store.getProject(wanted.groupId)
    if (project === undefined) throw new ApiError('GROUP_NOT_FOUND', [wanted.groupId])
    if (principal !== undefined && (!canReadCheckpoints(principal, project) || !canWriteLegacyBackup(principal, project, ctx.family))) throw new ApiError('CANNOT_RESTORE_TO_TARGET')
    const cluster =
      wanted.clusterId !== undefined
        ? await this.store.getClusterById(project.id, wanted.clusterId)
        : await this.store.getClusterByName(project.id, wanted.clusterName ?? '')
    if (cluster === undefined) {
      throw wanted.clusterId !== undefined
        ? new ApiError('CLUSTER_ID_NOT_FOUND', [wanted.clusterId, project.id])
        : new ApiError('CLUSTER_NAME_NOT_FOUND', [wanted.clusterName ?? '', project.id])
    }
    if (ctx.family === 'atlas') {
      const now = this.nowIso()
      const running = (await this.store.restoreJobsIntoTarget(cluster.id)).some((job) => jobState(job, now).status === 'IN_PROGRESS')
      if (running) throw new ApiError('ATLAS_CLUSTER_RESTORE_IN_PROGRESS')
    }
    return { groupId: project.id, clusterId: cluster.id, ...(wanted.clusterName !== undefined ? { clusterName: wanted.clusterName } : {}) }
  }

  /**
   * A download of a job's file: through `url` with the token in the path, or `urlV2` with the token in
   * the Authorization header (`token` undefined: none was given). Counts it; the first records the hash.
   */
  async download(jobId: string, fileName: string, token: string | undefined): Promise<Download> {
    const { job, bytes, max } = await this.#downloadable(jobId, fileName, token)
    const downloads = await this.store.countRestoreDownload(job.id, sha1Hex(bytes), max)
    if (downloads === undefined) throw new ApiError('RESTORE_DOWNLOAD_LIMIT_REACHED', [jobId, max])
    return { fileName, bytes, downloads }
  }

  /** What a download would answer, without counting one (HEAD). */
  async peekDownload(jobId: string, fileName: string, token: string | undefined): Promise<Download> {
    const { job, bytes } = await this.#downloadable(jobId, fileName, token)
    return { fileName, bytes, downloads: job.downloads }
  }

  async #downloadable(jobId: string, fileName: string, token: string | undefined): Promise<{ job: RestoreJob; bytes: Buffer; max: number }> {
    const job = isObjectId(jobId) ? await this.store.getRestoreJob(jobId) : undefined
    const notFound = new ApiError('RESTORE_DOWNLOAD_NOT_FOUND', [fileName])
    if (job === undefined || job.method !== 'HTTP' || restoreFileName(job) !== fileName) throw notFound
    if (token === undefined || !sameSecret(token, job.token)) {
      if (token === undefined) throw new ApiError('RESTORE_DOWNLOAD_UNAUTHORIZED', [jobId])
      throw notFound
    }
    const state = this.state(job)
    if (state.delivery === 'EXPIRED') throw new ApiError('RESTORE_DOWNLOAD_EXPIRED', [jobId, state.expires ?? ''])
    const max = job.maxDownloads ?? DEFAULT_MAX_DOWNLOADS
    if (state.delivery === 'MAX_DOWNLOADS_EXCEEDED') throw new ApiError('RESTORE_DOWNLOAD_LIMIT_REACHED', [jobId, max])
    if (!state.downloadable) throw notFound
    return { job, bytes: restoreArchive(job), max }
  }

  /** The admin API: ends a job still IN_PROGRESS as BROKEN or KILLED (409 RESTORE_JOB_NOT_IN_PROGRESS otherwise). */
  async end(job: RestoreJob, status: ForcedEnd): Promise<RestoreJob> {
    const state = this.state(job)
    if (state.status !== 'IN_PROGRESS') throw new ApiError('RESTORE_JOB_NOT_IN_PROGRESS', [job.id, state.status])
    const at = this.nowIso()
    if (!(await this.store.endRestoreJob(job.id, status, at))) throw new ApiError('RESTORE_JOB_NOT_IN_PROGRESS', [job.id, 'ended'])
    return { ...job, ended: { status, at } }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
