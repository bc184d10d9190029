/**
 * A PATCH of the snapshot schedule (docs/behaviour.md#snapshot-schedule; P-S1 to P-S3): a partial update,
 * fields checked in alphabetical order, the first failure winning, applied all or nothing.
 */
import { validateScheduleChange } from '../checkpoint-schedule.js'
import type { Cluster } from '../types.js'
import { ApiError } from '../../errors.js'
import { integerField, stringField, type JsonBody } from './body-fields.js'
import { DAYS_OF_WEEK, type DayOfWeek, type SnapshotSettings } from './snapshot-types.js'

/** Which rules apply: the Atlas dialects' enums (v2 also reads a `0` interval as absent), or Ops Manager's ranges. */
export type ScheduleRules = 'atlas-v2' | 'atlas-v1' | 'ops-manager'

/**
 * The values the Atlas dialects accept (enums); Ops Manager's ranges hold them all, so they are also what a
 * schedule set directly (a fixture, the admin API) may hold: every dialect shows it, v2 by these enums.
 */
export const ATLAS_DAILY = [0, 3, 4, 5, 6, 7, 15, 30, 60, 90, 120, 180, 360] as const
export const ATLAS_WEEKLY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 52] as const
export const ATLAS_MONTHLY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 18, 24, 36] as const
export const INTERVALS = [6, 8, 12, 24] as const
export const RETENTION_DAYS = [2, 3, 4, 5] as const

function isOneOf(values: readonly number[], value: number): boolean {
  return values.includes(value)
}

function within(value: number, min: number, max: number): boolean {
  return value >= min && value <= max
}

/** What a PATCH leaves: the cluster (its checkpoint interval and window) and the snapshot settings to store. */
export interface ScheduleChange {
  readonly cluster: Cluster
  readonly settings: SnapshotSettings
}

/** `±hhmm` or `Z` as minutes east of UTC; undefined when malformed. */
export function offsetMinutes(text: string): number | undefined {
  if (text === 'Z') return 0
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text)
  if (!match) return undefined
  const hours = Number(match[2])
  const minutes = Number(match[3])
  if (hours > 14 || minutes > 59) return undefined
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

/** The schedule after `body` is applied, or the ApiError of the first field that fails. */
export function applyScheduleChange(cluster: Cluster, stored: SnapshotSettings | undefined, body: JsonBody, rules: ScheduleRules): ScheduleChange {
  const atlas = rules !== 'ops-manager'
  const next: { -readonly [K in keyof SnapshotSettings]: SnapshotSettings[K] } = { ...(stored ?? {}) }
  // Types first (deserialisation), each field as P-G4 reads it.
  const rawInterval = body['clusterCheckpointIntervalMin']
  const interval = rawInterval === null ? null : integerField(body, 'clusterCheckpointIntervalMin')
  const daily = integerField(body, 'dailySnapshotRetentionDays')
  const dayOfWeek = atlas ? undefined : stringField(body, 'fullIncrementalDayOfWeek')
  const monthly = integerField(body, 'monthlySnapshotRetentionMonths')
  const window = integerField(body, 'pointInTimeWindowHours')
  const hour = atlas ? undefined : integerField(body, 'referenceHourOfDay')
  const minute = atlas ? undefined : integerField(body, 'referenceMinuteOfHour')
  const offset = atlas ? undefined : stringField(body, 'referenceTimeZoneOffset')
  const snapshotInterval = integerField(body, 'snapshotIntervalHours')
  const retention = integerField(body, 'snapshotRetentionDays')
  const weekly = integerField(body, 'weeklySnapshotRetentionWeeks')

  // Values, in alphabetical order of the fields.
  // P-S3: the Atlas Go SDK sends every field, a 0 interval when checkpoints are off or on a replica set.
  const intervalGiven = rawInterval === null || (interval !== undefined && !(rules === 'atlas-v2' && interval === 0))
  const checkpoint = validateScheduleChange(cluster, {
    ...(intervalGiven ? { checkpointIntervalMinutes: rawInterval === null ? null : interval } : {}),
  })
  if (daily !== undefined) {
    if (atlas ? !isOneOf(ATLAS_DAILY, daily) : !within(daily, 0, 365)) throw new ApiError('INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD')
    next.dailySnapshotRetentionDays = daily
  }
  if (dayOfWeek !== undefined) {
    if (!(DAYS_OF_WEEK as readonly string[]).includes(dayOfWeek)) throw new ApiError('INVALID_ENUM_VALUE', [dayOfWeek])
    next.fullIncrementalDayOfWeek = dayOfWeek as DayOfWeek
  }
  if (monthly !== undefined) {
    if (atlas ? !isOneOf(ATLAS_MONTHLY, monthly) : !within(monthly, 0, 36)) throw new ApiError('INVALID_MONTHLY_SNAPSHOT_RETENTION_PERIOD')
    next.monthlySnapshotRetentionMonths = monthly
  }
  const windowChange = validateScheduleChange(cluster, window === undefined ? {} : { pointInTimeWindowHours: window })
  if (hour !== undefined || minute !== undefined) {
    if (hour === undefined || minute === undefined) throw new ApiError('INVALID_REFERENCE_TIME_OF_DAY_MISSING_FIELDS')
    if (!within(hour, 0, 23)) throw new ApiError('INVALID_REFERENCE_HOUR_OF_DAY')
    if (!within(minute, 0, 59)) throw new ApiError('INVALID_REFERENCE_MINUTE_OF_HOUR')
    next.referenceHourOfDay = hour
    next.referenceMinuteOfHour = minute
  }
  if (offset !== undefined) {
    const east = offsetMinutes(offset)
    if (east === undefined) throw new ApiError('INVALID_REFERENCE_TIMEZONE_OFFSET')
    // Stored as +0000, the reference time converted (5:00 at +0200 is 3:00 UTC).
    const local = (next.referenceHourOfDay ?? 0) * 60 + (next.referenceMinuteOfHour ?? 0)
    const utc = (((local - east) % 1440) + 1440) % 1440
    next.referenceHourOfDay = Math.floor(utc / 60)
    next.referenceMinuteOfHour = utc % 60
    next.referenceTimeZoneOffset = '+0000'
  } else if (hour !== undefined) {
    next.referenceTimeZoneOffset = '+0000'
  }
  if (snapshotInterval !== undefined) {
    if (!isOneOf(INTERVALS, snapshotInterval)) throw new ApiError('INVALID_SNAPSHOT_INTERVAL')
    next.snapshotIntervalHours = snapshotInterval
  }
  if (retention !== undefined) {
    if (!isOneOf(RETENTION_DAYS, retention)) throw new ApiError('INVALID_SNAPSHOT_RETENTION_PERIOD')
    next.snapshotRetentionDays = retention
  }
  if (weekly !== undefined) {
    if (atlas ? !isOneOf(ATLAS_WEEKLY, weekly) : !within(weekly, 0, 52)) throw new ApiError('INVALID_WEEKLY_SNAPSHOT_RETENTION_PERIOD')
    next.weeklySnapshotRetentionWeeks = weekly
  }
  return {
    cluster: {
      ...cluster,
      checkpointIntervalMinutes: checkpoint.checkpointIntervalMinutes,
      pointInTimeWindowHours: windowChange.pointInTimeWindowHours,
    },
    settings: next,
  }
}
