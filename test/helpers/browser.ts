import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CLI, stopProcess } from './cli-process.js'

/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core (never a browser
 * downloaded by Playwright). Where it is missing the tests are skipped with a line saying how to install
 * it, except under CI=true, where they fail.
 */
export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_MISSING = !existsSync(CHROMIUM)
export const INSTALL_CHROMIUM = `no Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (Debian; .ci/run does) to run the console's browser tests`
const CI = process.env['CI'] === 'true'

/** The `skip` option of a browser test: the install hint where Chromium is missing, unless under CI. */
export const SKIP_WITHOUT_CHROMIUM: string | false = CHROMIUM_MISSING && !CI ? INSTALL_CHROMIUM : false

export async function launchBrowser(): Promise<Browser> {
  if (CHROMIUM_MISSING) assert.fail(`CI=true: ${INSTALL_CHROMIUM}`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
}

/** Where the screenshots of a run go: dist/screenshots/, and docs/images/ too with WAYMARK_SCREENSHOTS_TO_DOCS=1. */
const SCREENSHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url))
const DOCS_IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url))

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const image = await page.screenshot({ fullPage: true, animations: 'disabled' })
  await writeFile(join(SCREENSHOTS, `${name}.png`), image)
  if (process.env['WAYMARK_SCREENSHOTS_TO_DOCS'] === '1') await writeFile(join(DOCS_IMAGES, `${name}.png`), image)
}

export interface ServedConsole {
  readonly url: string
  readonly dir: string
  /** The admin API, with the token. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: () => unknown; text: string }>
  stop(): Promise<void>
}

/** `waymark serve` (the bundled CLI, as users run it) with the admin API on, started with --ready-file. */
export async function serveConsole(token: string, args: readonly string[], files: Readonly<Record<string, unknown>> = {}): Promise<ServedConsole> {
  const dir = await mkdtemp(join(tmpdir(), 'waymark-console-'))
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content))
  const ready = join(dir, 'ready.json')
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--ready-file', ready, '--log-level', 'warn', ...args], {
    cwd: dir,
    env: { ...process.env, WAYMARK_ADMIN_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const until = Date.now() + 30_000
  while (!existsSync(ready)) {
    if (child.exitCode !== null || Date.now() > until) {
      await stopProcess(child)
      throw new Error(`waymark serve did not start: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const info = JSON.parse(await readFile(ready, 'utf8')) as { url: string; adminUrl: string }
  return {
    url: info.url,
    dir,
    admin: async (method, path, body) => {
      const response = await fetch(`${info.adminUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      const text = await response.text()
      return { status: response.status, text, json: () => JSON.parse(text) }
    },
    stop: async () => {
      await stopProcess(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Waits until `check` answers true, asking every 50 ms (from the test, not in the page: the console's CSP
 * forbids the string evaluation page-side polling would need).
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** In the page (the test's TypeScript has no DOM types: an expression evaluated there). */
export async function inPage(page: Page, expression: string): Promise<unknown> {
  return page.evaluate(expression)
}

/** The time from the page's navigation to a performance entry (the first named so: a mark, or a paint), in ms. */
export async function markTime(page: Page, name: string, timeoutMs = 20_000): Promise<number> {
  const expression = `performance.getEntriesByName(${JSON.stringify(name)})[0]?.startTime ?? -1`
  let at = -1
  await eventually(`the mark ${name}`, async () => (at = Number(await inPage(page, expression))) >= 0, timeoutMs)
  return at
}
