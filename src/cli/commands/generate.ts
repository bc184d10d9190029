import { Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../../config.js'
import { isObjectId } from '../../domain/ids.js'
import { parseTimeExpression, TIME_EXPRESSION_HELP } from '../../domain/time-expressions.js'
import { isoOf } from '../../producer/checkpoint-plan.js'
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
    .requiredOption('--from <time>', 'first slot at or after this time: ISO 8601 with a zone, or relative to now (-7d, -90m)', timeExpression)
    .requiredOption('--to <time>', 'slots before this time (ISO 8601, now, -1h), not in the future', timeExpression)
    .option('--seed <n>', 'seed of the checkpoints (env WAYMARK_SEED, default 20261101, the demo\'s)')
    .option('--batch-size <n>', 'checkpoints per transaction', batchSize, 10_000)
    .option('--store <url>', 'store URL (env WAYMARK_STORE, default sqlite:./data/waymark.sqlite)')
    .action(async (flags: GenerateFlags) => {
      const config = loadConfig({ store: flags.store, seed: flags.seed })
      // One reading of the clock for the relative times, the future check and how the history stands.
      const nowMs = Date.now()
      const now = Math.floor(nowMs / 1000)
      const from = secondsAt(flags.from, nowMs)
      const to = secondsAt(flags.to, nowMs)
      if (from >= to) command.error(`error: --from (${isoOf(from)}) must be before --to (${isoOf(to)})`)
      const [{ planHistory, writeHistory, HistoryRefusal }, { createProgress }] = await Promise.all([
        import('../../producer/write-history.js'),
        import('../progress.js'),
      ])
      // The cluster must be in the store already: generate never creates a store.
      const choice = configuredStore(config)
      const store = await openCliStore(choice, { mustExist: true, command: 'generate' })
      try {
        const cluster = await store.findCluster(flags.cluster)
        if (!cluster) throw new CliError(`no cluster with id ${flags.cluster} in the store ${storeLabel(config.store)} ${choice.source}; name another store with ${choice.how}`)
        const seed = config.producer.seed
        // The same checks and refusals as the admin API's history (producer/write-history.ts).
        const plan = await planHistory(store, { cluster, seed, from, to, now, labels: { from: '--from', to: '--to' } }).catch((error: unknown) => {
          throw error instanceof HistoryRefusal ? new CliError(error.message) : error
        })
        const progress = createProgress(`generate ${cluster.name}`, plan.total, process.stderr)
        const startedAt = Date.now()
        const { written, restorable } = await writeHistory(store, plan, { batchSize: flags.batchSize, afterBatch: (n) => progress.update(n) })
        const seconds = (Date.now() - startedAt) / 1000
        progress.finish(
          `generated ${written} checkpoints of ${cluster.name} (${cluster.id}) every ` +
            `${cluster.checkpointIntervalMinutes} minutes from ${isoOf(from)} to ${isoOf(to)}` +
            `${plan.alreadyThere > 0 ? ` (resumed after the ${plan.alreadyThere} already there)` : ''}, ${restorable} restorable, ` +
            `seed ${seed}, in ${seconds.toFixed(1)} s (${Math.round(written / Math.max(seconds, 0.001))}/s)`,
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

/** A time expression (ISO, `now`, `-7d`), checked here, read against the clock in the action. */
function timeExpression(value: string): string {
  if (parseTimeExpression(value, Date.now()) === undefined) throw new InvalidArgumentError(`expected ${TIME_EXPRESSION_HELP}`)
  return value
}

function secondsAt(expression: string, nowMs: number): number {
  return Math.floor((parseTimeExpression(expression, nowMs) ?? NaN) / 1000)
}

function batchSize(value: string): number {
  const parsed = Number(value)
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 100_000) throw new InvalidArgumentError('expected a whole number from 1 to 100000')
  return parsed
}
