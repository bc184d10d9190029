import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Api } from '../api.js'
import type { Cluster, Timeline as TimelineData } from '../api-types.js'
import { dateTime, duration, plural } from '../format.js'
import { usePoll } from '../poll.js'
import { href } from '../route.js'
import { STATE_STYLES, STYLE_OF } from '../states.js'
import { drawTimeline, HEIGHT, hitAt, LABEL_WIDTH, type Drawn, type Hit, type View } from '../timeline/draw.js'
import { Swatch } from './swatch.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const YEAR = 365.25 * DAY
/** Zoom limits: from five minutes to two centuries, within the years checkpoint ids can date. */
const MIN_SPAN = 5 * MINUTE
const MAX_SPAN = 200 * YEAR
const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(2200, 0, 1)
/** Checkpoints drawn one by one at most; more, and the server answers in buckets. */
const MAX_MARKS = 500
/** How often the timeline asks again while the producer runs. */
const POLL_MS = 2000

interface ViewState extends View {
  /** The right edge follows the server's clock (the view was set to include now). */
  readonly follow: boolean
}

function clampView(from: number, to: number, follow: boolean): ViewState {
  let span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, to - from))
  const mid = (from + to) / 2
  let f = mid - span / 2
  if (f < EARLIEST) f = EARLIEST
  if (f + span > LATEST) f = LATEST - span
  span = Math.min(span, LATEST - EARLIEST)
  return { from: Math.round(f), to: Math.round(f + span), follow }
}

export interface TimelineProps {
  readonly api: Api
  readonly cluster: Cluster
  /** The server's clock now (ms), for the "last hour" and similar views. */
  readonly nowMs: number
  readonly selectedId?: string | undefined
}

/**
 * A cluster's timeline (docs/console.md): zoom from minutes to years and pan with the pointer, the wheel
 * or the keyboard; the server counts each view's buckets by index (`…/timeline`), and sends the checkpoints
 * themselves once at most 500 are in view. Asked again every two seconds, so it moves with the producer.
 */
export function Timeline({ api, cluster, nowMs, selectedId }: TimelineProps) {
  const [view, setView] = useState<ViewState | undefined>(undefined)
  // The view the server is asked about: the last one held still for a moment.
  const [asked, setAsked] = useState<ViewState | undefined>(undefined)
  const [width, setWidth] = useState(900)
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | undefined>(undefined)
  const wrapper = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const drawn = useRef<Drawn | undefined>(undefined)
  const drag = useRef<{ x: number; view: ViewState; moved: boolean } | undefined>(undefined)

  useEffect(() => {
    const t = setTimeout(() => setAsked(view), view === asked ? 0 : 120)
    return () => clearTimeout(t)
  }, [view?.from, view?.to])

  const buckets = Math.max(20, Math.min(1000, Math.floor((width - LABEL_WIDTH) / 3)))
  const base = `/groups/${cluster.groupId}/clusters/${cluster.id}/timeline`
  const polled = usePoll<TimelineData>(
    () => {
      const range = asked ? `from=${iso(asked.from)}&to=${iso(asked.to)}&` : ''
      return api.get<TimelineData>(`${base}?${range}buckets=${buckets}&maxCheckpoints=${MAX_MARKS}`)
    },
    [base, asked?.from, asked?.to, buckets],
    POLL_MS,
  )
  const data = polled.data

  // The first answer (the whole history) sets the view; later ones follow the clock when asked to.
  useEffect(() => {
    if (data === undefined) return
    const now = Date.parse(data.now)
    if (view === undefined) {
      const from = Date.parse(data.from)
      const to = Math.max(Date.parse(data.to), now)
      const pad = Math.max(MINUTE, (to - from) * 0.03)
      const first = clampView(from - pad, to + pad, true)
      setView(first)
      setAsked(first)
    } else if (view.follow) {
      const span = view.to - view.from
      if (now > view.to - span * 0.03) setView(clampView(now + span * 0.03 - span, now + span * 0.03, true))
    }
  }, [data])

  useLayoutEffect(() => {
    const element = wrapper.current
    if (element === null) return
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(480, Math.floor(entry?.contentRect.width ?? 900))))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  // Draw: at once on every view change (the last answer, placed by its own times), again on each answer.
  useLayoutEffect(() => {
    const element = canvas.current
    const ctx = element?.getContext('2d')
    if (!element || !ctx || view === undefined) return
    const ratio = window.devicePixelRatio || 1
    element.width = Math.round(width * ratio)
    element.height = Math.round(HEIGHT * ratio)
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    const gapMs = 2 * (cluster.checkpointIntervalMinutes ?? 60) * MINUTE + MINUTE
    drawn.current = drawTimeline(ctx, width, view, data, gapMs, selectedId)
    if (data !== undefined && asked !== undefined && data.from === iso(asked.from)) {
      performance.mark('waymark:timeline-drawn', { detail: { total: data.counts.total, checkpoints: data.checkpoints !== null } })
    }
  }, [view, data, width, cluster.checkpointIntervalMinutes, selectedId])

  const zoomAround = (factor: number, at?: number) => {
    if (view === undefined) return
    const center = at ?? (view.from + view.to) / 2
    const from = center - (center - view.from) * factor
    const to = center + (view.to - center) * factor
    setView(clampView(from, to, view.follow && factor >= 1))
  }
  const pan = (fraction: number) => {
    if (view === undefined) return
    const by = (view.to - view.from) * fraction
    setView(clampView(view.from + by, view.to + by, false))
  }
  const show = (from: number, to: number) => setView(clampView(from, to, to >= nowMs))
  const fitAll = () => {
    if (data === undefined) return
    const from = data.cluster.oldest === null ? nowMs - DAY : Date.parse(data.cluster.oldest)
    const to = Math.max(nowMs, data.cluster.newest === null ? nowMs : Date.parse(data.cluster.newest))
    const pad = Math.max(MINUTE, (to - from) * 0.03)
    setView(clampView(from - pad, to + pad, true))
  }

  // The wheel zooms around the pointer (a listener that may prevent the page from scrolling).
  useEffect(() => {
    const element = canvas.current
    if (!element) return
    const onWheel = (event: WheelEvent) => {
      const d = drawn.current
      if (!d || view === undefined) return
      event.preventDefault()
      const x = event.offsetX
      zoomAround(Math.pow(1.0015, event.deltaY), x >= d.scale.x0 ? d.scale.t(x) : undefined)
    }
    element.addEventListener('wheel', onWheel, { passive: false })
    return () => element.removeEventListener('wheel', onWheel)
  })

  const onPointerDown = (event: PointerEvent) => {
    if (view === undefined) return
    drag.current = { x: event.offsetX, view, moved: false }
    ;(event.currentTarget as HTMLCanvasElement).setPointerCapture(event.pointerId)
  }
  const onPointerMove = (event: PointerEvent) => {
    const d = drawn.current
    const dragging = drag.current
    if (dragging && d) {
      const dx = event.offsetX - dragging.x
      if (Math.abs(dx) > 3) dragging.moved = true
      if (dragging.moved) {
        const by = (-dx / (d.scale.x1 - d.scale.x0)) * (dragging.view.to - dragging.view.from)
        setView(clampView(dragging.view.from + by, dragging.view.to + by, false))
      }
      return
    }
    const hit = d ? hitAt(d, event.offsetX, event.offsetY) : undefined
    setHover(hit ? { hit, x: event.offsetX, y: event.offsetY } : undefined)
  }
  const onPointerUp = (event: PointerEvent) => {
    const dragging = drag.current
    drag.current = undefined
    const d = drawn.current
    if (!dragging || dragging.moved || !d) return
    const hit = hitAt(d, event.offsetX, event.offsetY)
    if (hit?.kind === 'checkpoint') location.hash = href({ page: 'cluster', groupId: cluster.groupId, clusterId: cluster.id, checkpointId: hit.id })
    else if (hit?.kind === 'bucket') {
      const start = Date.parse(hit.bucket.start)
      const length = hit.seconds * 1000
      show(start - length, start + 2 * length)
    }
  }
  const onKeyDown = (event: KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      ArrowLeft: () => pan(-0.1),
      ArrowRight: () => pan(0.1),
      '+': () => zoomAround(0.5),
      '=': () => zoomAround(0.5),
      '-': () => zoomAround(2),
      Home: fitAll,
      '0': fitAll,
    }
    const action = actions[event.key]
    if (action) {
      event.preventDefault()
      action()
    }
  }

  const summary = useMemo(() => {
    if (data === undefined) return 'Loading the timeline…'
    const parts = STATE_STYLES.filter((s) => data.counts[s.state] > 0).map((s) => `${data.counts[s.state]} ${s.label.toLowerCase()}`)
    return `Timeline of ${cluster.name} from ${dateTime(Date.parse(data.from))} to ${dateTime(Date.parse(data.to))} UTC: ${plural(data.counts.total, 'checkpoint')}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}.`
  }, [data, cluster.name])

  const span = view ? view.to - view.from : 0
  return (
    <section class="timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <div class="toolbar" role="toolbar" aria-label="Timeline view">
        <button type="button" onClick={() => pan(-0.25)} aria-label="Earlier">◀ Earlier</button>
        <button type="button" onClick={() => zoomAround(0.5)} aria-label="Zoom in">+ Zoom in</button>
        <button type="button" onClick={() => zoomAround(2)} aria-label="Zoom out">− Zoom out</button>
        <button type="button" onClick={() => pan(0.25)} aria-label="Later">Later ▶</button>
        <span class="separator" aria-hidden="true" />
        <button type="button" onClick={() => show(nowMs - HOUR, nowMs + 2 * MINUTE)}>Last hour</button>
        <button type="button" onClick={() => show(nowMs - DAY, nowMs + 30 * MINUTE)}>Last day</button>
        <button type="button" onClick={() => show(nowMs - 7 * DAY, nowMs + 3 * HOUR)}>Last week</button>
        <button type="button" onClick={() => show(nowMs - 30 * DAY, nowMs + 12 * HOUR)}>Last 30 days</button>
        <button type="button" onClick={() => show(nowMs - YEAR, nowMs + 5 * DAY)}>Last year</button>
        <button type="button" onClick={fitAll}>Everything</button>
      </div>
      <p class="range" aria-live="polite">
        {view ? `${dateTime(view.from)} – ${dateTime(view.to)} UTC (${duration(span)})` : 'Loading…'}
        {data ? (data.checkpoints !== null ? ' · each checkpoint' : ` · buckets of ${duration(data.bucketSeconds * 1000)}`) : ''}
      </p>
      <div
        class="timeline-canvas"
        ref={wrapper}
        tabIndex={0}
        role="group"
        aria-roledescription="timeline"
        aria-label={`${summary} Arrow keys pan, plus and minus zoom, Home shows everything.`}
        onKeyDown={onKeyDown}
      >
        <canvas
          ref={canvas}
          role="img"
          aria-label={summary}
          data-testid="timeline-canvas"
          style={{ width: `${width}px`, height: `${HEIGHT}px` }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHover(undefined)}
        />
        {hover && <Tooltip hover={hover} />}
      </div>
      <p class="hint">Drag or use ← → to pan; wheel or + − to zoom; click a bucket to zoom into it, a checkpoint to open it.</p>
      {polled.error !== undefined && <p class="error" role="alert">The timeline could not be read: {String((polled.error as Error).message ?? polled.error)}</p>}
      <Legend data={data} />
      {data?.checkpoints && <CheckpointTable data={data} cluster={cluster} selectedId={selectedId} />}
    </section>
  )
}

function Tooltip({ hover }: { hover: { hit: Hit; x: number; y: number } }) {
  const { hit } = hover
  const text =
    hit.kind === 'checkpoint'
      ? `${STYLE_OF[hit.state].label}: ${hit.timestamp}`
      : `${dateTime(Date.parse(hit.bucket.start))} + ${duration(hit.seconds * 1000)}: ${STATE_STYLES.filter((s) => hit.bucket[s.state] > 0)
          .map((s) => `${hit.bucket[s.state]} ${s.label.toLowerCase()}`)
          .join(', ')}`
  return (
    <div class="tooltip" aria-hidden="true" style={{ left: `${Math.min(hover.x + 12, 700)}px`, top: `${hover.y + 12}px` }}>
      {text}
    </div>
  )
}

function Legend({ data }: { data: TimelineData | undefined }) {
  return (
    <ul class="legend" aria-label="Checkpoints in view, by state">
      {STATE_STYLES.map((style) => (
        <li key={style.state} title={style.meaning}>
          <Swatch style={style} />
          <span class="legend-label">{style.label}</span>
          <strong data-testid={`count-${style.state}`}>{data ? data.counts[style.state].toLocaleString('en-US') : '…'}</strong>
        </li>
      ))}
      <li>
        <span class="legend-label">In view</span>
        <strong data-testid="count-total">{data ? data.counts.total.toLocaleString('en-US') : '…'}</strong>
      </li>
    </ul>
  )
}

function CheckpointTable({ data, cluster, selectedId }: { data: TimelineData; cluster: Cluster; selectedId: string | undefined }) {
  const rows = data.checkpoints ?? []
  return (
    <div class="checkpoint-list" tabIndex={0} role="region" aria-label="Checkpoints in view">
      <table>
        <caption>{plural(rows.length, 'checkpoint')} in view, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Timestamp (UTC)</th>
            <th scope="col">State</th>
            <th scope="col">Id</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-state={c.state} aria-current={c.id === selectedId ? 'true' : undefined}>
              <td>{c.timestamp.replace('T', ' ').replace('Z', '')}</td>
              <td>
                <Swatch style={STYLE_OF[c.state]} small /> {STYLE_OF[c.state].label}
              </td>
              <td>
                <a href={href({ page: 'cluster', groupId: cluster.groupId, clusterId: cluster.id, checkpointId: c.id })}>{c.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
