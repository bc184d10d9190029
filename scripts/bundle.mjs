// Bundles the CLI into dist/bin/ (waymark.js and the chunks its lazy imports load), the file `waymark`,
// `npm start` and the CLI tests run, `waymark/testing` into dist/testing/, and the console (console/,
// Preact) into dist/console/, the static files `waymark serve` serves under /console/. Node 20's ESM loader spent
// about 60 % of a cold start resolving, reading and compiling the ≥ 108 modules of 21 packages one by one
// (bench/README.md); one bundled file is read and compiled at once. The TypeScript is type-checked by tsc,
// not here: esbuild only strips types, so a clone without its dev dependencies builds too (`prepare`).
//
//   node scripts/bundle.mjs              bundle
//   node scripts/bundle.mjs --if-stale   only when a source is newer than the bundle (prepare, npm start)
//   node scripts/bundle.mjs --analyze    bundle and print what is in it
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist/bin')
const TESTING_OUT = join(ROOT, 'dist/testing')
const CONSOLE_OUT = join(ROOT, 'dist/console')
/** What the bundle is made from: a change to any of them makes it stale. */
const INPUTS = ['src', 'console', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']
const OUTPUTS = [join(OUT, 'waymark.js'), join(TESTING_OUT, 'index.js'), join(CONSOLE_OUT, 'manifest.json')]

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
  await bundleConsole(esbuild)
  return result.metafile
}

/**
 * The console: one minified script and one style sheet named by their content's hash (served as
 * immutable), the page that loads them, and `manifest.json`, the list of files the server may serve
 * (src/console/console-assets.ts). Preact is bundled in: nothing is fetched from elsewhere at run time.
 */
async function bundleConsole(esbuild) {
  rmSync(CONSOLE_OUT, { recursive: true, force: true })
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'console/src/main.tsx' },
    outdir: CONSOLE_OUT,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: 'console/tsconfig.json',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  })
  const files = Object.keys(result.metafile.outputs).map((file) => basename(file))
  const script = files.find((file) => file.endsWith('.js'))
  const style = files.find((file) => file.endsWith('.css'))
  if (script === undefined || style === undefined) throw new Error('the console bundle has no script or no style sheet')
  const page = readFileSync(join(ROOT, 'console/index.html'), 'utf8').replace('%SCRIPT%', script).replace('%STYLE%', style)
  writeFileSync(join(CONSOLE_OUT, 'index.html'), page)
  copyFileSync(join(ROOT, 'console/favicon.svg'), join(CONSOLE_OUT, 'favicon.svg'))
  writeFileSync(join(CONSOLE_OUT, 'manifest.json'), `${JSON.stringify({ files: ['index.html', 'favicon.svg', ...files] }, null, 2)}\n`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)
  const metafile = await bundle()
  if (process.argv.includes('--analyze')) {
    const { analyzeMetafile } = await import('esbuild')
    process.stdout.write(await analyzeMetafile(metafile))
  }
}
