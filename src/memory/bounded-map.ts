/**
 * What the caches and memos of the request path are built on: every one is bounded in entries and in
 * bytes, so that nothing a client sends can multiply what the server keeps (docs/security.md).
 * Hand-written: a Map with two counters; the LRU caches on npm (lru-cache) would do, but each hit would
 * then move an entry, on the hottest path of every request, where starting over when full is enough.
 */

/** The bounds of a {@link BoundedMap}. */
export interface Bounds {
  /** Entries kept at most. */
  readonly maxEntries: number
  /** Bytes kept at most, as {@link approximateBytes} counts them (keys included). */
  readonly maxBytes: number
}

/**
 * A Map that starts over (forgets everything) when an entry would take it past either bound. An entry
 * larger than a quarter of `maxBytes` is not kept at all, so that one huge value cannot empty the map on
 * every use. The size of each value is given by the caller (`set`), or estimated.
 */
export class BoundedMap<K extends string, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly bytes: number }>()
  #bytes = 0

  constructor(readonly bounds: Bounds) {}

  get size(): number {
    return this.#entries.size
  }

  /** The bytes counted for what is kept. */
  get bytes(): number {
    return this.#bytes
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value
  }

  has(key: K): boolean {
    return this.#entries.has(key)
  }

  /**
   * Keeps `value` under `key`, counted as `bytes` (default: {@link approximateBytes} of the value) plus
   * the key's. Answers whether it was kept.
   */
  set(key: K, value: V, bytes: number = approximateBytes(value)): boolean {
    const size = bytes + stringBytes(key)
    this.delete(key)
    if (size > this.bounds.maxBytes / 4) return false
    if (this.#entries.size >= this.bounds.maxEntries || this.#bytes + size > this.bounds.maxBytes) this.clear()
    this.#entries.set(key, { value, bytes: size })
    this.#bytes += size
    return true
  }

  delete(key: K): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
  }

  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}

/** A string's bytes in V8 as counted here: its length plus a header (one byte per character, as V8 keeps Latin-1 text). */
export function stringBytes(text: string): number {
  return 16 + text.length
}

/**
 * An estimate of the memory a JSON-like value takes (records read from the store): strings by length,
 * objects and arrays by their slots, plus headers. It walks the value, so it is used only where the
 * value was just read from the database (a cost of the same order). Shared strings are counted each
 * time: an over-estimate, which keeps a bound a bound.
 */
export function approximateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value)
    case 'object': {
      if (value === null) return 8
      if (Array.isArray(value)) {
        let bytes = 16 + 8 * value.length
        for (const item of value) bytes += approximateBytes(item)
        return bytes
      }
      let bytes = 24
      for (const key in value) bytes += 8 + approximateBytes((value as Record<string, unknown>)[key])
      return bytes
    }
    default:
      return 8
  }
}
