/**
 * The time axis: a linear scale from a range of epoch milliseconds to pixels, and its ticks, chosen from a
 * ladder of round UTC steps (a minute … fifty years) so that labels stay about `spacing` pixels apart.
 * Hand-written: the one thing a time-axis library would add here is this table.
 */

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

type Step = { readonly ms: number; readonly months?: number; readonly label: (t: number) => string }

const pad = (n: number) => String(n).padStart(2, '0')
const hm = (t: number) => {
  const d = new Date(t)
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
const md = (t: number) => {
  const d = new Date(t)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}
const ym = (t: number) => {
  const d = new Date(t)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`
}
const y = (t: number) => String(new Date(t).getUTCFullYear())

const STEPS: readonly Step[] = [
  { ms: M, label: hm },
  { ms: 5 * M, label: hm },
  { ms: 15 * M, label: hm },
  { ms: 30 * M, label: hm },
  { ms: H, label: hm },
  { ms: 3 * H, label: hm },
  { ms: 6 * H, label: hm },
  { ms: 12 * H, label: hm },
  { ms: D, label: md },
  { ms: 2 * D, label: md },
  { ms: 7 * D, label: md },
  { ms: 30 * D, months: 1, label: ym },
  { ms: 91 * D, months: 3, label: ym },
  { ms: 182 * D, months: 6, label: ym },
  { ms: 365 * D, months: 12, label: y },
  { ms: 2 * 365 * D, months: 24, label: y },
  { ms: 5 * 365 * D, months: 60, label: y },
  { ms: 10 * 365 * D, months: 120, label: y },
  { ms: 20 * 365 * D, months: 240, label: y },
  { ms: 50 * 365 * D, months: 600, label: y },
]

export interface Tick {
  readonly t: number
  readonly label: string
  /** A day (or, for steps of months, a year) starts here: the label carries the date. */
  readonly major: boolean
}

export class TimeScale {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly x0: number,
    readonly x1: number,
  ) {}

  x(t: number): number {
    return this.x0 + ((t - this.from) / (this.to - this.from)) * (this.x1 - this.x0)
  }

  t(x: number): number {
    return this.from + ((x - this.x0) / (this.x1 - this.x0)) * (this.to - this.from)
  }

  ticks(spacing = 110): Tick[] {
    const wanted = Math.max(2, (this.x1 - this.x0) / spacing)
    const span = this.to - this.from
    const step = STEPS.find((s) => span / s.ms <= wanted) ?? STEPS[STEPS.length - 1]
    if (step === undefined) return []
    const ticks: Tick[] = []
    if (step.months !== undefined) {
      const start = new Date(this.from)
      let year = start.getUTCFullYear()
      let month = Math.floor(start.getUTCMonth() / Math.min(step.months, 12)) * Math.min(step.months, 12)
      if (step.months > 12) year = Math.floor(year / (step.months / 12)) * (step.months / 12)
      for (let i = 0; i < 500; i++) {
        const t = Date.UTC(year, month)
        if (t > this.to) break
        if (t >= this.from) ticks.push({ t, label: step.label(t), major: month % 12 === 0 })
        month += step.months
        year += Math.floor(month / 12)
        month %= 12
      }
      return ticks
    }
    for (let t = Math.ceil(this.from / step.ms) * step.ms; t <= this.to && ticks.length < 500; t += step.ms) {
      const major = t % D === 0
      ticks.push({ t, label: step.ms < D && major ? md(t) : step.label(t), major })
    }
    return ticks
  }
}
