import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/**
 * The console's files (built by scripts/bundle.mjs into dist/console/, shipped in the package), read once
 * when the app is built and then served from memory by console-routes.ts. Only the files the build's
 * `manifest.json` names are read, each a plain file name (no directory), so no request path ever reaches
 * the file system: there is nothing to traverse.
 */

export interface ConsoleFile {
  readonly body: Buffer
  readonly contentType: string
  readonly etag: string
  readonly cacheControl: string
}

/** Files by name (`index.html`, `main-2NQ4TZ5K.js`…). */
export type ConsoleAssets = ReadonlyMap<string, ConsoleFile>

/** What the build writes beside the files. */
interface Manifest {
  readonly files: readonly string[]
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
/** The console is about 100 kB; anything near this is not ours. */
const MAX_TOTAL_BYTES = 16 * 1024 * 1024

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
}

/** esbuild's content hash in a name (`main-2NQ4TZ5K.js`): such a file never changes, so it may be kept for a year. */
const HASHED = /-[A-Z0-9]{8}\.[a-z]+$/

/**
 * Where the built console is: dist/console/, found from this module's place, whether it runs from tsc's
 * output (dist/src/console/) or from the bundle (dist/bin/ or dist/bin/chunks/). The manifest marks a
 * build (the sources in console/ have none).
 */
export function findConsoleDir(): string | undefined {
  for (const relative of ['../console/', '../../console/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(`${dir}manifest.json`)) return dir
  }
  return undefined
}

/** Reads the built console into memory; fails when its manifest names anything else than plain files. */
export async function loadConsoleAssets(dir: string): Promise<ConsoleAssets> {
  const manifest = JSON.parse(await readFile(`${dir}manifest.json`, 'utf8')) as Manifest
  if (!Array.isArray(manifest.files) || !manifest.files.includes('index.html')) throw new Error(`${dir}manifest.json lists no index.html`)
  const files = new Map<string, ConsoleFile>()
  let total = 0
  for (const name of manifest.files) {
    const extension = /\.([a-z]+)$/.exec(name)?.[1] ?? ''
    const contentType = CONTENT_TYPES[extension]
    if (typeof name !== 'string' || !FILE_NAME.test(name) || contentType === undefined) throw new Error(`${dir}manifest.json names ${JSON.stringify(name)}`)
    total += (await stat(`${dir}${name}`)).size
    if (total > MAX_TOTAL_BYTES) throw new Error(`${dir} holds more than ${MAX_TOTAL_BYTES} bytes`)
    const body = await readFile(`${dir}${name}`)
    files.set(name, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
  }
  return files
}
