// `npm start`: `waymark serve --demo` (and any flags after `npm start --`), bundling first only when a
// source changed since the last bundle. Bundling only strips types (esbuild, about a second); `npm test`
// and `npm run build` type-check. The CLI runs in this process: no second Node start.
//
// npm does not pass SIGTERM on to the script it runs: a test that must stop the server should run
// `node dist/bin/waymark.js serve …` (or the installed `waymark`) itself, or signal the pid that
// `--ready-file` writes (README, "In your tests").
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundle, isStale } from './bundle.mjs'

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin', 'waymark.js')

if (isStale()) {
  process.stderr.write('waymark: the sources changed since the last build; bundling (npm run build also type-checks)\n')
  await bundle()
}
process.argv = [process.argv[0] ?? process.execPath, CLI, 'serve', '--demo', ...process.argv.slice(2)]
await import(pathToFileURL(CLI).href)
