import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * The monitor of examples/discovery-monitor, written as a user would (curl and jq, Python requests, npm
 * digest-fetch): given only a project name and an API key, it discovers the sharded clusters on legacy
 * backup and prints the newest restorable checkpoint of each. The same program runs unchanged against
 * the three dialects and prints the same lines, which the test computes from the store itself.
 */

const run = promisify(execFile)
const DIR = fileURLToPath(new URL('../../../examples/discovery-monitor/', import.meta.url))
const APIS = ['atlas-v2', 'atlas-v1', 'ops-manager'] as const
const CI = process.env['CI'] === 'true'

/** Whether a command runs and exits 0. */
async function works(command: string, args: string[]): Promise<boolean> {
  return run(command, args).then(
    () => true,
    () => false,
  )
}

const jq = await works('jq', ['--version'])
const requestsInstalled = await works('python3', ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("requests") else 1)'])
const requestsImports = requestsInstalled && (await works('python3', ['-c', 'import requests']))

describe('a discovery monitor written as a user would, in every dialect', () => {
  let t: TestApp
  let base: string
  let expected: string
  before(async () => {
    t = await startTestApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    // The oracle, from the store: the project's sharded legacy-backup clusters and their newest restorable checkpoint.
    const lines: string[] = []
    for (const cluster of await t.store.listClustersOfProject(IDS.projectA)) {
      if (cluster.type !== 'SHARDED' || cluster.backup !== 'LEGACY') continue
      let newest: { id: string; timestamp: string } | undefined
      for (let offset = 0; newest === undefined; offset += 100) {
        const page = await t.store.pageCheckpoints(cluster.id, { offset, limit: 100 })
        if (page.items.length === 0) break
        newest = page.items.find((c) => c.restorable)
      }
      lines.push(newest ? `${cluster.name}\t${newest.id}\t${newest.timestamp}` : `${cluster.name}\tnone`)
    }
    expected = lines.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((line) => `${line}\n`).join('')
    assert.equal(expected.split('\n').length - 1, 3, 'Cluster0, Sccc34 and Upgraded42')
  })
  after(() => t.close())

  const env = { ...process.env, API_PUBLIC_KEY: KEYS.demoread.publicKey, API_PRIVATE_KEY: KEYS.demoread.privateKey }
  const monitor = async (command: string, args: string[]): Promise<string> => (await run(command, args, { cwd: DIR, env })).stdout

  for (const api of APIS) {
    test(`curl and jq (monitor.sh) on ${api}`, { skip: jq || CI ? false : 'jq is not installed' }, async () => {
      assert.ok(jq, 'jq is needed under CI=true')
      assert.equal(await monitor('bash', ['monitor.sh', base, api, 'Demo Project']), expected)
    })

    test(`npm digest-fetch (monitor.mjs) on ${api}`, async () => {
      assert.equal(await monitor(process.execPath, ['monitor.mjs', base, api, 'Demo Project']), expected)
    })

    const pythonSkip = requestsImports ? false : requestsInstalled ? (CI ? false : 'requests is installed but does not import') : 'python3 has no requests module'
    test(`Python requests (monitor.py) on ${api}`, { skip: pythonSkip }, async () => {
      assert.ok(requestsImports, 'requests is installed but does not import')
      assert.equal(await monitor('python3', ['monitor.py', base, api, 'Demo Project']), expected)
    })
  }

  test('a project name the key cannot see stops the monitor with the API\'s 404', async () => {
    await assert.rejects(monitor(process.execPath, ['monitor.mjs', base, 'ops-manager', 'Second Project']), /answered 404: .*GROUP_NAME_NOT_FOUND/)
  })
})
