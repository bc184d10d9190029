import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropSchema, freshSchemaName, schemaUrl } from './postgres.js'

/** The storage engines the HTTP suites run against. */
export type TestEngine = 'sqlite' | 'postgres'

let engine: TestEngine = 'sqlite'

/**
 * Makes every later {@link freshStore} (and so every test app) use this engine. The PostgreSQL runs of
 * the HTTP suites (test/postgres/*) call it before importing the suite.
 */
export function useEngine(next: TestEngine): void {
  engine = next
}

export function currentEngine(): TestEngine {
  return engine
}

export interface FreshStore {
  /** The store URL, for openStore, loadConfig or `--store`. */
  readonly url: string
  /** Removes the database (SQLite directory or PostgreSQL schema). */
  drop(): Promise<void>
}

/**
 * A new, empty database on the current engine, private to one test: a SQLite file in a new temporary
 * directory, or a new PostgreSQL schema (`?schema=`), so runs never collide.
 */
export async function freshStore(label = 'test'): Promise<FreshStore> {
  if (engine === 'postgres') {
    const schema = freshSchemaName(label)
    return { url: schemaUrl(schema), drop: () => dropSchema(schema) }
  }
  const dir = await mkdtemp(join(tmpdir(), `waymark-${label}-`))
  return { url: `sqlite:${join(dir, 'waymark.sqlite')}`, drop: () => rm(dir, { recursive: true, force: true }) }
}
