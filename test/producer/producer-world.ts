import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Checkpoint, Cluster } from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'
import { CheckpointProducer } from '../../src/producer/checkpoint-producer.js'
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js'
import type { Store } from '../../src/storage/store.js'

/** A store with one project and a three-shard CSRS cluster, and a producer on an injected clock. */

export const ORG = '5f0b00000000000000000001'
export const GROUP = '5f0b00000000000000000002'
export const CLUSTER_ID = '5f0b00000000000000000003'
export const SEED = 7

/** A slot boundary: midnight. */
export const T0 = Date.parse('2026-11-02T00:00:00Z')
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export function shardedCluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    id: CLUSTER_ID,
    groupId: GROUP,
    name: 'Prod',
    type: 'SHARDED',
    backup: 'LEGACY',
    featureCompatibilityVersion: '4.0',
    shards: [0, 1, 2].map((i) => ({ shardName: `Prod-shard-${i}`, replicaSetName: `Prod-shard-${i}` })),
    configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'Prod-config-0' },
    checkpointIntervalMinutes: 15,
    pointInTimeWindowHours: 24,
    ...overrides,
  }
}

export function dataSet(partial: Partial<DataSet>): DataSet {
  return { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [], ...partial }
}

export interface World {
  readonly store: Store
  /** The injected clock, epoch ms. */
  clock: number
  producer(retentionDays?: number): CheckpointProducer
  /** Every checkpoint of the cluster, newest first. */
  all(clusterId?: string): Promise<Checkpoint[]>
  /** Ticks at every event the producer announces up to `end`, then at `end`; `each` sees every tick. */
  runUntil(producer: CheckpointProducer, end: number, each?: (at: number) => Promise<void>): Promise<void>
  close(): Promise<void>
}

export async function world(cluster: Cluster = shardedCluster()): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-producer-'))
  const store = SqliteStore.open(join(dir, 'producer.sqlite'))
  await store.apply(
    dataSet({
      organizations: [{ id: ORG, name: 'Org' }],
      projects: [{ id: GROUP, orgId: ORG, name: 'Project' }],
      clusters: [cluster],
    }),
  )
  const w: World = {
    store,
    clock: T0,
    producer: (retentionDays = 90) => new CheckpointProducer({ store, seed: SEED, now: () => w.clock, retentionDays }),
    all: async (clusterId = CLUSTER_ID) => {
      const items: Checkpoint[] = []
      for (let offset = 0; ; offset += 500) {
        const page = await store.pageCheckpoints(clusterId, { offset, limit: 500 })
        items.push(...page.items)
        if (page.items.length < 500) return items
      }
    },
    runUntil: async (producer, end, each) => {
      const step = async (): Promise<void> => {
        await producer.tick()
        await each?.(w.clock)
      }
      await step()
      for (;;) {
        const next = producer.nextEventAt()
        if (next === undefined || next >= end) break
        w.clock = Math.max(next, w.clock)
        await step()
      }
      w.clock = end
      await step()
    },
    close: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return w
}
