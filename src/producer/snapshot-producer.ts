/**
 * The backup system's snapshots (docs/behaviour.md#snapshots, P-N1 and P-N2), on the server's one clock
 * beside the checkpoint producer: every `snapshotIntervalHours` of a legacy-backup cluster's schedule a
 * snapshot, complete a few minutes later; expired snapshots deleted when they expire, so that every
 * process on the store, and every cached answer, sees them go. Through the Store interface only.
 */
import type { TimeDriven } from '../clock/server-clock.js'
import { coverWithSnapshots } from '../domain/legacy-backup/snapshot-coverage.js'
import {
  retentionExpiry,
  retentionHorizon,
  SNAPSHOT_COMPLETION_MINUTES,
  slotAfter,
  slotAtOrBefore,
  snapshotAt,
  takesSnapshots,
} from '../domain/legacy-backup/snapshot-plan.js'
import { effectiveSettings, type Snapshot } from '../domain/legacy-backup/snapshot-types.js'
import type { Store } from '../storage/store.js'

export interface SnapshotProducerOptions {
  readonly store: Store
  /** The clock, epoch ms. */
  readonly now: () => number
  /** The clock's time (epoch ms) as of which the store's snapshots were made (the demo, fixtures at start). */
  readonly startsAt?: number
}

/** Snapshots deleted per statement while grooming a backlog. */
const GROOM_BATCH = 1000

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z'
}

export class SnapshotProducer implements TimeDriven {
  readonly name = 'snapshots'
  /** Per cluster: the newest slot made (epoch seconds). */
  readonly #made = new Map<string, number>()
  /** Snapshots written in progress, to complete: id → (cluster id, slot). */
  readonly #pending = new Map<string, { clusterId: string; slot: number }>()
  #next: number | undefined
  #first = true

  constructor(private readonly options: SnapshotProducerOptions) {}

  nextEventAt(): number | undefined {
    return this.#next
  }

  recordsChanged(_clusterId: string): void {
    // A history or fixture written meanwhile came with its snapshots (snapshot-coverage.ts): look again now.
    this.#next = undefined
  }

  async catchUp(nowMs: number): Promise<void> {
    if (this.#next !== undefined && nowMs < this.#next) return
    const { store } = this.options
    const now = Math.floor(nowMs / 1000)
    const since = this.#first ? Math.floor((this.options.startsAt ?? nowMs) / 1000) : now
    this.#first = false
    let next = Infinity
    for (const cluster of await store.listClusters()) {
      if (!takesSnapshots(cluster)) continue
      let stored = await store.getSnapshotSettings(cluster.id)
      if (stored === undefined) {
        await coverWithSnapshots(store, [cluster.id], nowMs)
        stored = {}
        this.#made.set(cluster.id, slotAtOrBefore(effectiveSettings(stored), now))
      }
      const settings = effectiveSettings(stored)
      const interval = settings.snapshotIntervalHours * 3600
      const made = this.#made.get(cluster.id) ?? slotAtOrBefore(settings, since)
      const writes: Snapshot[] = []
      // Slots the clock passed; those already expired by now are never seen, so not written.
      let slot = Math.max(slotAfter(settings, made), slotAfter(settings, now - retentionHorizon(settings) - interval))
      let newest = made
      for (; slot <= now; slot += interval) {
        newest = slot
        if (retentionExpiry(settings, slot) <= now) continue
        const snapshot = snapshotAt(cluster, stored, slot, now)
        writes.push(snapshot)
        if (snapshot.completedAt === undefined) this.#pending.set(snapshot.id, { clusterId: cluster.id, slot })
      }
      this.#made.set(cluster.id, newest)
      for (const [id, pending] of this.#pending) {
        if (pending.clusterId !== cluster.id || writes.some((w) => w.id === id)) continue
        if (pending.slot + SNAPSHOT_COMPLETION_MINUTES * 60 <= now) {
          writes.push(snapshotAt(cluster, stored, pending.slot, now))
          this.#pending.delete(id)
        } else next = Math.min(next, pending.slot + SNAPSHOT_COMPLETION_MINUTES * 60)
      }
      for (const w of writes) if (w.completedAt === undefined) next = Math.min(next, Date.parse(w.created) / 1000 + SNAPSHOT_COMPLETION_MINUTES * 60)
      if (writes.length > 0) await store.putSnapshots(writes)
      next = Math.min(next, slotAfter(settings, now))
    }
    while ((await store.deleteExpiredSnapshots(iso(now), GROOM_BATCH)) === GROOM_BATCH) {
      // A backlog after a long jump: in batches.
    }
    const expiry = await store.nextSnapshotExpiry(iso(now))
    if (expiry !== null) next = Math.min(next, Date.parse(expiry) / 1000)
    this.#next = Number.isFinite(next) ? next * 1000 : undefined
  }
}
