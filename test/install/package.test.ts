import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { KEYS } from '../helpers/fixtures.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'

/**
 * Waymark as a user installs it: the tarball `npm pack` makes, installed in a project of its own with
 * production dependencies only, `waymark serve --demo` from it, and the two example projects run against
 * it; and a clone installed with `npm ci --omit=dev`, then `npm start`. npm installs from its cache where
 * it can (`--prefer-offline`). better-sqlite3's native addon is not compiled again (a minute of both
 * cores): prebuild-install, its install script, finds the one this repository's own install made as a
 * "local prebuild" (a `.prebuild-installrc` above the projects), as it would find a downloaded one.
 */

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/**
 * npm's own variables (this runs under `npm test`) would leak into the installs, and the test runner's
 * NODE_TEST_CONTEXT would make the example's `node --test` report to this one: left out.
 */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_TEST_CONTEXT'))
const NPM_INSTALL = ['--prefer-offline', '--no-audit', '--no-fund']
const PYTHON = process.env['WAYMARK_TEST_PYTHON'] ?? 'python3'
const pythonHas = (code: string): Promise<boolean> => run(PYTHON, ['-c', code]).then(() => true, () => false)
const HAS_REQUESTS = await pythonHas('import requests')
const HAS_PYTEST = await pythonHas('import pytest')
/** Skipped with a reason where Python cannot run the example; under CI=true, a missing pytest is a failure. */
const PYTHON_SKIP =
  HAS_REQUESTS && HAS_PYTEST
    ? false
    : HAS_REQUESTS && process.env['CI'] === 'true'
      ? false
      : `${PYTHON} cannot import ${HAS_REQUESTS ? 'pytest' : 'requests'} (.ci/run installs python3-pytest and python3-requests)`

const OM_LIST = '/api/public/v1.0/groups/65a1f0c2e4b0a1b2c3d4e502/clusters/65a1f0c2e4b0a1b2c3d4e510/checkpoints?itemsPerPage=1'

/** The newest demo checkpoint through the API, as a Digest client gets it; undefined until the server answers. */
async function newestDemoCheckpoint(url: string): Promise<{ timestamp: string } | undefined> {
  const challenge = await fetch(`${url}${OM_LIST}`).catch(() => undefined)
  const header = challenge?.headers.get('www-authenticate')
  if (!header) return undefined
  const { nonce } = parseChallenge(header)
  const response = await fetch(`${url}${OM_LIST}`, { headers: { authorization: digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: OM_LIST, nonce, nc: 1 }) } })
  assert.equal(response.status, 200)
  return ((await response.json()) as { results: Array<{ timestamp: string }> }).results[0]
}

/** Waits for a ready file; fails if the process ends first. */
async function readyFile(path: string, child: ChildProcess, output: () => string): Promise<{ url: string; pid: number }> {
  const until = Date.now() + 30_000
  for (;;) {
    if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8'))
    assert.ok(child.exitCode === null && Date.now() < until, `no ready file:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Starts a command that serves, collecting its output; `ended` resolves when it exits. */
function start(command: string, args: string[], cwd: string): { child: ChildProcess; output: () => string; ended: Promise<number | null> } {
  const child = spawn(command, args, { cwd, env: ENV })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, ended }
}

describe('the npm package', () => {
  let dir: string
  let tarball: string
  let app: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-package-'))
    // The addon this repository's install compiled, as prebuild-install names a prebuilt one.
    const sqlite = join(ROOT, 'node_modules/better-sqlite3')
    const { version } = JSON.parse(await readFile(join(sqlite, 'package.json'), 'utf8')) as { version: string }
    const stage = join(dir, 'prebuild-stage')
    await mkdir(join(stage, 'build/Release'), { recursive: true })
    await cp(join(sqlite, 'build/Release/better_sqlite3.node'), join(stage, 'build/Release/better_sqlite3.node'))
    const prebuilds = join(dir, 'prebuilds')
    await mkdir(prebuilds)
    await run('tar', ['-czf', join(prebuilds, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`), '-C', stage, 'build'])
    await writeFile(join(dir, '.prebuild-installrc'), `local-prebuilds=${prebuilds}\n`)

    const packed = await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env: ENV })
    tarball = join(dir, packed.stdout.trim().split('\n').at(-1) ?? '')
    app = join(dir, 'app')
    await mkdir(app)
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'waymark-user', private: true }))
    await run('npm', ['install', ...NPM_INSTALL, '--omit=dev', tarball], { cwd: app, env: ENV })
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('the tarball holds the bundle, waymark/testing with its types, and the docs; no sources, tests or scripts', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball])
    const files = stdout.split('\n').filter((line) => line !== '')
    for (const file of ['package.json', 'README.md', 'dist/bin/waymark.js', 'dist/console/index.html', 'dist/console/manifest.json', 'dist/testing/index.js', 'dist/types/testing/index.d.ts', 'docs/producer.md']) {
      assert.ok(files.includes(`package/${file}`), `${file} is in the tarball`)
    }
    assert.deepEqual(files.filter((f) => /^package\/(src|test|scripts|bench|spec)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), [])
    const manifest = JSON.parse(await readFile(join(app, 'node_modules/waymark/package.json'), 'utf8'))
    assert.equal(manifest.private, true, 'ready to publish, but publishing stays a person\'s decision')
  })

  test('installs with production dependencies only, and its `waymark serve --demo` serves a recent demo', async () => {
    const installed = await readdir(join(app, 'node_modules'))
    for (const dev of ['typescript', '@types', 'digest-fetch', 'urllib', '@mongodb-js']) assert.ok(!installed.includes(dev), `${dev} is not installed`)
    const ready = join(dir, 'app-ready.json')
    const server = start(join(app, 'node_modules/.bin/waymark'), ['serve', '--demo', '--port', '0', '--store', 'sqlite::memory:', '--ready-file', ready], app)
    try {
      const { url, pid } = await readyFile(ready, server.child, server.output)
      assert.equal(pid, server.child.pid, 'the bin is the server process itself: a signal to it stops the server')
      const newest = await newestDemoCheckpoint(url)
      assert.ok(newest && Date.now() - Date.parse(newest.timestamp) < 16 * 60_000, `${newest?.timestamp} is from the last quarter hour`)
    } finally {
      server.child.kill('SIGTERM')
      assert.equal(await server.ended, 0, server.output())
    }
  })

  test('examples/node-monitor passes against the installed package (node --test, waymark/testing)', async () => {
    const project = join(app, 'node-monitor')
    await cp(join(ROOT, 'examples/node-monitor'), project, { recursive: true })
    const { stdout } = await run(process.execPath, ['--test'], { cwd: project, env: ENV })
    assert.match(stdout, /^# pass 3$/m)
    assert.match(stdout, /^# fail 0$/m)
  })

  test('examples/python-monitor passes against the installed package (pytest, requests)', { skip: PYTHON_SKIP }, async () => {
    assert.ok(HAS_PYTEST, `CI=true: ${PYTHON} has requests but not pytest; install python3-pytest (.ci/run does)`)
    const project = join(app, 'python-monitor')
    await cp(join(ROOT, 'examples/python-monitor'), project, { recursive: true })
    const { stdout } = await run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: project,
      env: { ...ENV, WAYMARK_BIN: join(app, 'node_modules/.bin/waymark') },
    })
    assert.match(stdout, /^3 passed/m)
  })

  test('a clone installs with npm ci --omit=dev (built without tsc), and npm start serves the demo quickly, bundling only after a change', async (t) => {
    const clone = join(dir, 'clone')
    const { stdout: listed } = await run('git', ['-C', ROOT, 'ls-files', '-co', '--exclude-standard', '-z'])
    for (const file of listed.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))) {
      await mkdir(dirname(join(clone, file)), { recursive: true })
      await cp(join(ROOT, file), join(clone, file))
    }
    await run('npm', ['ci', ...NPM_INSTALL, '--omit=dev'], { cwd: clone, env: ENV })
    assert.ok(!existsSync(join(clone, 'node_modules/typescript')), 'no dev dependencies')
    assert.ok(existsSync(join(clone, 'dist/bin/waymark.js')), 'prepare bundled the CLI')

    const serveWithNpmStart = async (name: string): Promise<{ output: string; ms: number }> => {
      const ready = join(dir, `${name}.json`)
      const started = performance.now()
      const npm = start('npm', ['start', '--', '--port', '0', '--store', 'sqlite::memory:', '--ready-file', ready], clone)
      try {
        const { url } = await readyFile(ready, npm.child, npm.output)
        while ((await newestDemoCheckpoint(url)) === undefined) await new Promise((resolve) => setTimeout(resolve, 10))
        const ms = performance.now() - started
        // npm does not pass SIGTERM on: the ready file's pid is the server's.
        process.kill(JSON.parse(await readFile(ready, 'utf8')).pid, 'SIGTERM')
        await npm.ended
        return { output: npm.output(), ms }
      } finally {
        npm.child.kill('SIGKILL')
      }
    }
    const built = await serveWithNpmStart('built')
    assert.doesNotMatch(built.output, /bundling/, 'a built tree is not bundled again')
    t.diagnostic(`the demo answered ${Math.round(built.ms)} ms after npm start`)
    assert.ok(built.ms < 2000, `the demo answered ${Math.round(built.ms)} ms after npm start`)
    const now = new Date()
    await utimes(join(clone, 'src/app.ts'), now, now)
    const changed = await serveWithNpmStart('changed')
    assert.match(changed.output, /the sources changed since the last build; bundling/)
  })
})
