import type { RestoreJob } from './legacy-backup/restore-types.js'
import type { Snapshot, SnapshotSchedule } from './legacy-backup/snapshot-types.js'
import type { ApiKey, Checkpoint, Cluster, Organization, Project, ServiceAccount } from './types.js'

/**
 * A validated set of records to write in one transaction (a fixture file, the demo). The legacy backup
 * kinds are optional: most data sets (the demo, a history, the producer's) leave them out, and a cluster
 * they do not track gets derived snapshots (domain/legacy-backup/snapshot-coverage.ts).
 */
export interface DataSet {
  readonly organizations: readonly Organization[]
  readonly projects: readonly Project[]
  readonly clusters: readonly Cluster[]
  readonly checkpoints: readonly Checkpoint[]
  readonly apiKeys: readonly ApiKey[]
  readonly serviceAccounts: readonly ServiceAccount[]
  /** Snapshot schedules, one per cluster (docs/fixtures.md, `snapshotSchedules`). */
  readonly snapshotSchedules?: readonly SnapshotSchedule[]
  readonly snapshots?: readonly Snapshot[]
  readonly restoreJobs?: readonly RestoreJob[]
}

/** A data set with nothing in it, to spread the records of one write into. */
export const EMPTY_DATA_SET: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

/** The record type of one of a data set's arrays. */
export type RecordOf<K extends keyof DataSet> = NonNullable<DataSet[K]>[number]
