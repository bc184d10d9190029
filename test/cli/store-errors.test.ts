import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runWaymark, type RunResult } from '../helpers/cli-process.js'
import { IDS } from '../helpers/fixtures.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl, sql } from '../helpers/postgres.js'

/** Exit 1 and exactly one line on stderr, nothing on stdout; the line, without `waymark: `. */
function oneLineFailure(res: RunResult, what: string): string {
  assert.equal(res.code, 1, `${what}: ${res.stderr}`)
  assert.equal(res.stdout, '', what)
  const lines = res.stderr.split('\n')
  assert.equal(lines.length, 2, `${what}: one line expected:\n${res.stderr}`)
  assert.match(lines[0] ?? '', /^waymark: /)
  return (lines[0] ?? '').slice('waymark: '.length)
}

/** A TCP port nothing listens on (taken and given back at once). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('CLI errors about the store say which store and how to pick another', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-store-errors-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('commands that read or change existing records never create a store: an absent default store is named, nothing is made', async () => {
    const noStore = { WAYMARK_STORE: undefined }
    const commands = [
      ['apikey', 'list'],
      ['apikey', 'show', 'demoread'],
      ['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`],
      ['apikey', 'delete', 'demoread'],
      ['service-account', 'list', '--json'],
      ['service-account', 'secret', 'add', 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5a1'],
      ['generate', '--cluster', IDS.cluster0, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z'],
    ]
    for (const args of commands) {
      const line = oneLineFailure(await runWaymark(args, noStore, dir), args.join(' '))
      const command = args[0] === 'generate' ? 'generate' : `${args[0]} ${args[1]}${args[1] === 'secret' ? ` ${args[2]}` : ''}`
      assert.equal(
        line,
        `no store at sqlite:./data/waymark.sqlite (the default store): the file ${join(dir, 'data/waymark.sqlite')} does not exist, and \`${command}\` creates none; ` +
          'check that the URL names the store your server uses (`waymark migrate` or `waymark load` make a new one). Name another store with --store URL or WAYMARK_STORE=URL.',
      )
    }
    const fromEnv = oneLineFailure(await runWaymark(['apikey', 'list'], { WAYMARK_STORE: 'sqlite:elsewhere.sqlite' }, dir), 'WAYMARK_STORE')
    assert.match(fromEnv, /^no store at sqlite:elsewhere\.sqlite \(from WAYMARK_STORE\): /)
    const copy = oneLineFailure(await runWaymark(['copy', '--from', 'sqlite:absent.sqlite', '--to', 'sqlite:target.sqlite'], noStore, dir), 'copy')
    assert.match(copy, /^no store at sqlite:absent\.sqlite \(from --from\): .* Name another store with --from URL\.$/)
    assert.deepEqual(await readdir(dir), [], 'no file and no directory was created')
  })

  test('a file that cannot be opened is named, with what to check', async () => {
    const line = oneLineFailure(await runWaymark(['migrate', '--store', 'sqlite:/proc/waymark-cannot-be-here.sqlite']), 'migrate')
    assert.match(line, /^cannot use the store sqlite:\/proc\/waymark-cannot-be-here\.sqlite \(from --store\): .*; check that the directory exists and this user may read and write the file and its directory\. Name another store with --store URL or WAYMARK_STORE=URL\.$/)
  })

  test('a PostgreSQL that refuses connections: one line naming the URL, password hidden, and what to check; serve too', async () => {
    const port = await closedPort()
    const url = `postgres://waymark:n0t-this-password@127.0.0.1:${port}/waymark`
    for (const args of [['apikey', 'list'], ['migrate'], ['serve', '--port', '0']]) {
      const line = oneLineFailure(await runWaymark([...args, '--store', url]), args.join(' '))
      assert.equal(
        line,
        `cannot use the store postgres://waymark:***@127.0.0.1:${port}/waymark (from --store): connection refused (connect ECONNREFUSED 127.0.0.1:${port}); ` +
          `check that PostgreSQL is running and listens at 127.0.0.1:${port} (its listen_addresses and port), and the host and port in the URL. ` +
          'Name another store with --store URL or WAYMARK_STORE=URL.',
      )
    }
    const fromEnv = await runWaymark(['apikey', 'list'], { WAYMARK_STORE: url })
    assert.match(oneLineFailure(fromEnv, 'WAYMARK_STORE'), /\(from WAYMARK_STORE\)/)
    assert.equal(fromEnv.stderr.includes('n0t-this-password'), false)
  })
})

describe('CLI errors about a PostgreSQL store', async () => {
  const why = await postgresUnreachable()
  if (why !== undefined) return reportUnreachable('CLI errors about a PostgreSQL store', why)
  const schema = freshSchemaName('cli_errors')
  after(() => dropSchema(schema))

  test('a schema without Waymark tables is not a store: reading commands say so and create nothing; migrate makes it', async () => {
    const url = schemaUrl(schema)
    const line = oneLineFailure(await runWaymark(['apikey', 'list', '--store', url]), 'apikey list')
    assert.ok(line.startsWith(`no store at ${url} (from --store): schema ${schema} of database `), line)
    assert.match(line, /holds no Waymark tables, and `apikey list` creates none; /)
    const schemas = await sql('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])
    assert.equal(schemas.length, 0, 'the schema was not created')
    assert.equal((await runWaymark(['migrate', '--store', url])).code, 0)
    const listed = await runWaymark(['apikey', 'list', '--store', url])
    assert.equal(listed.code, 0, listed.stderr)
    assert.equal(listed.stdout, 'no API keys\n')
  })
})
