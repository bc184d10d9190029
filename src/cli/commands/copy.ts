import { Command, InvalidArgumentError } from 'commander'
import type { Store } from '../../storage/store.js'
import type { Progress } from '../progress.js'
import { CliError } from '../cli-error.js'
import { flagStore, openCliStore } from '../cli-store.js'
import { storeLabel } from '../store-label.js'

/** Checkpoints per transaction unless --batch-size says otherwise (see docs/deployment.md for figures). */
const DEFAULT_BATCH_SIZE = 5_000
const MAX_BATCH_SIZE = 100_000

interface CopyFlags {
  readonly from: string
  readonly to: string
  readonly batchSize: number
  readonly full: boolean
}

/**
 * `waymark copy --from URL --to URL`: copies everything of one store into another, between any engines.
 * On a terminal a progress bar on stderr; otherwise one plain line per kind on stdout. Restartable: run
 * the same command again after an interruption and it continues (see storage/copy-store.ts).
 */
export function copyCommand(): Command {
  const command: Command = new Command('copy')
    .description('copy everything of one store into another (any engines); run it again to resume')
    .requiredOption('--from <url>', 'the store to read (e.g. sqlite:./data/waymark.sqlite)')
    .requiredOption('--to <url>', 'the store to write (e.g. postgres://user@host:5432/db), migrated if needed')
    .option('--batch-size <n>', `checkpoints (and snapshots, restore jobs) per transaction, 1 to ${MAX_BATCH_SIZE}`, batchSize, DEFAULT_BATCH_SIZE)
    .option('--full', 'copy every checkpoint again instead of resuming after those the target has', false)
    .action(async (flags: CopyFlags) => {
      const { storeLocation } = await import('../../storage/store-location.js')
      const here = storeLocation(flags.from)
      if (here !== undefined && here === storeLocation(flags.to)) {
        command.error(`error: --from and --to name the same store (${storeLabel(flags.from)})`, {
          exitCode: 2,
          code: 'waymark.sameStore',
        })
      }
      await copy(flags)
    })
  return command
}

async function copy(flags: CopyFlags): Promise<void> {
  const out = process.stdout
  const started = performance.now()
  const [{ copyCheckpoints, copyRecords }, { copyLegacyBackup }, { createProgress }] = await Promise.all([
    import('../../storage/copy-store.js'),
    import('../../storage/copy-legacy-backup.js'),
    import('../progress.js'),
  ])
  // The source is only read: never created (a mistyped --from would copy an empty store).
  const source = flagStore(flags.from, '--from')
  const target = flagStore(flags.to, '--to')
  const from = await openCliStore(source, { mustExist: true, command: 'copy' })
  let to: Store | undefined
  try {
    to = await openCliStore(target, { mustExist: false, command: 'copy' })
    out.write(`copying ${storeLabel(flags.from)} to ${storeLabel(flags.to)}\n`)

    const { copied, clusters } = await copyRecords(from, to, Math.floor(Date.now() / 1000))
    const lines: Array<[string, number]> = [
      ['organizations', copied.organizations],
      ['projects', copied.projects],
      ['clusters', copied.clusters],
      ['API keys', copied.apiKeys],
      ['service accounts', copied.serviceAccounts],
      ['secrets', copied.secrets],
      ['revoked tokens', copied.revokedTokens],
    ]
    for (const [kind, count] of lines) out.write(`${kind}: ${count}\n`)
    const legacy = await copyLegacyBackup(from, to, clusters, flags.batchSize)
    out.write(`snapshot schedules: ${legacy.snapshotSchedules}\nsnapshots: ${legacy.snapshots}\nrestore jobs: ${legacy.restoreJobs}\n`)

    const phase = performance.now()
    // The bar goes to stderr on a terminal; without one, the progress module writes just the final line,
    // which belongs with the others on stdout. It starts once the total is counted.
    const stream = process.stderr.isTTY ? process.stderr : out
    let progress: Progress | undefined
    let reached = 0
    const result = await copyCheckpoints(from, to, clusters, {
      batchSize: flags.batchSize,
      full: flags.full,
      onProgress: (done, total) => {
        progress ??= createProgress('checkpoints', total, stream)
        progress.update(done, total)
        reached = done
      },
    }).catch((error: unknown) => {
      // Close the bar (and give the terminal its cursor back) before the error is reported.
      progress?.finish(`checkpoints: stopped at ${reached}; run the same command again to continue`)
      throw error
    })
    progress ??= createProgress('checkpoints', result.total, stream)
    const elapsed = (performance.now() - phase) / 1000
    const rate = elapsed > 0 ? Math.round(result.copied / elapsed) : 0
    const details = [
      `${result.copied} copied`,
      `${result.alreadyThere} already there`,
      `${clusters.length} clusters`,
      ...(result.resumedClusters > 0 ? [`${result.resumedClusters} resumed`] : []),
      ...(result.recopiedClusters > 0 ? [`${result.recopiedClusters} copied again (the target's did not match)`] : []),
    ]
    progress.finish(`checkpoints: ${result.total} (${details.join(', ')}) in ${elapsed.toFixed(1)} s, ${rate}/s`)
    out.write(`copied everything in ${seconds(started)} s\n`)
  } catch (error) {
    if (error instanceof CliError) throw error
    // A store failed midway: the error does not say which, so both are named.
    const { explainStoreFailure } = await import('../../storage/store-failure.js')
    const failure = explainStoreFailure(error)
    if (failure === undefined) throw error
    const reason = failure.reason.replaceAll(flags.from, storeLabel(flags.from)).replaceAll(flags.to, storeLabel(flags.to))
    throw new CliError(`copying ${storeLabel(flags.from)} to ${storeLabel(flags.to)} failed: ${reason}; check ${failure.check}. Run the same command again to continue.`)
  } finally {
    await to?.close()
    await from.close()
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}

function batchSize(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_BATCH_SIZE) {
    throw new InvalidArgumentError(`must be an integer from 1 to ${MAX_BATCH_SIZE}`)
  }
  return n
}
