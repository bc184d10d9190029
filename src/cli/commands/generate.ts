import { Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../../config.js'
import { whyNoCheckpoints } from '../../domain/checkpoint-schedule.js'
import { isObjectId } from '../../domain/ids.js'
import { toIsoSeconds } from '../../domain/timestamps.js'
import type { Checkpoint } from '../../domain/types.js'
import { secondsOf } from '../../producer/checkpoint-plan.js'
import { CliError } from '../cli-error.js'
import { configuredStore, openCliStore, storeError } from '../cli-store.js'
import { storeLabel } from '../store-label.js'

interface GenerateFlags {
  readonly store?: string
  readonly cluster: string
  readonly from: string
  readonly to: string
  readonly seed?: string
  readonly batchSize: number
}

/**
 * `waymark generate`: the checkpoints a cluster's schedule would have made over a time range, written in
 * batches (one transaction each) after its newest checkpoint.
 */
export function generateCommand(): Command {
  const command: Command = new Command('generate')
    .description("backfill a cluster's checkpoint history: its schedule's slots in [--from, --to), as the producer makes them")
    .requiredOption('--cluster <id>', 'the cluster (24-hex id); it must have a checkpoint schedule and make checkpoints', clusterId)
    .requiredOption('--from <time>', 'first slot at or after this ISO 8601 date-time (with a zone)', isoTime)
    .requiredOption('--to <time>', 'slots before this ISO 8601 date-time, not in the future', isoTime)
    .option('--seed <n>', 'seed of the checkpoints (env WAYMARK_SEED, default 20261101, the demo\'s)')
    .option('--batch-size <n>', 'checkpoints per transaction', batchSize, 10_000)
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (flags: GenerateFlags) => {
      const config = loadConfig({ store: flags.store, seed: flags.seed })
      const from = secondsOf(flags.from)
      const to = secondsOf(flags.to)
      if (from >= to) command.error(`error: --from (${flags.from}) must be before --to (${flags.to})`)
      const now = Math.floor(Date.now() / 1000)
      if (to > now) {
        throw new CliError(`--to ${flags.to} is in the future; the producer of waymark serve makes checkpoints as time passes`)
      }
      const [{ countSlots, history }, { resumePoint }, { createProgress }] = await Promise.all([
        import('../../producer/history.js'),
        import('../../producer/resume-history.js'),
        import('../progress.js'),
      ])
      // The cluster must be in the store already: generate never creates a store.
      const choice = configuredStore(config)
      const store = await openCliStore(choice, { mustExist: true, command: 'generate' })
      try {
        const cluster = await store.findCluster(flags.cluster)
        if (!cluster) throw new CliError(`no cluster with id ${flags.cluster} in the store ${storeLabel(config.store)} ${choice.source}; name another store with ${choice.how}`)
        const why = whyNoCheckpoints(cluster)
        if (why !== undefined) throw new CliError(`cluster ${cluster.name} (${cluster.id}) makes no checkpoints: ${why}`)
        const intervalSeconds = (cluster.checkpointIntervalMinutes ?? 0) * 60
        const newestPage = await store.pageCheckpoints(cluster.id, { offset: 0, limit: 1 })
        const [newest] = newestPage.items
        // An earlier run of this same range that was interrupted (each batch is one transaction) left its
        // first n checkpoints: continue after them.
        let start = from
        let already = 0
        if (newest && from <= secondsOf(newest.timestamp)) {
          const range = { cluster, seed: config.producer.seed, from, to, intervalSeconds }
          const resumed = await resumePoint(store, range, newest, newestPage.totalCount)
          if (resumed === undefined) {
            throw new CliError(
              `cluster ${cluster.name} already has checkpoints up to ${newest.timestamp}; generate only appends ` +
                `after the newest (inserting into a history renumbers it), so give a --from after it`,
            )
          }
          start = resumed.from
          already = resumed.done
        }
        const total = countSlots(start, to, intervalSeconds)
        const progress = createProgress(`generate ${cluster.name}`, total, process.stderr)
        const startedAt = Date.now()
        let written = 0
        let restorable = 0
        let batch: Checkpoint[] = []
        const flush = async (): Promise<void> => {
          await store.apply({ organizations: [], projects: [], clusters: [], checkpoints: batch, apiKeys: [], serviceAccounts: [] })
          written += batch.length
          batch = []
          progress.update(written)
        }
        for (const checkpoint of history({ cluster, seed: config.producer.seed, from: start, to, intervalSeconds, asOf: now })) {
          batch.push(checkpoint)
          if (checkpoint.restorable) restorable++
          if (batch.length >= flags.batchSize) await flush()
        }
        if (batch.length > 0) await flush()
        const seconds = (Date.now() - startedAt) / 1000
        progress.finish(
          `generated ${written} checkpoints of ${cluster.name} (${cluster.id}) every ` +
            `${cluster.checkpointIntervalMinutes} minutes from ${flags.from} to ${flags.to}` +
            `${already > 0 ? ` (resumed after the ${already} already there)` : ''}, ${restorable} restorable, ` +
            `seed ${config.producer.seed}, in ${seconds.toFixed(1)} s (${Math.round(written / Math.max(seconds, 0.001))}/s)`,
        )
      } catch (error) {
        if (error instanceof CliError) throw error
        throw (await storeError(choice, error, 'generate')) ?? error
      } finally {
        await store.close()
      }
    })
  return command
}

function clusterId(value: string): string {
  if (!isObjectId(value)) throw new InvalidArgumentError('expected a cluster id: 24 lower-case hex characters')
  return value
}

function isoTime(value: string): string {
  const iso = toIsoSeconds(value)
  if (iso === undefined) throw new InvalidArgumentError('expected an ISO 8601 date-time with a zone, such as 2026-11-01T00:00:00Z')
  return iso
}

function batchSize(value: string): number {
  const parsed = Number(value)
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 100_000) throw new InvalidArgumentError('expected a whole number from 1 to 100000')
  return parsed
}
