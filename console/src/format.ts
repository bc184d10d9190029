/** Dates and durations as the console writes them: UTC always, as the APIs do. */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** `2026-12-01 12:00:03` (UTC). */
export function dateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/** A span as a person says it: `45 s`, `12 min`, `3 h 20 min`, `4 d 2 h`, `2.5 years`. */
export function duration(ms: number): string {
  const abs = Math.abs(ms)
  if (abs < MINUTE - 500) return `${Math.round(abs / 1000)} s`
  if (abs < HOUR - 30_000) return `${Math.round(abs / MINUTE)} min`
  // Rounded to the smaller unit first, so that 5 h 59.6 min reads 6 h, never 5 h 60 min.
  if (abs < DAY - 30_000) {
    const minutes = Math.round(abs / MINUTE)
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    return m === 0 ? `${h} h` : `${h} h ${m} min`
  }
  if (abs < 60 * DAY) {
    const hours = Math.round(abs / HOUR)
    const d = Math.floor(hours / 24)
    const h = hours % 24
    return h === 0 ? `${d} d` : `${d} d ${h} h`
  }
  if (abs < 730 * DAY) return `${Math.round(abs / (30.44 * DAY))} months`
  return `${(abs / (365.25 * DAY)).toFixed(1)} years`
}

/** `12 min ago` (or `in 3 min` for a time after the clock), from the server's clock. */
export function age(at: string | null, nowMs: number): string {
  if (at === null) return 'none'
  const ms = nowMs - Date.parse(at)
  return ms >= 0 ? `${duration(ms)} ago` : `in ${duration(ms)}`
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

export function schedule(minutes: number | null): string {
  return minutes === null ? 'off' : `every ${minutes} min`
}

/** Why a cluster makes no checkpoints (the producer's rules, docs/producer.md), or undefined when it makes them. */
export function whyNoCheckpoints(c: { type: string; backup: string; featureCompatibilityVersion: string; checkpointIntervalMinutes: number | null }): string | undefined {
  if (c.type !== 'SHARDED') return 'a replica set: checkpoints are for sharded clusters'
  if (c.backup !== 'LEGACY') return `backup is ${c.backup}: checkpoints need legacy continuous backup`
  const [major = 0, minor = 0] = c.featureCompatibilityVersion.split('.').map(Number)
  if (major > 4 || (major === 4 && minor > 0)) return `FCV ${c.featureCompatibilityVersion}: checkpoints end at 4.0`
  if (c.checkpointIntervalMinutes === null) return 'no checkpoint schedule'
  return undefined
}
