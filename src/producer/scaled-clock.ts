/**
 * A clock that runs `scale` times faster than `realNow` from the moment it is made: with scale 60, a
 * 15-minute checkpoint schedule comes round every 15 seconds. Epoch milliseconds; scale 1 is `realNow`.
 */
export function scaledClock(scale: number, realNow: () => number = Date.now): () => number {
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`Invalid time scale ${scale}`)
  if (scale === 1) return realNow
  const anchor = realNow()
  return () => anchor + (realNow() - anchor) * scale
}
