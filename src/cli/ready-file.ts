import { rename, rm, writeFile } from 'node:fs/promises'

/** What `serve --ready-file` writes once the server listens. */
export interface ReadyInfo {
  readonly url: string
  readonly pid: number
  /** The admin API's base URL; null when it is off (no admin token). */
  readonly adminUrl: string | null
}

/**
 * Writes the ready file atomically: a temporary file next to it, then a rename, so that a reader polling
 * for it sees nothing or the whole document, never a part.
 */
export async function writeReadyFile(path: string, info: ReadyInfo): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, `${JSON.stringify(info)}\n`, { mode: 0o644 })
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/** Removes the ready file at shutdown, so that a stale one is not taken for a server that listens. */
export async function removeReadyFile(path: string): Promise<void> {
  await rm(path, { force: true })
}
