/**
 * The legacy backup fuzz oracle: what the API must answer to a schedule PATCH, a snapshot PATCH or a
 * restore-job POST body, written from docs/behaviour.md ("Snapshot schedule", "Snapshots", "What POST
 * checks, in order") and docs/errors.md, independently of src/ (nothing is imported from it). Each
 * prediction is either the exact error (status, errorCode, parameters) or what a success must show.
 * No side effects on import.
 */

export interface Expected {
  readonly status: number | readonly number[]
  /** The X-Error-Code (one of them when a list); undefined: none. */
  readonly errorCode?: string | readonly string[] | undefined
  readonly parameters?: readonly unknown[]
}

export type Prediction<T> = { readonly error: Expected } | { readonly ok: T }

const INT32_MAX = 2_147_483_647
const INT32_MIN = -2_147_483_648

const error = (status: number, errorCode: string, parameters?: readonly unknown[]): { error: Expected } => ({
  error: { status, errorCode, ...(parameters === undefined ? {} : { parameters }) },
})

/**
 * P-G4 as documented: an integer field (Java `int`) takes a JSON integer within int32 or a string of
 * decimal digits (no sign, no spaces) whose value fits; null or absent is "not given"; anything else is
 * the wrong type.
 */
export function readInt32(value: unknown): { kind: 'absent' } | { kind: 'int'; value: number } | { kind: 'bad' } {
  if (value === undefined || value === null) return { kind: 'absent' }
  if (typeof value === 'number') return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX ? { kind: 'int', value } : { kind: 'bad' }
  if (typeof value === 'string' && /^\d{1,10}$/.test(value) && Number(value) <= INT32_MAX) return { kind: 'int', value: Number(value) }
  return { kind: 'bad' }
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/**
 * An ISO-8601 instant (`YYYY-MM-DDThh:mm[:ss[.fraction]]` with `Z` or `±hh[:]mm`, the offset up to
 * ±18:00) or a bare date (midnight UTC), on the real calendar: epoch milliseconds, or undefined for
 * anything else (2030-02-31, 24:00, 23:60, +19:00…).
 */
export function calendarInstant(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2})))?$/.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, fraction, zone, sign, oh, om] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  if (h === undefined) return utc.getTime()
  if (zone === undefined) return undefined
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s ?? '0')
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offset = 0
  if (sign !== undefined) {
    const hours = Number(oh)
    const minutes = Number(om)
    if (minutes > 59 || hours * 60 + minutes > 18 * 60) return undefined
    offset = (sign === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  utc.setUTCHours(hour, minute, second, Math.floor(Number(`0.${fraction ?? '0'}`) * 1000))
  const ms = utc.getTime() - offset * 60_000
  // Years 0000 to 9999 only: an offset may not carry the instant out of them.
  return ms >= -62_167_219_200_000 && ms <= 253_402_300_799_999 ? ms : undefined
}

// ---------------------------------------------------------------------------------------------------
// Snapshot schedule PATCH (docs/behaviour.md#snapshot-schedule, P-S1 … P-S3)

export type ScheduleRules = 'atlas-v2' | 'atlas-v1' | 'ops-manager'

const ATLAS_DAILY = [0, 3, 4, 5, 6, 7, 15, 30, 60, 90, 120, 180, 360]
const ATLAS_WEEKLY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 52]
const ATLAS_MONTHLY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 18, 24, 36]
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY']
const OPS_ONLY = new Set(['fullIncrementalDayOfWeek', 'referenceHourOfDay', 'referenceMinuteOfHour', 'referenceTimeZoneOffset'])
const STRING_FIELDS = new Set(['fullIncrementalDayOfWeek', 'referenceTimeZoneOffset'])

/** Every field of the schedule a PATCH may set, in the alphabetical order they are checked in. */
export const SCHEDULE_FIELDS = [
  'clusterCheckpointIntervalMin',
  'dailySnapshotRetentionDays',
  'fullIncrementalDayOfWeek',
  'monthlySnapshotRetentionMonths',
  'pointInTimeWindowHours',
  'referenceHourOfDay',
  'referenceMinuteOfHour',
  'referenceTimeZoneOffset',
  'snapshotIntervalHours',
  'snapshotRetentionDays',
  'weeklySnapshotRetentionWeeks',
] as const

/** Good values of each field (for the sharded cluster; the interval is refused on a replica set). */
export const SCHEDULE_GOOD: Readonly<Record<(typeof SCHEDULE_FIELDS)[number], readonly unknown[]>> = {
  clusterCheckpointIntervalMin: [15, 30, 60, '15', null],
  dailySnapshotRetentionDays: [0, 3, 7, 30, '7'],
  fullIncrementalDayOfWeek: DAYS,
  monthlySnapshotRetentionMonths: [0, 1, 13, 36],
  pointInTimeWindowHours: [1, 24, 8760, '48'],
  referenceHourOfDay: [0, 5, 23],
  referenceMinuteOfHour: [0, 30, 59],
  referenceTimeZoneOffset: ['+0000', 'Z', '+0200', '-0530', '+14:00'],
  snapshotIntervalHours: [6, 8, 12, 24],
  snapshotRetentionDays: [2, 3, 5],
  weeklySnapshotRetentionWeeks: [0, 4, 8, 52],
}

/** The offset rule: `Z`, or `±hhmm` (a colon allowed) up to ±14:59. */
function goodOffset(text: string): boolean {
  if (text === 'Z') return true
  const match = /^[+-](\d{2}):?(\d{2})$/.exec(text)
  return match !== null && Number(match[1]) <= 14 && Number(match[2]) <= 59
}

/** What a schedule PATCH answers; on success the values the answer must show for the fields given. */
export function predictSchedule(body: Readonly<Record<string, unknown>>, rules: ScheduleRules, type: 'SHARDED' | 'REPLICASET'): Prediction<Record<string, unknown>> {
  const ops = rules === 'ops-manager'
  const ints = new Map<string, number>()
  const strings = new Map<string, string>()
  // Types first, in alphabetical order; the Ops Manager fields are unknown (ignored) on the Atlas dialects.
  for (const field of SCHEDULE_FIELDS) {
    if (!ops && OPS_ONLY.has(field)) continue
    const value = body[field]
    if (STRING_FIELDS.has(field)) {
      if (value === undefined || value === null) continue
      if (typeof value !== 'string') return error(400, 'INVALID_JSON_ATTRIBUTE', [field])
      strings.set(field, value)
      continue
    }
    const read = readInt32(value)
    if (read.kind === 'bad') return error(400, 'INVALID_JSON_ATTRIBUTE', [field])
    if (read.kind === 'int') ints.set(field, read.value)
  }
  const shown: Record<string, unknown> = {}
  // Values, in the same order.
  const intervalOff = body['clusterCheckpointIntervalMin'] === null
  const interval = ints.get('clusterCheckpointIntervalMin')
  if (interval !== undefined && !(rules === 'atlas-v2' && interval === 0)) {
    if (type === 'REPLICASET') return error(400, 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET')
    if (![15, 30, 60].includes(interval)) return error(400, 'INVALID_CLUSTER_CHECKPOINT_INTERVAL')
    shown['clusterCheckpointIntervalMin'] = interval
  } else if (intervalOff) {
    shown['clusterCheckpointIntervalMin'] = undefined
  }
  const ranged = (field: string, atlas: readonly number[], max: number, code: string): { error: Expected } | undefined => {
    const value = ints.get(field)
    if (value === undefined) return undefined
    if (ops ? value < 0 || value > max : !atlas.includes(value)) return error(400, code)
    shown[field] = value
    return undefined
  }
  const daily = ranged('dailySnapshotRetentionDays', ATLAS_DAILY, 365, 'INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD')
  if (daily) return daily
  const day = strings.get('fullIncrementalDayOfWeek')
  if (day !== undefined && !DAYS.includes(day)) return error(400, 'INVALID_ENUM_VALUE', [day])
  const monthly = ranged('monthlySnapshotRetentionMonths', ATLAS_MONTHLY, 36, 'INVALID_MONTHLY_SNAPSHOT_RETENTION_PERIOD')
  if (monthly) return monthly
  const window = ints.get('pointInTimeWindowHours')
  if (window !== undefined) {
    if (window < 1 || window > 8760) return error(400, 'INVALID_ATTRIBUTE', ['pointInTimeWindowHours'])
    shown['pointInTimeWindowHours'] = window
  }
  const hour = ints.get('referenceHourOfDay')
  const minute = ints.get('referenceMinuteOfHour')
  if (hour !== undefined || minute !== undefined) {
    if (hour === undefined || minute === undefined) return error(400, 'INVALID_REFERENCE_TIME_OF_DAY_MISSING_FIELDS')
    if (hour < 0 || hour > 23) return error(400, 'INVALID_REFERENCE_HOUR_OF_DAY')
    if (minute < 0 || minute > 59) return error(400, 'INVALID_REFERENCE_MINUTE_OF_HOUR')
    shown['referenceTimeZoneOffset'] = '+0000'
  }
  const offset = strings.get('referenceTimeZoneOffset')
  if (offset !== undefined) {
    if (!goodOffset(offset)) return error(400, 'INVALID_REFERENCE_TIMEZONE_OFFSET')
    shown['referenceTimeZoneOffset'] = '+0000'
  }
  const interval2 = ints.get('snapshotIntervalHours')
  if (interval2 !== undefined) {
    if (![6, 8, 12, 24].includes(interval2)) return error(400, 'INVALID_SNAPSHOT_INTERVAL')
    shown['snapshotIntervalHours'] = interval2
  }
  const retention = ints.get('snapshotRetentionDays')
  if (retention !== undefined) {
    if (retention < 2 || retention > 5) return error(400, 'INVALID_SNAPSHOT_RETENTION_PERIOD')
    shown['snapshotRetentionDays'] = retention
  }
  const weekly = ranged('weeklySnapshotRetentionWeeks', ATLAS_WEEKLY, 52, 'INVALID_WEEKLY_SNAPSHOT_RETENTION_PERIOD')
  if (weekly) return weekly
  return { ok: shown }
}

// ---------------------------------------------------------------------------------------------------
// Snapshot PATCH (docs/behaviour.md#snapshots, P-N5)

export interface SnapshotChange {
  readonly doNotDelete?: boolean
  /** Epoch milliseconds of the new `expires`. */
  readonly expires?: number
}

/** The body's own checks of a snapshot PATCH, before the snapshot is looked up. */
export function predictSnapshotBody(body: Readonly<Record<string, unknown>>, snapshotId: string): Prediction<SnapshotChange> {
  const flag = body['doNotDelete']
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') return error(400, 'INVALID_JSON_ATTRIBUTE', ['doNotDelete'])
  const expires = body['expires']
  if (expires !== undefined && expires !== null && typeof expires !== 'string') return error(400, 'INVALID_JSON_ATTRIBUTE', ['expires'])
  if (flag === true && typeof expires === 'string') return error(403, 'CANNOT_MODIFY_SNAPSHOT', [snapshotId])
  if (typeof expires === 'string') {
    const ms = calendarInstant(expires)
    if (ms === undefined) return error(400, 'INVALID_DATE_FORMAT', [expires])
    return { ok: { ...(typeof flag === 'boolean' ? { doNotDelete: flag } : {}), expires: ms } }
  }
  return { ok: typeof flag === 'boolean' ? { doNotDelete: flag } : {} }
}

// ---------------------------------------------------------------------------------------------------
// Restore-job POST (docs/behaviour.md#what-post-checks-in-order-p-r2), steps 1 to 5

const METHODS = ['CLIENT_PIT_HTTP', 'QUERY', 'AUTOMATED_RESTORE', 'HTTP', 'THIRD_PARTY_COPY', 'CLIENT_PIT_SCP', 'SCP']
const MIN_PIT = 1_199_145_600_000
/** 9999-12-31T23:59:59.999Z: the last instant a four-digit year writes. */
const MAX_PIT = 253_402_300_799_999
/** An oplog timestamp's seconds are a 32-bit unsigned integer (BSON Timestamp). */
const MAX_OPLOG_SECONDS = 4_294_967_295
const SOURCES_TEXT = 'snapshotId, checkpointId, pointInTimeUTCMillis, oplogTs'

/** The codes of steps 6 to 8 (topology, lookups, target) and what follows a body that passes 1 to 5. */
export const RESTORE_LATER_CODES = [
  'CHECKPOINT_RESTORE_UNSUPPORTED_FOR_REPLICA_SETS',
  'PIT_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS',
  'OPLOG_RESTORE_ONLY_SUPPORTED_FOR_REPLICA_SETS',
  'SNAPSHOT_NOT_FOUND',
  'CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT',
  'CHECKPOINT_NOT_FOUND',
  'NO_CHECKPOINT_FOR_PIT_RESTORE',
  'INVALID_PIT_RESTORE_TIME',
  'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME',
  'LINK_EXPIRATION_AFTER_SNAPSHOT_DELETION',
  'GROUP_NOT_FOUND',
  'CANNOT_RESTORE_TO_TARGET',
  'CLUSTER_NOT_FOUND',
  'CLUSTER_NAME_NOT_FOUND',
  'CLUSTER_ID_NOT_FOUND',
  'ATLAS_CLUSTER_RESTORE_IN_PROGRESS',
]

const present = (value: unknown): boolean => value !== undefined && value !== null
const isId = (value: unknown): boolean => typeof value === 'string' && /^[a-f0-9]{24}$/.test(value)

/** A JSON integer or a string of digits without a bound of its own (the caller bounds it); undefined otherwise. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value)
  return undefined
}

/** Steps 1 to 5 of P-R2: the first failure, or `ok` with the source's kind when the body passes them. */
export function predictRestoreBody(body: Readonly<Record<string, unknown>>, family: 'atlas' | 'ops-manager'): Prediction<{ source: string; method: string }> {
  // 1.
  const delivery = body['delivery']
  if (!present(delivery)) return error(400, 'MISSING_ATTRIBUTE', ['delivery'])
  if (typeof delivery !== 'object' || Array.isArray(delivery)) return error(400, 'INVALID_JSON_ATTRIBUTE', ['delivery'])
  const d = delivery as Record<string, unknown>
  const method = d['methodName']
  if (!present(method)) return error(400, 'MISSING_ATTRIBUTE', ['methodName'])
  if (typeof method !== 'string' || !METHODS.includes(method)) return error(400, 'INVALID_ENUM_VALUE')
  // 2.
  if (method === 'SCP' || method === 'CLIENT_PIT_SCP') return error(400, 'INVALID_DELIVERY_SCP')
  if (method !== 'HTTP' && method !== 'AUTOMATED_RESTORE') return error(400, 'UNSUPPORTED_DELIVERY_METHOD')
  // 3.
  const oplog = present(body['oplogTs']) || present(body['oplogInc'])
  const given = [
    present(body['snapshotId']) ? 'snapshotId' : undefined,
    present(body['checkpointId']) ? 'checkpointId' : undefined,
    present(body['pointInTimeUTCMillis']) ? 'pointInTimeUTCMillis' : undefined,
    oplog ? (present(body['oplogTs']) ? 'oplogTs' : 'oplogInc') : undefined,
  ].filter((name): name is string => name !== undefined)
  const [source, second] = given
  if (source === undefined) return error(400, 'MISSING_ONE_OF_MANY_ATTRIBUTES', [SOURCES_TEXT])
  if (second !== undefined) return error(400, 'INVALID_ATTRIBUTE', [second])
  if (oplog && !present(body['oplogTs'])) return error(400, 'MISSING_ATTRIBUTE', ['oplogTs'])
  if (oplog && !present(body['oplogInc'])) return error(400, 'MISSING_ATTRIBUTE', ['oplogInc'])
  // 4. The source's syntax, then the delivery's fields.
  if ((source === 'snapshotId' || source === 'checkpointId') && !isId(body[source])) return error(400, 'INVALID_JSON_ATTRIBUTE', [source])
  if (source === 'pointInTimeUTCMillis') {
    const millis = wholeNumber(body['pointInTimeUTCMillis'])
    if (millis === undefined || millis < MIN_PIT || millis > MAX_PIT) return error(400, 'INVALID_JSON_ATTRIBUTE', ['pointInTimeUTCMillis'])
  }
  if (source === 'oplogTs') {
    const raw = body['oplogTs']
    const seconds = wholeNumber(raw)
    const ok = seconds !== undefined ? seconds >= 0 && seconds <= MAX_OPLOG_SECONDS : typeof raw === 'string' && calendarInstant(raw) !== undefined
    if (!ok) return error(400, 'INVALID_JSON_ATTRIBUTE', ['oplogTs'])
    const read = readInt32(body['oplogInc'])
    if (read.kind !== 'int') return error(400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc'])
    if (read.value < 1) return error(400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', ['oplogInc'])
  }
  for (const field of ['expirationHours', 'maxDownloads']) {
    const raw = d[field]
    if (!present(raw)) continue
    const read = readInt32(raw)
    if (read.kind !== 'int') return error(400, 'INVALID_JSON_ATTRIBUTE', [field])
    if (read.value < 1) return error(400, 'ATTRIBUTE_NEGATIVE_OR_ZERO', [field])
  }
  for (const field of ['targetGroupId', 'targetClusterId']) {
    if (present(d[field]) && !isId(d[field])) return error(400, 'INVALID_JSON_ATTRIBUTE', [field])
  }
  // Ops Manager targets by id only: a name is an unknown field there, ignored whatever it holds.
  const name = d['targetClusterName']
  if (family === 'atlas' && present(name) && (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9-]*$/.test(name))) {
    return error(400, 'INVALID_JSON_ATTRIBUTE', ['targetClusterName'])
  }
  const opsExpires = family === 'ops-manager' && method === 'HTTP' && present(d['expires'])
  if (opsExpires && !(typeof d['expires'] === 'string' && calendarInstant(d['expires']) !== undefined)) return error(400, 'INVALID_DATE_FORMAT')
  // 5.
  if (method === 'AUTOMATED_RESTORE') {
    if (!present(d['targetGroupId'])) return error(400, 'MISSING_ATTRIBUTE', ['targetGroupId'])
    if (family === 'atlas' && !present(d['targetClusterId']) && !present(name)) return error(400, 'MISSING_ONE_OF_ATTRIBUTES', ['targetClusterName', 'targetClusterId'])
    if (family === 'ops-manager' && !present(d['targetClusterId'])) return error(400, 'MISSING_ATTRIBUTE', ['targetClusterId'])
    return { ok: { source, method } }
  }
  if (source !== 'snapshotId') return error(400, 'LEGACY_PIT_RESTORE_UNSUPPORTED')
  if (opsExpires && present(d['expirationHours'])) return error(400, 'INVALID_ATTRIBUTE', ['expires'])
  return { ok: { source, method } }
}
