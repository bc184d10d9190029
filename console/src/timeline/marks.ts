import type { StateStyle } from '../states.js'

/** The shapes and fill patterns of the states (states.ts), drawn on a canvas: marks, bars and the legend's swatches. */

const patterns = new Map<string, CanvasPattern | string>()

/** A bar's fill: the state's colour in its pattern (a tile of 8 × 8 pixels), solid for restorable. */
export function fillOf(ctx: CanvasRenderingContext2D, style: StateStyle): CanvasPattern | string {
  const cached = patterns.get(style.state)
  if (cached !== undefined) return cached
  if (style.pattern === 'solid') return style.color
  const tile = document.createElement('canvas')
  tile.width = 8
  tile.height = 8
  const t = tile.getContext('2d')
  if (t === null) return style.color
  t.fillStyle = `${style.color}33`
  t.fillRect(0, 0, 8, 8)
  t.strokeStyle = style.color
  t.fillStyle = style.color
  t.lineWidth = 1.6
  t.beginPath()
  switch (style.pattern) {
    case 'dots':
      t.arc(2, 2, 1.6, 0, 2 * Math.PI)
      t.arc(6, 6, 1.6, 0, 2 * Math.PI)
      t.fill()
      break
    case 'diagonal':
      t.moveTo(-2, 10)
      t.lineTo(10, -2)
      t.moveTo(-2, 2)
      t.lineTo(2, -2)
      t.moveTo(6, 10)
      t.lineTo(10, 6)
      t.stroke()
      break
    case 'crosshatch':
      t.moveTo(0, 0)
      t.lineTo(8, 8)
      t.moveTo(8, 0)
      t.lineTo(0, 8)
      t.stroke()
      break
    case 'horizontal':
      t.moveTo(0, 2)
      t.lineTo(8, 2)
      t.moveTo(0, 6)
      t.lineTo(8, 6)
      t.stroke()
      break
  }
  const pattern = ctx.createPattern(tile, 'repeat') ?? style.color
  patterns.set(style.state, pattern)
  return pattern
}

/** A checkpoint's mark: the state's shape, centred at (x, y), of radius r. */
export function drawMark(ctx: CanvasRenderingContext2D, style: StateStyle, x: number, y: number, r: number): void {
  ctx.save()
  ctx.fillStyle = style.color
  ctx.strokeStyle = style.color
  ctx.lineWidth = 2
  ctx.beginPath()
  switch (style.shape) {
    case 'disc':
      ctx.arc(x, y, r, 0, 2 * Math.PI)
      ctx.fill()
      break
    case 'ring':
      ctx.arc(x, y, r - 1, 0, 2 * Math.PI)
      ctx.stroke()
      break
    case 'triangle':
      ctx.moveTo(x, y - r)
      ctx.lineTo(x + r, y + r * 0.8)
      ctx.lineTo(x - r, y + r * 0.8)
      ctx.closePath()
      ctx.fill()
      break
    case 'square':
      ctx.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6)
      ctx.stroke()
      ctx.beginPath()
      ctx.moveTo(x - r * 0.8, y + r * 0.8)
      ctx.lineTo(x + r * 0.8, y - r * 0.8)
      ctx.stroke()
      break
    case 'cross':
      ctx.lineWidth = 2.4
      ctx.moveTo(x - r, y - r)
      ctx.lineTo(x + r, y + r)
      ctx.moveTo(x + r, y - r)
      ctx.lineTo(x - r, y + r)
      ctx.stroke()
      break
  }
  ctx.restore()
}
