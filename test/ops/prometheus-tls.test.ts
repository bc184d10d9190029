import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { freePort } from '../helpers/haproxy.js'
import { startServe, type ServeProcess } from './serve-process.js'

const run = promisify(execFile)
const OPERATIONS = new URL('../../../docs/operations.md', import.meta.url)
const TOKEN = 'metrics-token-prometheus-tls-7c1e'

const has = (command: string, args: string[]): Promise<boolean> => run(command, args).then(() => true, () => false)
const [hasPrometheus, hasCurl] = await Promise.all([has('prometheus', ['--version']), has('curl', ['--version'])])

/** The scrape_configs block of docs/operations.md, as documented. */
async function documentedScrapeConfig(): Promise<string> {
  const text = await readFile(OPERATIONS, 'utf8')
  const block = /```yaml\n(scrape_configs:[\s\S]*?)```/.exec(text)?.[1]
  assert.ok(block, 'docs/operations.md has a scrape_configs block')
  return block
}

/** A value of the block (`ca_file: …`), with the comment after it removed. */
function setting(block: string, key: string): string {
  const value = new RegExp(`^\\s*${key}: (\\S+)`, 'm').exec(block)?.[1]
  assert.ok(value, `the block sets ${key}`)
  return value
}

/**
 * docs/operations.md's Prometheus example against a real `waymark serve` over HTTPS with a metrics token:
 * a certificate signed by a CA of the test's own, the block as written but for file paths and target.
 */
describe('Prometheus over TLS with a metrics token, as docs/operations.md shows it', () => {
  let dir: string
  let server: ServeProcess
  let block: string
  let caFile: string
  let tokenFile: string
  let target: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-prometheus-'))
    const [ca, caKey, key, csr, cert, ext] = ['ca.pem', 'ca-key.pem', 'key.pem', 'server.csr', 'cert.pem', 'san.ext'].map((f) => join(dir, f)) as [string, string, string, string, string, string]
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '1', '-subj', '/CN=Waymark test CA'])
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1'])
    await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext])
    server = await startServe(['--tls-cert', cert, '--tls-key', key, '--store', 'sqlite::memory:', '--log-level', 'warn'], { WAYMARK_METRICS_TOKEN: TOKEN })
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    target = server.url.slice('https://'.length)
    caFile = join(dir, 'waymark-ca.pem')
    tokenFile = join(dir, 'waymark-token')
    await writeFile(caFile, await readFile(ca))
    // As an operator writes it: with a newline at the end.
    await writeFile(tokenFile, `${TOKEN}\n`)
    block = (await documentedScrapeConfig())
      .replace(setting(await documentedScrapeConfig(), 'ca_file'), caFile)
      .replace(setting(await documentedScrapeConfig(), 'credentials_file'), tokenFile)
      .replace(/targets: \[.*\]/, `targets: ['${target}']`)
    assert.equal(setting(block, 'scheme'), 'https')
    assert.equal(setting(block, 'type'), 'Bearer')
  })

  after(async () => {
    server?.child.kill('SIGINT')
    await server?.exited
    await rm(dir, { recursive: true, force: true })
  })

  test('curl with the same CA file and token file gets the metrics; without the token, 401', async (t) => {
    const url = `${setting(block, 'scheme')}://${target}/metrics`
    const token = (await readFile(setting(block, 'credentials_file'), 'utf8')).trim()
    let withToken: string
    let withoutToken: string
    if (hasCurl) {
      const curl = async (headers: string[]): Promise<string> =>
        (await run('curl', ['-sS', '--cacert', setting(block, 'ca_file'), ...headers, '-w', '\n%{http_code}', url])).stdout
      withToken = await curl(['-H', `Authorization: Bearer ${token}`])
      withoutToken = await curl([])
    } else {
      t.diagnostic('curl is not installed: the same request with Node https and the same CA')
      const { request } = await import('node:https')
      const ca = await readFile(setting(block, 'ca_file'))
      const get = (headers: Record<string, string>): Promise<string> =>
        new Promise((resolve, reject) => {
          request(url, { ca, headers }, (res) => {
            let body = ''
            res.on('data', (chunk: Buffer) => (body += chunk.toString()))
            res.on('end', () => resolve(`${body}\n${res.statusCode}`))
          }).on('error', reject).end()
        })
      withToken = await get({ authorization: `Bearer ${token}` })
      withoutToken = await get({})
    }
    assert.match(withToken, /\n200$/)
    assert.match(withToken, /^waymark_auth_failures_total\{kind="no_credentials"\} 0$/m)
    assert.match(withoutToken, /\n401$/)
    assert.match(withoutToken, /"errorCode":"METRICS_UNAUTHORIZED"/)
  })

  test('a real Prometheus scrapes the instance with the block as written', { skip: hasPrometheus ? false : 'prometheus is not installed (Debian: apt-get install prometheus); the curl test above covers the same settings' }, async (t) => {
    const config = join(dir, 'prometheus.yml')
    await writeFile(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n${block}`)
    const checked = await run('promtool', ['check', 'config', config]).catch((error: { stdout: string; stderr: string }) => assert.fail(`promtool refuses it: ${error.stdout}${error.stderr}`))
    assert.match(checked.stdout, /SUCCESS/)
    const port = await freePort()
    const prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'])
    let log = ''
    prometheus.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
    const exited = new Promise((resolve) => prometheus.once('exit', resolve))
    try {
      const api = async (path: string): Promise<{ data: unknown } | undefined> => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`).catch(() => undefined)
        return res?.ok ? ((await res.json()) as { data: unknown }) : undefined
      }
      const started = performance.now()
      let health = ''
      let lastError = ''
      for (;;) {
        const targets = (await api('targets'))?.data as { activeTargets?: Array<{ health: string; lastError: string }> } | undefined
        health = targets?.activeTargets?.[0]?.health ?? ''
        lastError = targets?.activeTargets?.[0]?.lastError ?? ''
        if (health === 'up') break
        assert.ok(performance.now() - started < 20_000, `the target is not up after 20 s: ${health} ${lastError}\n${log}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      const query = (await api(`query?query=${encodeURIComponent('waymark_auth_failures_total{job="waymark",kind="metrics_token"}')}`))?.data as { result: unknown[] }
      assert.equal(query.result.length, 1, 'a Waymark series is in Prometheus')
      t.diagnostic(`target up ${Math.round(performance.now() - started)} ms after Prometheus started`)
    } finally {
      prometheus.kill('SIGTERM')
      await exited
    }
  })
})
