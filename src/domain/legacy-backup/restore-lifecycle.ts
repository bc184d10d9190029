/**
 * P-R4: where a restore job is on the server's one clock. IN_PROGRESS (delivery NOT_STARTED, then
 * IN_PROGRESS) until `finishesAt`, then FINISHED (delivery READY); an HTTP delivery then EXPIRED at its
 * `expires`, or MAX_DOWNLOADS_EXCEEDED once downloaded `maxDownloads` times. An end forced through the
 * admin API wins: BROKEN (delivery FAILED) or KILLED (delivery INTERRUPTED). Nothing here writes: advancing
 * the clock is all it takes for a job to finish.
 */
import type { IsoSeconds } from '../types.js'
import { DEFAULT_EXPIRATION_HOURS, DEFAULT_MAX_DOWNLOADS, type RestoreJob } from './restore-types.js'

export type JobStatus = 'IN_PROGRESS' | 'FINISHED' | 'BROKEN' | 'KILLED'
export type DeliveryStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'READY' | 'FAILED' | 'INTERRUPTED' | 'EXPIRED' | 'MAX_DOWNLOADS_EXCEEDED'

export interface JobState {
  readonly status: JobStatus
  readonly delivery: DeliveryStatus
  /** HTTP, once FINISHED: when the URLs stop answering. */
  readonly expires?: IsoSeconds
  /** Whether the file can be downloaded now. */
  readonly downloadable: boolean
}

function addHours(at: IsoSeconds, hours: number): IsoSeconds {
  return new Date(Date.parse(at) + hours * 3_600_000).toISOString().slice(0, 19) + 'Z'
}

/** When the URLs of an HTTP job stop answering (the requested instant, or finish + expirationHours). */
export function downloadExpiry(job: RestoreJob): IsoSeconds {
  return job.expiresRequested ?? addHours(job.finishesAt, job.expirationHours ?? DEFAULT_EXPIRATION_HOURS)
}

export function jobState(job: RestoreJob, now: IsoSeconds): JobState {
  if (job.ended !== undefined) {
    return { status: job.ended.status, delivery: job.ended.status === 'BROKEN' ? 'FAILED' : 'INTERRUPTED', downloadable: false }
  }
  if (now < job.finishesAt) return { status: 'IN_PROGRESS', delivery: now < job.startsAt ? 'NOT_STARTED' : 'IN_PROGRESS', downloadable: false }
  if (job.method !== 'HTTP') return { status: 'FINISHED', delivery: 'READY', downloadable: false }
  const expires = downloadExpiry(job)
  if (now >= expires) return { status: 'FINISHED', delivery: 'EXPIRED', expires, downloadable: false }
  if (job.downloads >= (job.maxDownloads ?? DEFAULT_MAX_DOWNLOADS)) return { status: 'FINISHED', delivery: 'MAX_DOWNLOADS_EXCEEDED', expires, downloadable: false }
  return { status: 'FINISHED', delivery: 'READY', expires, downloadable: true }
}
