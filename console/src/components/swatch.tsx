import { useLayoutEffect, useRef } from 'preact/hooks'
import type { StateStyle } from '../states.js'
import { drawMark, fillOf } from '../timeline/marks.js'

/** A state's look in small: its bar pattern and its mark, as on the timeline (decorative: its label is beside it). */
export function Swatch({ style, small = false }: { style: StateStyle; small?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const width = small ? 14 : 34
  useLayoutEffect(() => {
    const element = canvas.current
    const ctx = element?.getContext('2d')
    if (!element || !ctx) return
    const ratio = window.devicePixelRatio || 1
    element.width = width * ratio
    element.height = 16 * ratio
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    if (!small) {
      ctx.fillStyle = fillOf(ctx, style)
      ctx.fillRect(0, 2, 16, 12)
    }
    drawMark(ctx, style, width - 7, 8, 5)
  }, [style, small])
  return <canvas ref={canvas} class="swatch" aria-hidden="true" style={{ width: `${width}px`, height: '16px' }} />
}
