import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/** The engines this build can open, as `openStore` URL schemes. */
export const AVAILABLE_ENGINES = ['sqlite'] as const

/**
 * Opens the store a URL names: `sqlite:PATH` (e.g. `sqlite:./data/waymark.sqlite`, `sqlite::memory:`), or a
 * bare path ending in `.sqlite`, `.sqlite3` or `.db`. Anything else throws, saying which engines exist.
 * This is the only module outside src/storage/<engine>/ that imports an engine.
 */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    if (path === '') throw new Error('The store URL "sqlite:" names no file; try sqlite:./data/waymark.sqlite')
    return SqliteStore.open(path)
  }
  if (/\.(sqlite3?|db)$/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return SqliteStore.open(url)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  const available = `available engines: ${AVAILABLE_ENGINES.map((e) => `${e}:PATH`).join(', ')}`
  if (scheme === 'postgres' || scheme === 'postgresql') {
    throw new Error(`The postgres engine is not available yet (${available})`)
  }
  throw new Error(`Unsupported store URL "${url}" (${available})`)
}
