import type pg from 'pg'
import type { PoolClient } from 'pg'
import type { Checkpoint } from '../../domain/types.js'
import { EMPTY_DATA_SET, type DataSet } from '../../domain/data-set.js'
import { lastById } from '../rank-plan.js'
import type { ApplySummary } from '../store.js'
import { writeCheckpoints } from './postgres-checkpoints.js'
import { inWriteTransaction } from './postgres-connection.js'
import { writeCredentials } from './postgres-credentials.js'
import { writeRecords } from './postgres-records.js'
import { writeRestoreJobsIn } from './postgres-restore-jobs.js'
import { writeSnapshotsIn } from './postgres-snapshots.js'


/** Writes a data set inside the caller's write transaction. */
async function writeDataSet(client: PoolClient, data: DataSet): Promise<ApplySummary> {
  const records = await writeRecords(client, data)
  const checkpoints = await writeCheckpoints(client, lastById(data.checkpoints, (c) => c.id))
  const credentials = await writeCredentials(client, data)
  const backup = await writeSnapshotsIn(client, data.snapshotSchedules ?? [], data.snapshots ?? [])
  const restoreJobs = await writeRestoreJobsIn(client, data.restoreJobs ?? [])
  return { ...records, checkpoints, ...credentials, ...backup, restoreJobs }
}

/**
 * The data-set writer of the PostgreSQL engine (`Store.apply`, `applyInBatches`): one transaction under
 * the apply lock. Parents first, then the checkpoints (the set's, then each batch's), the
 * legacy backup records, then the credentials.
 */
export function applyInBatches(
  pool: pg.Pool,
  data: DataSet,
  checkpointBatches: AsyncIterable<readonly Checkpoint[]> | Iterable<readonly Checkpoint[]>,
): Promise<ApplySummary> {
  return inWriteTransaction(pool, async (client) => {
    const summary = await writeDataSet(client, { ...data, apiKeys: [], serviceAccounts: [] })
    let streamed = 0
    for await (const batch of checkpointBatches) streamed += await writeCheckpoints(client, lastById(batch, (c) => c.id))
    const credentials = await writeDataSet(client, { ...EMPTY_DATA_SET, apiKeys: data.apiKeys, serviceAccounts: data.serviceAccounts })
    return { ...summary, checkpoints: summary.checkpoints + streamed, apiKeys: credentials.apiKeys, serviceAccounts: credentials.serviceAccounts }
  })
}
