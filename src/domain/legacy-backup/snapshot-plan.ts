/**
 * When snapshots are taken and how long they are kept (docs/behaviour.md#snapshots, P-N1 and P-N2): pure
 * functions of a cluster, its schedule and the clock, shared by the producer, the demo, `generate`, the
 * history endpoint and fixtures, so that every way of making snapshots makes the same ones.
 */
import { createHash } from 'node:crypto'
import { derivedId } from '../deployment.js'
import type { Cluster, IsoSeconds } from '../types.js'
import { DAYS_OF_WEEK, effectiveSettings, type EffectiveSnapshotSettings, type Snapshot, type SnapshotPart, type SnapshotSettings } from './snapshot-types.js'

/** Minutes a snapshot stays `complete: false` after it was taken. */
export const SNAPSHOT_COMPLETION_MINUTES = 5

const DAY = 86_400

function iso(seconds: number): IsoSeconds {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z'
}

function seconds(at: IsoSeconds): number {
  return Math.floor(Date.parse(at) / 1000)
}

/** Seconds after 00:00 UTC that slots are aligned to (the Ops Manager reference time; 0 elsewhere). */
function offsetSeconds(s: EffectiveSnapshotSettings): number {
  return (s.referenceHourOfDay * 60 + s.referenceMinuteOfHour) * 60
}

/** The snapshot slot at or before `t` (epoch seconds). */
export function slotAtOrBefore(settings: EffectiveSnapshotSettings, t: number): number {
  const interval = settings.snapshotIntervalHours * 3600
  const offset = offsetSeconds(settings)
  return Math.floor((t - offset) / interval) * interval + offset
}

/** The first snapshot slot strictly after `t`. */
export function slotAfter(settings: EffectiveSnapshotSettings, t: number): number {
  return slotAtOrBefore(settings, t) + settings.snapshotIntervalHours * 3600
}

function utcDay(t: number): number {
  return Math.floor(t / DAY)
}

/** Whether the slot is the first of its UTC day (the one before it falls on another day). */
function firstOfDay(settings: EffectiveSnapshotSettings, slot: number): boolean {
  return utcDay(slot - settings.snapshotIntervalHours * 3600) !== utcDay(slot)
}

function addMonths(t: number, months: number): number {
  const d = new Date(t * 1000)
  d.setUTCMonth(d.getUTCMonth() + months)
  return Math.floor(d.getTime() / 1000)
}

/**
 * P-N2: `expires` of a snapshot taken at `created` (epoch seconds), the longest of the rules that apply:
 * `snapshotRetentionDays`; the first of its UTC day, `dailySnapshotRetentionDays`; of its ISO week (Monday),
 * `weeklySnapshotRetentionWeeks`; of its month, `monthlySnapshotRetentionMonths` (0 turns a rule off).
 */
export function retentionExpiry(settings: EffectiveSnapshotSettings, created: number): number {
  let expires = created + settings.snapshotRetentionDays * DAY
  if (firstOfDay(settings, created)) {
    if (settings.dailySnapshotRetentionDays > 0) expires = Math.max(expires, created + settings.dailySnapshotRetentionDays * DAY)
    const date = new Date(created * 1000)
    if (date.getUTCDay() === 1 && settings.weeklySnapshotRetentionWeeks > 0) {
      expires = Math.max(expires, created + settings.weeklySnapshotRetentionWeeks * 7 * DAY)
    }
    if (date.getUTCDate() === 1 && settings.monthlySnapshotRetentionMonths > 0) {
      expires = Math.max(expires, addMonths(created, settings.monthlySnapshotRetentionMonths))
    }
  }
  return expires
}

/** The longest a snapshot of this schedule is kept, in seconds (how far back derived snapshots reach). */
export function retentionHorizon(settings: EffectiveSnapshotSettings): number {
  return Math.max(
    settings.snapshotRetentionDays * DAY,
    settings.dailySnapshotRetentionDays * DAY,
    settings.weeklySnapshotRetentionWeeks * 7 * DAY,
    settings.monthlySnapshotRetentionMonths * 31 * DAY,
  )
}

/** The snapshot with its retention-derived `expires` (unless explicit or `doNotDelete`) under these settings. */
export function withDerivedExpiry(snapshot: Snapshot, settings: SnapshotSettings | undefined): Snapshot {
  if (snapshot.expiresExplicit || snapshot.doNotDelete) return snapshot
  const expires = iso(retentionExpiry(effectiveSettings(settings), seconds(snapshot.created)))
  return expires === snapshot.expires ? snapshot : { ...snapshot, expires }
}

/** A deterministic snapshot id: the slot's seconds as the first 4 bytes, then 16 hex of SHA-256(cluster, slot). */
export function snapshotIdAt(clusterId: string, slot: number): string {
  const tail = createHash('sha256').update(`${clusterId}:snapshot:${slot}`, 'utf8').digest('hex').slice(0, 16)
  return (slot >>> 0).toString(16).padStart(8, '0') + tail
}

/** A deterministic size in [min, max) from a hash of the label. */
function sizeOf(label: string, min: number, max: number): number {
  const n = createHash('sha256').update(label, 'utf8').digest().readUInt32BE(0)
  return min + (n % (max - min))
}

/** The parts of a snapshot of the cluster: its replica set; or each shard, then the config server replica set. */
export function snapshotParts(cluster: Cluster, slot: number): SnapshotPart[] {
  const names: Array<{ typeName: SnapshotPart['typeName']; replicaSetName: string; clusterId: string }> =
    cluster.type === 'SHARDED'
      ? [
          ...cluster.shards.map((s) => ({ typeName: 'REPLICA_SET' as const, replicaSetName: s.replicaSetName, clusterId: derivedId(cluster.id, s.replicaSetName) })),
          ...(cluster.configServer?.typeName === 'CONFIG_SERVER_REPLICA_SET'
            ? [{ typeName: 'CONFIG_SERVER_REPLICA_SET' as const, replicaSetName: cluster.configServer.replicaSetName, clusterId: derivedId(cluster.id, cluster.configServer.replicaSetName) }]
            : []),
        ]
      : [{ typeName: 'REPLICA_SET', replicaSetName: cluster.shards[0]?.replicaSetName ?? cluster.name, clusterId: cluster.id }]
  return names.map((n) => {
    const dataSizeBytes = sizeOf(`${n.clusterId}:${slot}:data`, 4_000_000, 600_000_000)
    return {
      ...n,
      dataSizeBytes,
      storageSizeBytes: Math.floor(dataSizeBytes * 1.1) + 4096,
      fileSizeBytes: Math.floor(dataSizeBytes * 5.6) + 32_768,
    }
  })
}

/** Whether snapshots are taken of this cluster at all: legacy backup, and not mirrored (SCCC) config servers. */
export function takesSnapshots(cluster: Cluster): boolean {
  return cluster.backup === 'LEGACY' && cluster.configServer?.typeName !== 'CONFIG_SERVER'
}

/**
 * The snapshot taken at `slot` (epoch seconds) as it is at `now`: complete {@link SNAPSHOT_COMPLETION_MINUTES}
 * after it was taken; full on the first slot of `fullIncrementalDayOfWeek` or when `first`.
 */
export function snapshotAt(cluster: Cluster, settings: SnapshotSettings | undefined, slot: number, now: number, first = false): Snapshot {
  const s = effectiveSettings(settings)
  const completedAt = slot + SNAPSHOT_COMPLETION_MINUTES * 60
  const fullDay = DAYS_OF_WEEK.indexOf(s.fullIncrementalDayOfWeek)
  const full = first || (firstOfDay(s, slot) && new Date(slot * 1000).getUTCDay() === fullDay)
  return {
    id: snapshotIdAt(cluster.id, slot),
    clusterId: cluster.id,
    groupId: cluster.groupId,
    created: iso(slot),
    ...(completedAt <= now ? { completedAt: iso(completedAt) } : {}),
    expires: iso(retentionExpiry(s, slot)),
    expiresExplicit: false,
    doNotDelete: false,
    incremental: !full,
    parts: snapshotParts(cluster, slot),
  }
}

/**
 * The snapshots a cluster has at `now` when nothing else says (fixtures that list none, the demo, `generate`,
 * the history endpoint): every slot of its schedule from `from` (epoch seconds) to `now` that is still kept
 * at `now`; and, when `coverFrom` (the oldest checkpoint that must stay restorable, epoch seconds) is before
 * the first of those, the snapshot of the slot at or before it, kept (`doNotDelete`) so that the
 * checkpoints given stay restorable however old they are. None for a cluster that takes no snapshots.
 */
export function derivedSnapshots(
  cluster: Cluster,
  settings: SnapshotSettings | undefined,
  now: number,
  coverFrom?: number,
): Snapshot[] {
  if (!takesSnapshots(cluster)) return []
  const s = effectiveSettings(settings)
  const interval = s.snapshotIntervalHours * 3600
  const out: Snapshot[] = []
  const start = slotAfter(s, now - retentionHorizon(s) - interval)
  for (let slot = start; slot <= now; slot += interval) {
    if (retentionExpiry(s, slot) > now) out.push(snapshotAt(cluster, settings, slot, now))
  }
  if (coverFrom !== undefined) {
    const base = slotAtOrBefore(s, coverFrom)
    const firstComplete = out.find((x) => x.completedAt !== undefined)
    if (firstComplete === undefined || seconds(firstComplete.created) > coverFrom) {
      if (!out.some((x) => x.created === iso(base))) {
        const kept = snapshotAt(cluster, settings, base, Math.max(now, base + SNAPSHOT_COMPLETION_MINUTES * 60), true)
        const { expires: _dropped, ...rest } = kept
        out.unshift({ ...rest, doNotDelete: true, completedAt: iso(base + SNAPSHOT_COMPLETION_MINUTES * 60) })
      }
    }
  }
  if (out[0] !== undefined && out[0].incremental) out[0] = { ...out[0], incremental: false }
  return out
}
