import { ApiError } from '../errors.js'
import { CHECKPOINT_INTERVALS_MINUTES, type CheckpointIntervalMinutes, type Cluster } from './types.js'

/**
 * A cluster's checkpoint schedule: how often the backup system makes a checkpoint (off by default, as in
 * the real service) and the point-in-time window that decides which checkpoints are still restorable.
 */
export interface CheckpointSchedule {
  readonly checkpointIntervalMinutes: CheckpointIntervalMinutes | null
  readonly pointInTimeWindowHours: number
}

/** A change to a schedule: absent fields stay as they are. Values are unchecked input (e.g. a JSON body). */
export interface CheckpointScheduleChange {
  readonly checkpointIntervalMinutes?: unknown
  readonly pointInTimeWindowHours?: unknown
}

/** Checkpoints are off unless a schedule turns them on. */
export const DEFAULT_CHECKPOINT_INTERVAL_MINUTES = null
/** The real service's default point-in-time window. */
export const DEFAULT_POINT_IN_TIME_WINDOW_HOURS = 24
/** The longest window accepted: a year. */
export const MAX_POINT_IN_TIME_WINDOW_HOURS = 8760

/** Whether `value` is 15, 30 or 60. */
export function isCheckpointInterval(value: unknown): value is CheckpointIntervalMinutes {
  return (CHECKPOINT_INTERVALS_MINUTES as readonly unknown[]).includes(value)
}

/** Whether `value` is a whole number of hours from 1 to {@link MAX_POINT_IN_TIME_WINDOW_HOURS}. */
export function isPointInTimeWindow(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_POINT_IN_TIME_WINDOW_HOURS
}

/**
 * The schedule a cluster gets from `change`, or the ApiError the real service answers:
 * - an interval (not null) on a replica set: 400 CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET;
 * - an interval other than 15, 30, 60 or null: 400 INVALID_CLUSTER_CHECKPOINT_INTERVAL;
 * - a window that is not a whole number of hours from 1 to 8760: 400 INVALID_ATTRIBUTE
 *   (parameter `pointInTimeWindowHours`).
 * Null turns checkpoints off, on any cluster.
 */
export function validateScheduleChange(cluster: Cluster, change: CheckpointScheduleChange): CheckpointSchedule {
  let interval = cluster.checkpointIntervalMinutes
  if (change.checkpointIntervalMinutes !== undefined) {
    const value = change.checkpointIntervalMinutes
    if (value !== null && cluster.type === 'REPLICASET') {
      throw new ApiError('CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET')
    }
    if (value !== null && !isCheckpointInterval(value)) throw new ApiError('INVALID_CLUSTER_CHECKPOINT_INTERVAL')
    interval = value
  }
  let window = cluster.pointInTimeWindowHours
  if (change.pointInTimeWindowHours !== undefined) {
    if (!isPointInTimeWindow(change.pointInTimeWindowHours)) {
      throw new ApiError('INVALID_ATTRIBUTE', ['pointInTimeWindowHours'])
    }
    window = change.pointInTimeWindowHours
  }
  return { checkpointIntervalMinutes: interval, pointInTimeWindowHours: window }
}

/** The cluster with its schedule changed; throws the ApiError of {@link validateScheduleChange}. */
export function withScheduleChange(cluster: Cluster, change: CheckpointScheduleChange): Cluster {
  return { ...cluster, ...validateScheduleChange(cluster, change) }
}

/** Whether a feature compatibility version such as "4.0" still has checkpoints (4.0 or earlier). */
export function fcvHasCheckpoints(fcv: string): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(fcv)
  if (!match) return false
  const major = Number(match[1])
  return major < 4 || (major === 4 && Number(match[2]) === 0)
}

/**
 * Why the backup system makes no checkpoints of this cluster now, or undefined when it does: it must be
 * sharded, on legacy (continuous) backup, at FCV 4.0 or earlier, with a checkpoint interval set.
 */
export function whyNoCheckpoints(cluster: Cluster): string | undefined {
  if (cluster.type !== 'SHARDED') return 'it is a replica set; checkpoints are for sharded clusters'
  if (cluster.backup !== 'LEGACY') {
    return `its backup is ${cluster.backup}; only legacy (continuous) backup makes checkpoints`
  }
  if (!fcvHasCheckpoints(cluster.featureCompatibilityVersion)) {
    return `it runs FCV ${cluster.featureCompatibilityVersion}; checkpoints exist only up to FCV 4.0`
  }
  if (cluster.checkpointIntervalMinutes === null) return 'its checkpoint schedule is off (checkpointIntervalMinutes is null)'
  return undefined
}
