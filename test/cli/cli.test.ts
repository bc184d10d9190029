import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openStore } from '../../src/storage/open-store.js'
import { IDS, TEST_FIXTURE } from '../helpers/fixtures.js'
import { ATLAS_V2_ACCEPT } from '../helpers/test-app.js'
import { CLI, runWaymark as waymark, servingUrl } from '../helpers/cli-process.js'

const execFileAsync = promisify(execFile)



const DEMO_ORG = { id: IDS.orgA, name: 'Waymark Demo Org' }

describe('waymark CLI', () => {
  let dir: string
  let store: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-cli-'))
    store = `sqlite:${join(dir, 'cli.sqlite')}`
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('--help on every command exits 0', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['load', '--help'], ['apikey', '--help'], ['apikey', 'create', '--help'], ['apikey', 'update', '--help'], ['service-account', 'secret', 'add', '--help'], ['generate', '--help']]) {
      const res = await waymark(args)
      assert.equal(res.code, 0, args.join(' '))
      assert.match(res.stdout, /Usage: waymark/)
    }
  })

  test('usage errors exit 2 with a message', async () => {
    for (const args of [['bogus'], ['serve', '--nope'], ['serve', '--port', 'abc'], ['serve', '--log-level', 'loud'], ['load'], ['apikey', 'create'], ['apikey', 'create', '--org', 'xyz'], ['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_GOD`]]) {
      const res = await waymark([...args, '--store', store])
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
      assert.notEqual(res.stderr.trim(), '')
    }
  })

  test('load: a missing file, bad JSON and a bad fixture exit 1 and load nothing', async () => {
    const missing = await waymark(['load', join(dir, 'missing.json'), '--store', store])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /missing\.json: no such file/)

    const badJson = join(dir, 'bad.json')
    await writeFile(badJson, '{"organizations": [')
    const bad = await waymark(['load', badJson, '--store', store])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /bad\.json: not valid JSON/)

    const invalid = join(dir, 'invalid.json')
    const broken = structuredClone(TEST_FIXTURE) as any
    broken.organizations.push(DEMO_ORG)
    broken.checkpoints[1].parts[0].typeName = 'SHARD'
    await writeFile(invalid, JSON.stringify(broken))
    const res = await waymark(['load', invalid, '--store', store])
    assert.equal(res.code, 1)
    assert.match(res.stderr, /checkpoints\[1\].*parts\[0\]\.typeName/)
    assert.ok(res.stderr.startsWith(`waymark: invalid fixture ${invalid}, nothing was loaded into the store ${store} (from --store):\n`), res.stderr)
    const opened = await openStore(store)
    try {
      assert.equal(await opened.getOrganization(IDS.orgB), undefined)
    } finally {
      await opened.close()
    }
  })

  test('load: a good fixture loads, and loading it again changes nothing', async () => {
    const file = join(dir, 'good.json')
    const fixture = structuredClone(TEST_FIXTURE) as any
    fixture.organizations.push(DEMO_ORG)
    fixture.projects.push({ id: IDS.projectA, orgId: IDS.orgA, name: 'Demo Project' })
    await writeFile(file, JSON.stringify(fixture))
    for (let i = 0; i < 2; i++) {
      const res = await waymark(['load', file, '--store', store])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, /3 checkpoints/)
    }
    const opened = await openStore(store)
    try {
      const page = await opened.pageCheckpoints(IDS.sccc, { offset: 0, limit: 10 })
      assert.equal(page.totalCount, 2)
    } finally {
      await opened.close()
    }
  })

  test('apikey create refuses an unknown organization or a project of another organization', async () => {
    const unknown = await waymark(['apikey', 'create', '--org', 'f'.repeat(24), '--store', store])
    assert.equal(unknown.code, 1)
    const foreign = await waymark(['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectB}:GROUP_READ_ONLY`, '--store', store])
    assert.equal(foreign.code, 1)
    assert.match(foreign.stderr, new RegExp(IDS.projectB))
  })

  test('service-account create prints a secret once that gets a token, and keeps only a slow hash', async () => {
    const created = await waymark(['service-account', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--access-list', '127.0.0.1', '--json', '--store', store])
    assert.equal(created.code, 0, created.stderr)
    const account = JSON.parse(created.stdout)
    assert.match(account.clientId, /^mdb_sa_id_[a-f0-9]{24}$/)
    assert.match(account.clientSecret, /^mdb_sa_sk_/)
    assert.deepEqual(account.accessList, ['127.0.0.1'])
    const opened = await openStore(store)
    try {
      const stored = await opened.getServiceAccount(account.clientId)
      assert.ok(stored)
      assert.equal(JSON.stringify(stored).includes(account.clientSecret), false)
      assert.match(stored.secrets[0]?.hash ?? '', /^scrypt\$/)
      const app = await buildApp({ config: loadConfig({ logLevel: 'silent' }, {}), store: opened })
      const basic = Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64')
      const token = await app.inject({ method: 'POST', url: '/api/oauth/token', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' })
      assert.equal(token.statusCode, 200, token.body)
      const res = await app.inject({ url: `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.sccc}/checkpoints`, headers: { authorization: `Bearer ${token.json().access_token}` } })
      assert.equal(res.json().totalCount, 2)
      await app.close()
    } finally {
      await opened.close()
    }
  })

  test('a bad access list entry or TLS half-configured is a usage error', async () => {
    const entry = await waymark(['apikey', 'create', '--org', IDS.orgA, '--access-list', '10.0.0.300', '--store', store])
    assert.equal(entry.code, 2)
    assert.match(entry.stderr, /10\.0\.0\.300/)
    const tls = await waymark(['serve', '--tls-cert', 'x.pem', '--store', store])
    assert.equal(tls.code, 2)
    assert.match(tls.stderr, /both a certificate and a key/)
  })

  test('serve answers with a key made by apikey create, and stops cleanly on SIGTERM', async () => {
    const created = await waymark(['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--json', '--store', store])
    assert.equal(created.code, 0, created.stderr)
    const key = JSON.parse(created.stdout)
    assert.match(key.publicKey, /^[a-z]{8}$/)
    assert.match(key.privateKey, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

    const opened = await openStore(store)
    const stored = await opened.getApiKey(key.publicKey)
    await opened.close()
    assert.ok(stored)
    assert.equal(JSON.stringify(stored).includes(key.privateKey), false)

    const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', store, '--log-level', 'silent'])
    const url = await servingUrl(server)
    try {
      const { stdout } = await execFileAsync('curl', ['-sS', '--digest', '-u', `${key.publicKey}:${key.privateKey}`, '-H', `Accept: ${ATLAS_V2_ACCEPT}`, `${url}/api/atlas/v2/groups/${IDS.projectA}/clusters/Sccc34/backupCheckpoints`])
      assert.equal(JSON.parse(stdout).totalCount, 2)
    } finally {
      const exited = new Promise<number | null>((resolve) => server.on('exit', resolve))
      server.kill('SIGTERM')
      assert.equal(await exited, 0)
    }
  })
})
