import type { Bucket, CheckpointState, Timeline } from '../api-types.js'
import { dateTime, duration } from '../format.js'
import { STATE_STYLES, STYLE_OF } from '../states.js'
import { drawMark, fillOf } from './marks.js'
import { TimeScale } from './scale.js'

/** The timeline's picture on a canvas: one lane per state, the window shaded, gaps, the server's clock, the axis. */

export const LABEL_WIDTH = 168
const TOP = 24
const LANE = 30
const GAP_ROW = 16
const AXIS = 30
export const HEIGHT = TOP + LANE * STATE_STYLES.length + GAP_ROW + AXIS

export interface View {
  readonly from: number
  readonly to: number
}

/** What is under the pointer: a checkpoint (when they are drawn), or a bucket. */
export type Hit =
  | { readonly kind: 'checkpoint'; readonly id: string; readonly state: CheckpointState; readonly timestamp: string; readonly x: number; readonly y: number }
  | { readonly kind: 'bucket'; readonly bucket: Bucket; readonly x0: number; readonly x1: number; readonly seconds: number }

export interface Drawn {
  readonly hits: readonly Hit[]
  readonly scale: TimeScale
  /** Gaps drawn: ranges without checkpoints longer than the threshold. */
  readonly gaps: ReadonlyArray<{ readonly from: number; readonly to: number }>
}

const laneY = (i: number) => TOP + i * LANE

/**
 * Draws `data` (which may be for another range than `view` while the next answer comes: it is placed by
 * its own times) at the canvas's CSS `width`. `gapMs` is the shortest empty span shown as a gap; the
 * checkpoint `selectedId` (open in the detail) is ringed.
 */
export function drawTimeline(ctx: CanvasRenderingContext2D, width: number, view: View, data: Timeline | undefined, gapMs: number, selectedId?: string): Drawn {
  const scale = new TimeScale(view.from, view.to, LABEL_WIDTH, width - 12)
  ctx.clearRect(0, 0, width, HEIGHT)
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, width, HEIGHT)
  ctx.font = '12px system-ui, sans-serif'
  ctx.textBaseline = 'middle'

  // Lanes, each named, with its mark.
  STATE_STYLES.forEach((style, i) => {
    ctx.fillStyle = i % 2 === 0 ? '#f6f7f9' : '#ffffff'
    ctx.fillRect(0, laneY(i), width, LANE)
    drawMark(ctx, style, 14, laneY(i) + LANE / 2, 5)
    ctx.fillStyle = '#1f2933'
    ctx.fillText(style.label, 26, laneY(i) + LANE / 2)
  })
  const plotTop = TOP
  const plotBottom = TOP + LANE * STATE_STYLES.length
  ctx.save()
  ctx.beginPath()
  ctx.rect(scale.x0, 0, scale.x1 - scale.x0, HEIGHT)
  ctx.clip()

  const hits: Hit[] = []
  const gaps: Array<{ from: number; to: number }> = []
  if (data !== undefined) {
    // The point-in-time window.
    const w0 = Math.max(scale.x0, scale.x(Date.parse(data.window.start)))
    const w1 = Math.min(scale.x1, scale.x(Date.parse(data.window.end)))
    const now = Date.parse(data.now)
    const xNow = scale.x(now)
    const clockLabel = `server clock ${dateTime(now).slice(11, 16)}`
    const clockLabelX = Math.min(xNow + 4, scale.x1 - ctx.measureText(clockLabel).width - 2)
    if (w1 > w0) {
      ctx.fillStyle = 'rgba(27, 127, 75, 0.10)'
      ctx.fillRect(w0, plotTop, w1 - w0, plotBottom - plotTop)
      ctx.strokeStyle = '#1b7f4b'
      ctx.setLineDash([4, 3])
      ctx.strokeRect(w0, plotTop, w1 - w0, plotBottom - plotTop)
      ctx.setLineDash([])
      ctx.fillStyle = '#1b7f4b'
      // Named at its start, as long as the clock's label leaves room.
      for (const label of [`point-in-time window (${data.window.hours} h)`, 'window']) {
        const end = w0 + 4 + ctx.measureText(label).width
        if (xNow < scale.x0 || xNow > scale.x1 || end < clockLabelX - 8 || w0 + 4 > clockLabelX + ctx.measureText(clockLabel).width + 8) {
          ctx.fillText(label, w0 + 4, 8)
          break
        }
      }
    }

    if (data.checkpoints !== null) {
      const lanes = new Map(STATE_STYLES.map((s, i) => [s.state, i]))
      for (const c of data.checkpoints) {
        const x = scale.x(Date.parse(c.timestamp))
        const y = laneY(lanes.get(c.state) ?? 0) + LANE / 2
        drawMark(ctx, STYLE_OF[c.state], x, y, 6)
        if (c.id === selectedId) {
          // The open checkpoint: a thick ring, and a line down to the axis.
          ctx.strokeStyle = '#1d4ed8'
          ctx.lineWidth = 2.5
          ctx.beginPath()
          ctx.arc(x, y, 10, 0, 2 * Math.PI)
          ctx.moveTo(x, y + 10)
          ctx.lineTo(x, plotBottom + GAP_ROW)
          ctx.stroke()
          ctx.lineWidth = 1
        }
        hits.push({ kind: 'checkpoint', id: c.id, state: c.state, timestamp: c.timestamp, x, y })
      }
      findGaps(data.checkpoints.map((c) => Date.parse(c.timestamp)), 0, data, gapMs, gaps)
    } else {
      const bucketMs = data.bucketSeconds * 1000
      const max = Math.max(1, ...data.buckets.flatMap((b) => STATE_STYLES.map((s) => b[s.state])))
      for (const b of data.buckets) {
        const start = Date.parse(b.start)
        const x0 = scale.x(start)
        const x1 = Math.max(x0 + 1, scale.x(start + bucketMs) - (scale.x(start + bucketMs) - x0 > 3 ? 1 : 0))
        STATE_STYLES.forEach((style, i) => {
          const n = b[style.state]
          if (n === 0) return
          const h = Math.max(4, (LANE - 6) * Math.sqrt(n / max))
          ctx.fillStyle = fillOf(ctx, style)
          ctx.fillRect(x0, laneY(i) + LANE - 3 - h, x1 - x0, h)
          ctx.fillStyle = style.color
          ctx.fillRect(x0, laneY(i) + LANE - 3 - h, x1 - x0, 1.5)
        })
        hits.push({ kind: 'bucket', bucket: b, x0, x1, seconds: data.bucketSeconds })
      }
      findGaps(data.buckets.map((b) => Date.parse(b.start)), bucketMs, data, Math.max(gapMs, 2 * bucketMs), gaps)
    }

    // Gaps: stretches without checkpoints, hatched in the row under the lanes.
    for (const gap of gaps) {
      const x0 = Math.max(scale.x0, scale.x(gap.from))
      const x1 = Math.min(scale.x1, scale.x(gap.to))
      if (x1 - x0 < 2) continue
      ctx.fillStyle = '#fde8e8'
      ctx.fillRect(x0, plotBottom + 2, x1 - x0, GAP_ROW - 4)
      ctx.strokeStyle = '#b42318'
      ctx.beginPath()
      for (let x = x0 - (x0 % 6); x < x1; x += 6) {
        ctx.moveTo(Math.max(x0, x), plotBottom + GAP_ROW - 2)
        ctx.lineTo(Math.min(x1, x + 6), plotBottom + 2)
      }
      ctx.stroke()
      if (x1 - x0 > 90) {
        const label = `gap ${duration(gap.to - gap.from)}`
        ctx.fillStyle = '#ffffff'
        ctx.fillRect(x0, plotBottom + 1, ctx.measureText(label).width + 10, GAP_ROW - 2)
        ctx.fillStyle = '#7a1a12'
        ctx.fillText(label, x0 + 5, plotBottom + GAP_ROW / 2)
      }
    }

    // The server's clock.
    if (xNow >= scale.x0 && xNow <= scale.x1) {
      ctx.strokeStyle = '#111827'
      ctx.lineWidth = 2
      ctx.beginPath()
      ctx.moveTo(xNow, 14)
      ctx.lineTo(xNow, plotBottom + GAP_ROW)
      ctx.stroke()
      ctx.lineWidth = 1
      ctx.fillStyle = '#111827'
      ctx.fillText(clockLabel, clockLabelX, 8)
    }
  }
  ctx.restore()

  // The axis.
  ctx.fillStyle = '#1f2933'
  ctx.strokeStyle = '#9aa5b1'
  const axisY = plotBottom + GAP_ROW
  ctx.beginPath()
  ctx.moveTo(scale.x0, axisY)
  ctx.lineTo(scale.x1, axisY)
  ctx.stroke()
  ctx.textAlign = 'center'
  for (const tick of scale.ticks()) {
    const x = scale.x(tick.t)
    ctx.strokeStyle = tick.major ? '#52606d' : '#cbd2d9'
    ctx.beginPath()
    ctx.moveTo(x, plotTop)
    ctx.lineTo(x, axisY + 5)
    ctx.stroke()
    ctx.font = tick.major ? 'bold 12px system-ui, sans-serif' : '12px system-ui, sans-serif'
    ctx.fillText(tick.label, x, axisY + 16)
  }
  ctx.textAlign = 'start'
  ctx.font = '12px system-ui, sans-serif'
  return { hits, scale, gaps }
}

/**
 * Gaps between consecutive occupied times (marks, or bucket starts each lasting `lengthMs`), and after
 * the newest up to the clock, longer than `minMs`.
 */
function findGaps(times: readonly number[], lengthMs: number, data: Timeline, minMs: number, into: Array<{ from: number; to: number }>): void {
  for (let i = 1; i < times.length; i++) {
    const from = (times[i - 1] ?? 0) + lengthMs
    const to = times[i] ?? 0
    if (to - from >= minMs) into.push({ from, to })
  }
  const newest = data.cluster.newest === null ? undefined : Date.parse(data.cluster.newest)
  const now = Date.parse(data.now)
  const last = times.length > 0 ? (times[times.length - 1] ?? 0) + lengthMs : undefined
  if (newest !== undefined && last !== undefined && last >= newest && now - newest >= minMs) into.push({ from: Math.max(newest, last), to: now })
}

/** What is at (x, y): the nearest checkpoint within 9 pixels, or the bucket under x. */
export function hitAt(drawn: Drawn, x: number, y: number): Hit | undefined {
  let best: Hit | undefined
  let bestDistance = 81
  for (const hit of drawn.hits) {
    if (hit.kind === 'checkpoint') {
      const d = (hit.x - x) ** 2 + (hit.y - y) ** 2
      if (d < bestDistance) {
        best = hit
        bestDistance = d
      }
    } else if (x >= hit.x0 - 1 && x <= hit.x1 + 1) return hit
  }
  return best
}
