/**
 * The legacy (continuous) backup records around checkpoints: a cluster's snapshot schedule and its
 * snapshots (docs/behaviour.md#snapshot-schedule, #snapshots). Plain, readonly data, like ../types.ts.
 */
import type { IsoSeconds, ObjectIdHex } from '../types.js'

/** The days of the week, as Ops Manager's `fullIncrementalDayOfWeek` names them. */
export const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number]

/**
 * The snapshot side of a cluster's snapshot schedule: every field optional, absent meaning the default
 * ({@link DEFAULT_SNAPSHOT_SETTINGS}). The schedule's other two fields, `clusterCheckpointIntervalMin` and
 * `pointInTimeWindowHours`, are the cluster's own `checkpointIntervalMinutes` and `pointInTimeWindowHours`.
 */
export interface SnapshotSettings {
  readonly snapshotIntervalHours?: number
  readonly snapshotRetentionDays?: number
  readonly dailySnapshotRetentionDays?: number
  readonly weeklySnapshotRetentionWeeks?: number
  readonly monthlySnapshotRetentionMonths?: number
  /** Ops Manager: the hour (UTC, 0-23) snapshots are aligned to; set together with the minute. */
  readonly referenceHourOfDay?: number
  readonly referenceMinuteOfHour?: number
  /** Ops Manager: always stored as `+0000` (the hour converted), shown once the reference time is set. */
  readonly referenceTimeZoneOffset?: string
  /** Ops Manager: the day a full (not incremental) snapshot is taken. */
  readonly fullIncrementalDayOfWeek?: DayOfWeek
}

/** {@link SnapshotSettings} with every default filled in. */
export interface EffectiveSnapshotSettings {
  readonly snapshotIntervalHours: number
  readonly snapshotRetentionDays: number
  readonly dailySnapshotRetentionDays: number
  readonly weeklySnapshotRetentionWeeks: number
  readonly monthlySnapshotRetentionMonths: number
  readonly referenceHourOfDay: number
  readonly referenceMinuteOfHour: number
  /** Whether the reference time was ever set (Ops Manager shows the three reference fields only then). */
  readonly referenceTimeSet: boolean
  readonly fullIncrementalDayOfWeek: DayOfWeek
}

/** The real service's default schedule (every documented example): 6 / 2 / 7 / 4 / 13, 00:00 UTC, Sunday. */
export const DEFAULT_SNAPSHOT_SETTINGS: EffectiveSnapshotSettings = Object.freeze({
  snapshotIntervalHours: 6,
  snapshotRetentionDays: 2,
  dailySnapshotRetentionDays: 7,
  weeklySnapshotRetentionWeeks: 4,
  monthlySnapshotRetentionMonths: 13,
  referenceHourOfDay: 0,
  referenceMinuteOfHour: 0,
  referenceTimeSet: false,
  fullIncrementalDayOfWeek: 'SUNDAY',
})

/** The settings with defaults for what is absent. */
export function effectiveSettings(settings: SnapshotSettings | undefined): EffectiveSnapshotSettings {
  const s = settings ?? {}
  return {
    snapshotIntervalHours: s.snapshotIntervalHours ?? DEFAULT_SNAPSHOT_SETTINGS.snapshotIntervalHours,
    snapshotRetentionDays: s.snapshotRetentionDays ?? DEFAULT_SNAPSHOT_SETTINGS.snapshotRetentionDays,
    dailySnapshotRetentionDays: s.dailySnapshotRetentionDays ?? DEFAULT_SNAPSHOT_SETTINGS.dailySnapshotRetentionDays,
    weeklySnapshotRetentionWeeks: s.weeklySnapshotRetentionWeeks ?? DEFAULT_SNAPSHOT_SETTINGS.weeklySnapshotRetentionWeeks,
    monthlySnapshotRetentionMonths: s.monthlySnapshotRetentionMonths ?? DEFAULT_SNAPSHOT_SETTINGS.monthlySnapshotRetentionMonths,
    referenceHourOfDay: s.referenceHourOfDay ?? 0,
    referenceMinuteOfHour: s.referenceMinuteOfHour ?? 0,
    referenceTimeSet: s.referenceHourOfDay !== undefined,
    fullIncrementalDayOfWeek: s.fullIncrementalDayOfWeek ?? DEFAULT_SNAPSHOT_SETTINGS.fullIncrementalDayOfWeek,
  }
}

/** One replica set's share of a snapshot: one for a replica set; one per shard and one for the config server. */
export interface SnapshotPart {
  readonly typeName: 'REPLICA_SET' | 'CONFIG_SERVER_REPLICA_SET'
  readonly replicaSetName: string
  /** The replica set's id: the cluster's own for a replica set, else derivedId(cluster id, replica set name). */
  readonly clusterId: ObjectIdHex
  readonly dataSizeBytes: number
  readonly fileSizeBytes: number
  readonly storageSizeBytes: number
}

/** A legacy backup snapshot of a cluster. */
export interface Snapshot {
  readonly id: ObjectIdHex
  readonly clusterId: ObjectIdHex
  readonly groupId: ObjectIdHex
  /** When it was taken (`created.date`; the increment is 1). */
  readonly created: IsoSeconds
  /** When it completed; absent while in progress (`complete: false`). */
  readonly completedAt?: IsoSeconds
  /** When it is deleted; absent when `doNotDelete`. At or before the clock: gone from every read. */
  readonly expires?: IsoSeconds
  /** Whether `expires` was set explicitly (a PATCH, a fixture) rather than derived from the schedule's retention. */
  readonly expiresExplicit: boolean
  readonly doNotDelete: boolean
  /** v2 `incremental`: false for a full snapshot. */
  readonly incremental: boolean
  readonly parts: readonly SnapshotPart[]
}

/** A cluster's snapshot schedule as a record (a fixture's `snapshotSchedules`, the admin API): its stored settings. */
export interface SnapshotSchedule extends SnapshotSettings {
  readonly clusterId: ObjectIdHex
  readonly groupId: ObjectIdHex
}

/**
 * The rule between a snapshot's instants (fixtures, the admin API): it completes at or after it is taken,
 * and expires after it is taken. The problem with the field it is about, or undefined.
 */
export function snapshotInstantsProblem(s: Pick<Snapshot, 'created' | 'completedAt' | 'expires'>): { field: 'completedAt' | 'expires'; problem: string } | undefined {
  if (s.completedAt !== undefined && s.completedAt < s.created) return { field: 'completedAt', problem: `${s.completedAt} must not be before created (${s.created})` }
  if (s.expires !== undefined && s.expires <= s.created) return { field: 'expires', problem: `${s.expires} must be after created (${s.created})` }
  return undefined
}
