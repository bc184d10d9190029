// Bundles the CLI into dist/bin/ (waymark.js and the chunks its lazy imports load), the file `waymark`,
// `npm start` and the CLI tests run, and `waymark/testing` into dist/testing/. Node 20's ESM loader spent
// about 60 % of a cold start resolving, reading and compiling the ≥ 108 modules of 21 packages one by one
// (bench/README.md); one bundled file is read and compiled at once. The TypeScript is type-checked by tsc,
// not here: esbuild only strips types, so a clone without its dev dependencies builds too (`prepare`).
//
//   node scripts/bundle.mjs              bundle
//   node scripts/bundle.mjs --if-stale   only when a source is newer than the bundle (prepare, npm start)
//   node scripts/bundle.mjs --analyze    bundle and print what is in it
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist/bin')
const TESTING_OUT = join(ROOT, 'dist/testing')
/** What the bundle is made from: a change to any of them makes it stale. */
const INPUTS = ['src', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']
const OUTPUTS = [join(OUT, 'waymark.js'), join(TESTING_OUT, 'index.js')]

/** The newest modification time (ms) of a file or of the files under a directory. */
function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = stat.mtimeMs
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

/** Whether a source changed since the bundle was made (or there is none). */
export function isStale() {
  const built = Math.min(...OUTPUTS.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)))
  return built === 0 || INPUTS.some((input) => newest(join(ROOT, input)) > built)
}

/** Bundles the CLI and `waymark/testing`; returns esbuild's metafile of the CLI. */
export async function bundle() {
  let esbuild
  try {
    esbuild = await import('esbuild')
  } catch {
    throw new Error('waymark: building needs esbuild (an optional dependency): npm install, without --omit=optional')
  }
  rmSync(OUT, { recursive: true, force: true })
  rmSync(TESTING_OUT, { recursive: true, force: true })
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { waymark: 'src/cli/main.ts' },
    outdir: OUT,
    bundle: true,
    // The `import()`s of what a start does not always need (the admin API, the demo, PostgreSQL, the
    // producer, each command) stay separate files, loaded when used.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20.11',
    tsconfig: 'tsconfig.build.json',
    sourcemap: 'linked',
    // better-sqlite3 loads a native addon found relative to its own files; pg-native is pg's optional
    // native driver, required only when asked for (Waymark never does).
    // pino's worker-thread transports (thread-stream) are bundled but never started: Waymark logs with pino's
    // default destination (src/logger.ts, no `transport` option), which a worker file outside the bundle
    // would be needed for. `--log-format pretty` runs pino-pretty as a plain stream in the main thread
    // (src/logger.ts), a chunk of its own loaded only then.
    external: ['better-sqlite3', 'pg-native'],
    // The CommonJS packages in the bundle (pino, fastify, pg, prom-client…) call require() for Node's
    // built-in modules, which an ES module lacks: give the bundle one.
    banner: {
      js: "import { createRequire as __waymarkCreateRequire } from 'node:module'\nconst require = __waymarkCreateRequire(import.meta.url)",
    },
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  })
  // waymark/testing: a small module of its own (it starts the CLI above as a process), Node built-ins only.
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'src/testing/index.ts' },
    outdir: TESTING_OUT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.11',
    tsconfig: 'tsconfig.build.json',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  return result.metafile
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)
  const metafile = await bundle()
  if (process.argv.includes('--analyze')) {
    const { analyzeMetafile } = await import('esbuild')
    process.stdout.write(await analyzeMetafile(metafile))
  }
}
