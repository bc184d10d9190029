// Bundles the CLI into dist/bin/ (waymark.js and the chunks its lazy imports load), the file `waymark`,
// `npm start` and the CLI tests run. Node 20's ESM loader spent about 60 % of a cold start resolving,
// reading and compiling the ≥ 108 modules of 21 packages one by one (bench/README.md); one bundled file is
// read and compiled at once. The TypeScript is type-checked by tsc, not here: esbuild only strips types.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist/bin')

rmSync(OUT, { recursive: true, force: true })
const result = await build({
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
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild')
  process.stdout.write(await analyzeMetafile(result.metafile))
}
