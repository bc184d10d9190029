/** How many consecutive nc values, ending with the highest seen, an {@link NcWindow} remembers. */
export const NC_WINDOW = 256

/** The largest nonce count: `nc` is 8 hex digits. */
export const MAX_NC = 0xffffffff

const WORDS = NC_WINDOW / 32

/**
 * The nonce counts already used with one nonce: a sliding anti-replay window, as in IPsec (RFC 4303
 * section 3.4.3). Each value 1..MAX_NC is accepted once, in any order, as long as it is less than
 * {@link NC_WINDOW} behind the highest value accepted so far; older values are refused, since the
 * window no longer knows whether they were used.
 *
 * Memory is fixed: the highest value plus a 256-bit ring of flags, allocated only when a second value
 * arrives (most clients use a nonce once).
 */
export class NcWindow {
  #highest = 0
  #bits: Uint32Array | undefined

  /** Records `nc` and answers true if it is valid and not used before; false otherwise. */
  accept(nc: number): boolean {
    if (!Number.isInteger(nc) || nc < 1 || nc > MAX_NC) return false
    const highest = this.#highest
    if (highest === 0) {
      this.#highest = nc
      return true
    }
    const bits = this.#bits ?? this.#allocate(highest)
    if (nc > highest) {
      if (nc - highest >= NC_WINDOW) {
        bits.fill(0)
      } else {
        for (let v = highest + 1; v < nc; v++) clear(bits, v)
      }
      set(bits, nc)
      this.#highest = nc
      return true
    }
    if (highest - nc >= NC_WINDOW || isSet(bits, nc)) return false
    set(bits, nc)
    return true
  }

  #allocate(highest: number): Uint32Array {
    const bits = new Uint32Array(WORDS)
    set(bits, highest)
    this.#bits = bits
    return bits
  }
}

function isSet(bits: Uint32Array, value: number): boolean {
  const slot = value % NC_WINDOW
  return ((bits[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0
}

function set(bits: Uint32Array, value: number): void {
  const slot = value % NC_WINDOW
  bits[slot >>> 5] = (bits[slot >>> 5] ?? 0) | (1 << (slot & 31))
}

function clear(bits: Uint32Array, value: number): void {
  const slot = value % NC_WINDOW
  bits[slot >>> 5] = (bits[slot >>> 5] ?? 0) & ~(1 << (slot & 31))
}
