import type { Cluster, Project } from '../domain/types.js'

/** Lists kept, and the JSON size of the records they hold, before the cache starts over. */
const MAX_LISTS = 1_000
const MAX_BYTES = 16 * 1024 * 1024

/**
 * The record lists of cached-store.ts (the projects of an organization, the clusters of a project, for the
 * discovery endpoints), bounded by entries and by the JSON size of what they hold: a list is as large as the
 * store's records make it, and its key is an id the caller was authorized for, so nothing a client sends
 * multiplies it. A list larger than the whole bound is not kept. Hand-written: a Map with two bounds.
 */
export class ListCache {
  readonly #lists = new Map<string, readonly (Project | Cluster)[]>()
  #bytes = 0

  get<T extends Project | Cluster>(key: string): T[] | undefined {
    return this.#lists.get(key) as T[] | undefined
  }

  set(key: string, list: readonly (Project | Cluster)[]): void {
    const bytes = JSON.stringify(list).length
    if (bytes > MAX_BYTES) return
    if (this.#lists.size >= MAX_LISTS || this.#bytes + bytes > MAX_BYTES) this.clear()
    this.#lists.set(key, list)
    this.#bytes += bytes
  }

  clear(): void {
    this.#lists.clear()
    this.#bytes = 0
  }
}
