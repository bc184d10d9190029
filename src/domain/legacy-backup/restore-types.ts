/**
 * Legacy backup restore jobs (docs/behaviour.md#restore-jobs): plain, readonly data, like ../types.ts.
 * A job's status is not stored: it follows from the clock (restore-lifecycle.ts), except what only an
 * event decides (an end forced through the admin API, the downloads counted, the file's hash).
 */
import type { IsoSeconds, ObjectIdHex, TokenTimestamp } from '../types.js'

/** The delivery methods a request may name (the v2 enum, in its order). */
export const DELIVERY_METHODS = ['CLIENT_PIT_HTTP', 'QUERY', 'AUTOMATED_RESTORE', 'HTTP', 'THIRD_PARTY_COPY', 'CLIENT_PIT_SCP', 'SCP'] as const
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number]

/** What a job restores: exactly one source (P-R2 step 3). */
export type RestoreSource =
  | { readonly kind: 'snapshot'; readonly snapshotId: ObjectIdHex }
  | { readonly kind: 'checkpoint'; readonly checkpointId: ObjectIdHex }
  | { readonly kind: 'pointInTime'; readonly at: IsoSeconds; readonly millis: number }
  | { readonly kind: 'oplog'; readonly at: IsoSeconds; readonly increment: number }

/** Where an automated restore goes. */
export interface RestoreTarget {
  readonly groupId: ObjectIdHex
  readonly clusterId: ObjectIdHex
  /** Atlas: echoed when the request named the target by name. */
  readonly clusterName?: string
}

/** The end the admin API can force on a job still in progress, for tests of failure handling. */
export const FORCED_ENDS = ['BROKEN', 'KILLED'] as const
export type ForcedEnd = (typeof FORCED_ENDS)[number]

export interface RestoreJob {
  readonly id: ObjectIdHex
  readonly groupId: ObjectIdHex
  /** The cluster whose path lists the job (the sharded cluster for every job of a batch). */
  readonly clusterId: ObjectIdHex
  readonly clusterName: string
  /** The `clusterId` the job shows: the cluster's own, or for a batch the part's replica set id (P-G8). */
  readonly partClusterId: ObjectIdHex
  /** The replica set the job restores (its file name starts with it). */
  readonly replicaSetName: string
  /** Whether it restores the config server of a sharded cluster (its file name starts with `config-`). */
  readonly configServer: boolean
  /** Only the jobs of a sharded cluster's restore share one. */
  readonly batchId?: ObjectIdHex
  readonly created: IsoSeconds
  /** When the delivery goes from NOT_STARTED to IN_PROGRESS. */
  readonly startsAt: IsoSeconds
  /** When the job is FINISHED (and an HTTP delivery READY). */
  readonly finishesAt: IsoSeconds
  readonly source: RestoreSource
  /** The snapshot restored, or the base snapshot a point in time, oplog or checkpoint restore starts from. */
  readonly snapshotId: ObjectIdHex
  /** "Timestamp of the latest oplog entry in the restored snapshot." */
  readonly timestamp: TokenTimestamp
  /** What the request asked for: HTTP (a download) or AUTOMATED_RESTORE (shown as HTTP, no URL). */
  readonly method: 'HTTP' | 'AUTOMATED_RESTORE'
  /** HTTP: hours the URL stays valid after the job finishes. */
  readonly expirationHours?: number
  /** HTTP (Ops Manager): an explicit expiry instead of `expirationHours`. */
  readonly expiresRequested?: IsoSeconds
  /** HTTP: how many downloads the URL allows. */
  readonly maxDownloads?: number
  readonly target?: RestoreTarget
  /** The secret of the download URLs (hex). */
  readonly token: string
  /** Downloads so far. */
  readonly downloads: number
  /** The KMIP master key (a UUID) of an encrypted snapshot restored; absent when not encrypted (`encryptionEnabled` false). */
  readonly masterKeyUUID?: string
  /** SHA-1 (hex) of the file, known from the first download on. */
  readonly hash?: string
  /** An end forced through the admin API. */
  readonly ended?: { readonly status: ForcedEnd; readonly at: IsoSeconds }
}

/** Defaults of an HTTP delivery that did not say (the values the examples show on such jobs, P-R3). */
export const DEFAULT_EXPIRATION_HOURS = 48
export const DEFAULT_MAX_DOWNLOADS = 2_147_483_647
