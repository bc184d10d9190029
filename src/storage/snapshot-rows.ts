import { DAYS_OF_WEEK, type Snapshot, type SnapshotPart, type SnapshotSettings } from '../domain/legacy-backup/snapshot-types.js'

/** A row of the `snapshots` table (migration 10), as both SQL engines read it (booleans as 0/1 or true/false). */
export interface SnapshotRow {
  id: string
  cluster_id: string
  group_id: string
  created: string
  completed_at: string | null
  expires: string | null
  expires_explicit: number | boolean
  do_not_delete: number | boolean
  incremental: number | boolean
  parts: string
}

/** The columns of a snapshot row, in the order {@link snapshotValues} gives them. */
export const SNAPSHOT_COLUMNS =
  'id, cluster_id, group_id, created, completed_at, expires, expires_explicit, do_not_delete, incremental, parts'

export function snapshotFromRow(row: SnapshotRow): Snapshot {
  const parts = JSON.parse(row.parts) as SnapshotPart[]
  return {
    id: row.id,
    clusterId: row.cluster_id,
    groupId: row.group_id,
    created: row.created,
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    ...(row.expires === null ? {} : { expires: row.expires }),
    expiresExplicit: Boolean(row.expires_explicit),
    doNotDelete: Boolean(row.do_not_delete),
    incremental: Boolean(row.incremental),
    parts,
  }
}

/** The values of a snapshot row, booleans as `bool` makes them (SQLite 0/1, PostgreSQL booleans). */
export function snapshotValues<B>(s: Snapshot, bool: (b: boolean) => B): unknown[] {
  const parts: SnapshotPart[] = s.parts.map((p) => ({
    typeName: p.typeName,
    replicaSetName: p.replicaSetName,
    clusterId: p.clusterId,
    dataSizeBytes: p.dataSizeBytes,
    fileSizeBytes: p.fileSizeBytes,
    storageSizeBytes: p.storageSizeBytes,
  }))
  return [
    s.id,
    s.clusterId,
    s.groupId,
    s.created,
    s.completedAt ?? null,
    s.expires ?? null,
    bool(s.expiresExplicit),
    bool(s.doNotDelete),
    bool(s.incremental),
    JSON.stringify(parts),
  ]
}

const SETTING_NUMBERS = [
  'snapshotIntervalHours',
  'snapshotRetentionDays',
  'dailySnapshotRetentionDays',
  'weeklySnapshotRetentionWeeks',
  'monthlySnapshotRetentionMonths',
  'referenceHourOfDay',
  'referenceMinuteOfHour',
] as const

/** Settings as stored: a JSON object of the fields that are set, in a fixed order. */
export function settingsToJson(settings: SnapshotSettings): string {
  const out: Record<string, unknown> = {}
  for (const key of SETTING_NUMBERS) if (settings[key] !== undefined) out[key] = settings[key]
  if (settings.referenceTimeZoneOffset !== undefined) out['referenceTimeZoneOffset'] = settings.referenceTimeZoneOffset
  if (settings.fullIncrementalDayOfWeek !== undefined) out['fullIncrementalDayOfWeek'] = settings.fullIncrementalDayOfWeek
  return JSON.stringify(out)
}

export function settingsFromJson(json: string): SnapshotSettings {
  const raw = JSON.parse(json) as Record<string, unknown>
  const out: { -readonly [K in keyof SnapshotSettings]: SnapshotSettings[K] } = {}
  for (const key of SETTING_NUMBERS) if (typeof raw[key] === 'number') out[key] = raw[key]
  if (typeof raw['referenceTimeZoneOffset'] === 'string') out.referenceTimeZoneOffset = raw['referenceTimeZoneOffset']
  const day = raw['fullIncrementalDayOfWeek']
  if ((DAYS_OF_WEEK as readonly unknown[]).includes(day)) out.fullIncrementalDayOfWeek = day as (typeof DAYS_OF_WEEK)[number]
  return out
}
