import cliProgress from 'cli-progress'

/** Where progress goes: a writable stream that may be a terminal (process.stderr in the CLI). */
export interface ProgressStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean
}

export interface Progress {
  /** Sets how much is done, out of the total (the total may grow, e.g. once it is counted). */
  update(done: number, total?: number): void
  /** Ends the bar and writes one plain line, on a terminal or not. */
  finish(summary: string): void
}

/**
 * Progress of a long CLI job (`waymark copy`, `waymark generate`). On a terminal, a redrawn bar (the
 * cli-progress library) with the label, count, rate and ETA; otherwise nothing until `finish`, which
 * writes its summary line, so logs and CI output stay plain.
 */
export function createProgress(label: string, total: number, stream: ProgressStream): Progress {
  if (!stream.isTTY) {
    return { update: () => {}, finish: (summary) => void stream.write(`${summary}\n`) }
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  )
  const startedAt = Date.now()
  bar.start(total, 0, { rate: 0 })
  return {
    update: (done, newTotal) => {
      if (newTotal !== undefined) bar.setTotal(newTotal)
      const seconds = (Date.now() - startedAt) / 1000
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 })
    },
    finish: (summary) => {
      bar.stop()
      stream.write(`${summary}\n`)
    },
  }
}
