import { isDeepStrictEqual } from 'node:util'
import type { Checkpoint, Cluster } from '../domain/types.js'
import { EMPTY_DATA_SET } from '../domain/data-set.js'
import type { Store } from './store.js'

/**
 * Copying everything of one store into another, whatever their engines (`waymark copy`). Restartable:
 * every write is an upsert by id in its own transaction, so running the copy again after it was killed
 * continues where it stopped and ends with the same data; nothing is lost or duplicated.
 */


/** What {@link copyRecords} wrote, by kind. */
export interface RecordsCopied {
  readonly organizations: number
  readonly projects: number
  readonly clusters: number
  readonly apiKeys: number
  readonly serviceAccounts: number
  readonly secrets: number
  readonly revokedTokens: number
}

/**
 * Copies everything but checkpoints: organizations, projects, clusters, API keys and service accounts in
 * one transaction (one `apply`), then the server-wide secrets (so tokens and nonces the source's servers
 * issued stay valid on the target) and the revoked tokens that have not expired at `nowSeconds`.
 * Returns the clusters, for {@link copyCheckpoints}.
 */
export async function copyRecords(
  from: Store,
  to: Store,
  nowSeconds: number,
): Promise<{ readonly copied: RecordsCopied; readonly clusters: readonly Cluster[] }> {
  const [organizations, projects, clusters, apiKeys, serviceAccounts] = await Promise.all([
    from.listOrganizations(),
    from.listProjects(),
    from.listClusters(),
    from.listApiKeys(),
    from.listServiceAccounts(),
  ])
  await to.apply({ ...EMPTY_DATA_SET, organizations, projects, clusters, apiKeys, serviceAccounts })
  const secrets = await from.listSecrets()
  for (const { name, value } of secrets) await to.putSecret(name, value)
  const revoked = await from.listRevokedTokens(nowSeconds)
  for (const { jti, expiresAtSeconds } of revoked) await to.revokeToken(jti, expiresAtSeconds)
  return {
    copied: {
      organizations: organizations.length,
      projects: projects.length,
      clusters: clusters.length,
      apiKeys: apiKeys.length,
      serviceAccounts: serviceAccounts.length,
      secrets: secrets.length,
      revokedTokens: revoked.length,
    },
    clusters,
  }
}

export interface CheckpointCopyOptions {
  /** Checkpoints per read and per write transaction. */
  readonly batchSize: number
  /** Copy every checkpoint again instead of resuming after those the target already has. */
  readonly full?: boolean
  /** Called once the total is known and after every batch: checkpoints done (copied or already there). */
  readonly onProgress?: (done: number, total: number) => void
}

/** What {@link copyCheckpoints} did. */
export interface CheckpointsCopied {
  /** The source's checkpoints, counted before copying (more if the source grew meanwhile). */
  readonly total: number
  /** Written to the target by this run. */
  readonly copied: number
  /** Found already copied on the target and skipped. */
  readonly alreadyThere: number
  /** Clusters the target already had some or all checkpoints of: the copy continued after them. */
  readonly resumedClusters: number
  /** Clusters whose target checkpoints did not match the source's, copied again from the oldest. */
  readonly recopiedClusters: number
}

/**
 * Copies the checkpoints of every cluster, one cluster after another, oldest first: ascending
 * (timestamp, id), `batchSize` at a time, each batch one `apply` (one transaction).
 *
 * Why oldest first: the engines keep a dense per-cluster rank in (timestamp, id) order. Checkpoints
 * written after a cluster's newest are numbered on from it, while any written before it renumber the rest
 * of the cluster (seconds at 100,000 rows). Oldest first, every batch is such an append.
 */
export async function copyCheckpoints(
  from: Store,
  to: Store,
  clusters: readonly Cluster[],
  options: CheckpointCopyOptions,
): Promise<CheckpointsCopied> {
  const { batchSize } = options
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`Invalid batch size ${batchSize}`)
  const counts = await Promise.all(
    clusters.map(async (c) => (await from.pageCheckpoints(c.id, { offset: 0, limit: 1 })).totalCount),
  )
  let total = counts.reduce((sum, n) => sum + n, 0)
  let done = 0
  let copied = 0
  let alreadyThere = 0
  let resumedClusters = 0
  let recopiedClusters = 0
  const report = (): void => {
    total = Math.max(total, done)
    options.onProgress?.(done, total)
  }
  report()
  for (const cluster of clusters) {
    const start = options.full === true ? FROM_SCRATCH : await resumePoint(from, to, cluster.id)
    if (start.resumed) resumedClusters++
    if (start.mismatch) recopiedClusters++
    alreadyThere += start.count
    done += start.count
    report()
    let after: Checkpoint | undefined = start.after
    for (;;) {
      const batch = await from.checkpointsAfter(cluster.id, after, batchSize)
      if (batch.length === 0) break
      await to.apply({ ...EMPTY_DATA_SET, checkpoints: batch })
      after = batch.at(-1)
      copied += batch.length
      done += batch.length
      report()
    }
  }
  return { total, copied, alreadyThere, resumedClusters, recopiedClusters }
}

interface ResumePoint {
  /** Copy the checkpoints after this one (undefined: from the oldest). */
  readonly after: Checkpoint | undefined
  /** How many of the source's checkpoints the target already has, up to `after`. */
  readonly count: number
  readonly resumed: boolean
  /** The target held checkpoints of the cluster that are not a copied prefix of the source's. */
  readonly mismatch: boolean
}

const FROM_SCRATCH: ResumePoint = { after: undefined, count: 0, resumed: false, mismatch: false }

/**
 * Where to continue copying a cluster's checkpoints.
 *
 * A copy writes a cluster's checkpoints oldest first, each batch committed whole, so a copy killed midway
 * leaves the target with exactly the source's first n checkpoints of the cluster in (timestamp, id) order:
 * a prefix. Continuing after the target's newest checkpoint is then exact. Before trusting that, three
 * cheap checks (index lookups, no scan of the rows) that the target's n checkpoints are that prefix:
 *
 * 1. the target's newest, N, is in the source's cluster, identical (timestamp, parts, everything);
 * 2. the source has exactly n checkpoints ordered at or before N: as many as the target, ending at the
 *    same one, so nothing is missing below N unless something else stands in its place;
 * 3. the target's oldest is the source's oldest, identical.
 *
 * What these checks cannot see is a checkpoint replaced in place between the two runs: the source's
 * content changed under an id the target already has, or a target that held other checkpoints of the
 * cluster before the first run, in the same count. Neither happens when an interrupted copy is run again
 * over an unchanged (or append-only: newer checkpoints added) source; `full` re-copies everything for the
 * other cases. When a check fails, the cluster is copied again from its oldest: every write is an upsert
 * by id, so the result is right whatever the target held (slower, and it renumbers the target's ranks
 * where the target already has newer checkpoints).
 */
async function resumePoint(from: Store, to: Store, clusterId: string): Promise<ResumePoint> {
  const fromScratch = (mismatch: boolean): ResumePoint => ({ ...FROM_SCRATCH, mismatch })
  const top = await to.pageCheckpoints(clusterId, { offset: 0, limit: 1 })
  const newest = top.items[0]
  if (!newest) return fromScratch(false)
  const n = top.totalCount
  const sourceNewest = await from.getCheckpoint(clusterId, newest.id)
  if (!sourceNewest || !isDeepStrictEqual(sourceNewest, newest)) return fromScratch(true)
  if ((await from.countCheckpointsUpTo(clusterId, newest)) !== n) return fromScratch(true)
  const [targetOldest] = (await to.pageCheckpoints(clusterId, { offset: n - 1, limit: 1 })).items
  const [sourceOldest] = await from.checkpointsAfter(clusterId, undefined, 1)
  if (!targetOldest || !isDeepStrictEqual(targetOldest, sourceOldest)) return fromScratch(true)
  return { after: newest, count: n, resumed: true, mismatch: false }
}
