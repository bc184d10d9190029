import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { LATEST_SCHEMA_VERSION as LATEST, MIGRATIONS, migrate } from '../../src/storage/postgres/postgres-migrations.js'
import { runWaymark } from '../helpers/cli-process.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { POSTGRES_SERVER, POSTGRES_URL, postgresUnreachable, reportUnreachable, sql } from '../helpers/postgres.js'
import { startServe, type ServeProcess } from '../ops/serve-process.js'

const DEPLOYMENT = new URL('../../../docs/deployment.md', import.meta.url)
const PATH = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints?itemsPerPage=1`

/** The SQL block of docs/deployment.md's least-privilege section, with our own role, schema and database names. */
async function documentedGrants(names: { migrator: string; runtime: string; schema: string; database: string }): Promise<string> {
  const text = await readFile(DEPLOYMENT, 'utf8')
  const section = text.slice(text.indexOf('### Least privilege: a migration role and a runtime role'))
  const block = /```sql\n([\s\S]*?)```/.exec(section)?.[1]
  assert.ok(block, 'docs/deployment.md has the least-privilege SQL block')
  return block
    .replaceAll(/\bwaymark_migrator\b/g, names.migrator)
    .replaceAll(/\bwaymark_runtime\b/g, names.runtime)
    .replaceAll(/\bDATABASE waymark\b/g, `DATABASE "${names.database}"`)
    .replaceAll(/\bSCHEMA waymark\b/g, `SCHEMA ${names.schema}`)
}

/** The test database's URL as `user`, in `schema`. */
function urlAs(user: string, schema: string): string {
  const url = new URL(POSTGRES_URL)
  url.username = user
  url.password = ''
  url.searchParams.set('schema', schema)
  return url.toString()
}

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('least privilege: waymark migrate with a DDL role, serve --no-migrate with a DML-only role', why)
} else {
  /**
   * docs/deployment.md's two roles, made with its own SQL: `waymark migrate` as the migration role, `serve
   * --no-migrate` as the runtime role with only SELECT, INSERT, UPDATE, DELETE, through the real CLI.
   */
  describe('least privilege: waymark migrate with a DDL role, serve --no-migrate with a DML-only role', () => {
    const suffix = randomBytes(5).toString('hex')
    const names = {
      migrator: `waymark_lp_ddl_${suffix}`,
      runtime: `waymark_lp_dml_${suffix}`,
      schema: `waymark_lp_${suffix}`,
      database: POSTGRES_SERVER.database,
    }
    const migratorUrl = urlAs(names.migrator, names.schema)
    const runtimeUrl = urlAs(names.runtime, names.schema)
    let server: ServeProcess | undefined

    before(async () => {
      await sql(await documentedGrants(names))
    })

    after(async () => {
      if (server && server.child.exitCode === null) server.child.kill('SIGKILL')
      await sql(`DROP SCHEMA IF EXISTS ${names.schema} CASCADE`)
      await sql(`DROP OWNED BY ${names.migrator}, ${names.runtime}`)
      await sql(`DROP ROLE IF EXISTS ${names.migrator}`)
      await sql(`DROP ROLE IF EXISTS ${names.runtime}`)
    })

    test('the runtime role may create nothing', async () => {
      const [row] = await sql<{ db: boolean; schema: boolean }>(
        'SELECT has_database_privilege($1, current_database(), \'CREATE\') AS db, has_schema_privilege($1, $2, \'CREATE\') AS schema',
        [names.runtime, names.schema],
      )
      assert.deepEqual(row, { db: false, schema: false })
    })

    test('an empty schema: serve --no-migrate refuses it, plain serve cannot migrate it', async () => {
      const noMigrate = await runWaymark(['serve', '--no-migrate', '--port', '0', '--store', runtimeUrl])
      assert.equal(noMigrate.code, 1)
      assert.equal(
        noMigrate.stderr,
        `waymark: cannot use the store ${runtimeUrl} (from --store): This database is at schema version 0 and this Waymark needs ${LATEST}; ` +
          '--no-migrate changes no schema: run `waymark migrate` (as a role that may create tables) first. Name another store with --store URL or WAYMARK_STORE=URL.\n',
      )
      const plain = await runWaymark(['serve', '--port', '0', '--store', runtimeUrl])
      assert.equal(plain.code, 1)
      assert.equal(
        plain.stderr,
        `waymark: cannot use the store ${runtimeUrl} (from --store): Cannot migrate this database from schema version 0 to ${LATEST}: permission denied for schema ${names.schema}. ` +
          'Run `waymark migrate` as a role that may create tables, and `serve --no-migrate` with the runtime role. Name another store with --store URL or WAYMARK_STORE=URL.\n',
      )
      assert.deepEqual(await sql('SELECT 1 FROM pg_tables WHERE schemaname = $1', [names.schema]), [], 'nothing was created')
    })

    test('a schema one version behind: refused by serve --no-migrate (WAYMARK_MIGRATE=off), then migrated by waymark migrate', async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL.replace('//postgres@', `//${names.migrator}@`), options: `-c search_path=${names.schema}` })
      await client.connect()
      try {
        await migrate(client as unknown as pg.PoolClient, { schema: names.schema, migrations: MIGRATIONS.slice(0, -1) })
      } finally {
        await client.end()
      }
      const behind = await runWaymark(['serve', '--port', '0', '--store', runtimeUrl], { WAYMARK_MIGRATE: 'off' })
      assert.equal(behind.code, 1)
      assert.ok(behind.stderr.startsWith(`waymark: cannot use the store ${runtimeUrl} (from --store): This database is at schema version ${LATEST - 1} and this Waymark needs ${LATEST}; `), behind.stderr)

      const migrated = await runWaymark(['migrate', '--store', migratorUrl])
      assert.equal(migrated.code, 0, migrated.stderr)
      const last = MIGRATIONS[MIGRATIONS.length - 1]
      assert.equal(migrated.stdout, `${migratorUrl}: schema version ${LATEST - 1} → ${LATEST} (applied ${last?.version} ${last?.name})\n`)
    })

    test('serve --no-migrate with the runtime role serves: the demo, Digest leases, tokens, a key created meanwhile, the change listener', async () => {
      const clientId = 'mdb_sa_id_65a1f0c2e4b0a1b2c3d4e5dd'
      const secret = 'mdb_sa_sk_least-privilege-secret'
      const fixture = JSON.stringify({ serviceAccounts: [{ clientId, clientSecret: secret, orgId: IDS.orgA, roles: [{ orgId: IDS.orgA, roleName: 'ORG_READ_ONLY' }] }] })
      const dir = await mkdtemp(join(tmpdir(), 'waymark-lp-'))
      const file = join(dir, 'account.json')
      await writeFile(file, fixture)
      server = await startServe(['--no-migrate', '--demo', '--fixtures', file, '--store', runtimeUrl, '--log-level', 'warn'])
      const base = server.url
      const get = (headers: Record<string, string>) => fetch(base + PATH, { headers }).then(async (r) => ({ status: r.status, body: await r.text(), challenge: r.headers.get('www-authenticate') }))

      const { nonce } = parseChallenge(String((await get({})).challenge))
      for (const nc of [1, 2]) {
        const answer = await get({ authorization: digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: PATH, nonce, nc }) })
        assert.equal(answer.status, 200, answer.body)
      }
      assert.equal((await sql('SELECT 1 FROM digest_nonce_leases WHERE nonce = $1', [nonce], names.schema)).length, 1)

      const formHeaders = { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }
      const issued = await fetch(`${base}/api/oauth/token`, { method: 'POST', headers: formHeaders, body: 'grant_type=client_credentials' })
      assert.equal(issued.status, 200)
      const token = ((await issued.json()) as { access_token: string }).access_token
      assert.equal((await get({ authorization: `Bearer ${token}` })).status, 200)
      assert.equal((await fetch(`${base}/api/oauth/revoke`, { method: 'POST', headers: formHeaders, body: `token=${token}` })).status, 200)
      assert.equal((await get({ authorization: `Bearer ${token}` })).status, 401)

      // Another command with the runtime role on the current schema (it runs no DDL), seen by the server.
      const created = await runWaymark(['apikey', 'create', '--org', IDS.orgA, '--project', `${IDS.projectA}:GROUP_READ_ONLY`, '--json', '--store', runtimeUrl])
      assert.equal(created.code, 0, created.stderr)
      const key = JSON.parse(created.stdout) as { publicKey: string; privateKey: string }
      const fresh = parseChallenge(String((await get({})).challenge)).nonce
      const withNewKey = await get({ authorization: digestAuthorization({ credentials: key, method: 'GET', uri: PATH, nonce: fresh, nc: 1 }) })
      assert.equal(withNewKey.status, 200, withNewKey.body)

      const listening = await sql<{ usename: string }>("SELECT usename FROM pg_stat_activity WHERE application_name = 'waymark-listen' AND usename = $1", [names.runtime])
      assert.equal(listening.length, 1, 'the change listener is connected as the runtime role')
      assert.equal((await fetch(`${base}/readyz`)).status, 200)

      server.child.kill('SIGINT')
      assert.equal((await server.exited).code, 0)
      assert.doesNotMatch(server.stdout() + server.stderr(), /permission denied|"level":50/)
      await rm(dir, { recursive: true, force: true })
    })

    test('a schema written by a newer Waymark: refused by serve --no-migrate', async () => {
      await sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', '2030-01-01T00:00:00Z')", [LATEST + 1], names.schema)
      const ahead = await runWaymark(['serve', '--no-migrate', '--port', '0', '--store', runtimeUrl])
      assert.equal(ahead.code, 1)
      assert.equal(
        ahead.stderr,
        `waymark: cannot use the store ${runtimeUrl} (from --store): This database was written by a newer Waymark (schema version ${LATEST + 1} > ${LATEST}); ` +
          'upgrade Waymark to open it. Name another store with --store URL or WAYMARK_STORE=URL.\n',
      )
    })
  })
}
