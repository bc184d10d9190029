import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import {
  LATEST_SCHEMA_VERSION as SQLITE_LATEST,
  MIGRATIONS as SQLITE_MIGRATIONS,
  migrate as migrateSqlite,
} from '../../src/storage/sqlite/sqlite-migrations.js'
import {
  LATEST_SCHEMA_VERSION as POSTGRES_LATEST,
  MIGRATIONS as POSTGRES_MIGRATIONS,
  migrate as migratePostgres,
} from '../../src/storage/postgres/postgres-migrations.js'
import {
  POSTGRES_URL,
  dropSchema,
  freshSchemaName,
  postgresUnreachable,
  reportUnreachable,
  schemaUrl,
  sql,
} from '../helpers/postgres.js'
import { runWaymark as waymark } from '../helpers/cli-process.js'




const FUTURE = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', '2030-01-01T00:00:00Z')"

describe('waymark migrate on SQLite', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-migrate-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  test('migrates a new database, then says it is already current', async () => {
    const store = `sqlite:${join(dir, 'fresh.sqlite')}`
    const first = await waymark(['migrate', '--store', store])
    assert.equal(first.code, 0, first.stderr)
    assert.equal(
      first.stdout,
      `${store}: schema version 0 → ${SQLITE_LATEST} (applied ${SQLITE_MIGRATIONS.map((m) => `${m.version} ${m.name}`).join('; ')})\n`,
    )
    const second = await waymark(['migrate', '--store', store])
    assert.equal(second.code, 0, second.stderr)
    assert.equal(second.stdout, `${store}: already at schema version ${SQLITE_LATEST}\n`)
  })

  test('applies only the pending migrations of an older database; the store may come from WAYMARK_STORE', async () => {
    const file = join(dir, 'older.sqlite')
    const db = new Database(file)
    migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 1))
    db.close()
    const res = await waymark(['migrate'], { WAYMARK_STORE: `sqlite:${file}` })
    assert.equal(res.code, 0, res.stderr)
    const pending = SQLITE_MIGRATIONS.slice(1).map((m) => `${m.version} ${m.name}`).join('; ')
    assert.equal(res.stdout, `sqlite:${file}: schema version 1 → ${SQLITE_LATEST} (applied ${pending})\n`)
    const check = new Database(file, { readonly: true })
    const versions = check.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()
    check.close()
    assert.deepEqual(versions, SQLITE_MIGRATIONS.map((m) => m.version))
  })

  test('refuses a database written by a newer Waymark, exit 1, and changes nothing', async () => {
    const file = join(dir, 'newer.sqlite')
    assert.equal((await waymark(['migrate', '--store', `sqlite:${file}`])).code, 0)
    const db = new Database(file)
    db.prepare(FUTURE.replace('$1', '?')).run(SQLITE_LATEST + 1)
    db.close()
    const res = await waymark(['migrate', '--store', `sqlite:${file}`])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.equal(
      res.stderr,
      `waymark: cannot use the store sqlite:${file} (from --store): This database was written by a newer Waymark (schema version ${SQLITE_LATEST + 1} > ${SQLITE_LATEST}); ` +
        'upgrade Waymark to open it. Name another store with --store URL or WAYMARK_STORE=URL.\n',
    )
    const check = new Database(file, { readonly: true })
    assert.equal(check.prepare('SELECT count(*) FROM schema_migrations').pluck().get(), SQLITE_MIGRATIONS.length + 1)
    check.close()
  })

  test('--help, and a wrong command line exits 2', async () => {
    const help = await waymark(['migrate', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Usage: waymark migrate/)
    const bad = await waymark(['migrate', '--nope'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /unknown option/)
  })
})

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('waymark migrate on PostgreSQL', why, process.env.CI === 'true')
} else {
  describe('waymark migrate on PostgreSQL', () => {
    const schemas: string[] = []
    const fresh = (): string => {
      const schema = freshSchemaName()
      schemas.push(schema)
      return schema
    }
    after(async () => {
      for (const schema of schemas) await dropSchema(schema)
    })

    test('migrates a new schema, then says it is already current', async () => {
      const store = schemaUrl(fresh())
      const first = await waymark(['migrate', '--store', store])
      assert.equal(first.code, 0, first.stderr)
      const all = POSTGRES_MIGRATIONS.map((m) => `${m.version} ${m.name}`).join('; ')
      assert.equal(first.stdout, `${store}: schema version 0 → ${POSTGRES_LATEST} (applied ${all})\n`)
      const second = await waymark(['migrate', '--store', store])
      assert.equal(second.code, 0, second.stderr)
      assert.equal(second.stdout, `${store}: already at schema version ${POSTGRES_LATEST}\n`)
    })

    test('applies only the pending migrations of an older schema', async () => {
      const schema = fresh()
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` })
      const client = await pool.connect()
      try {
        await migratePostgres(client, { schema, migrations: POSTGRES_MIGRATIONS.slice(0, 1) })
      } finally {
        client.release()
        await pool.end()
      }
      const res = await waymark(['migrate', '--store', schemaUrl(schema)])
      assert.equal(res.code, 0, res.stderr)
      const pending = POSTGRES_MIGRATIONS.slice(1).map((m) => `${m.version} ${m.name}`).join('; ')
      assert.equal(res.stdout, `${schemaUrl(schema)}: schema version 1 → ${POSTGRES_LATEST} (applied ${pending})\n`)
      const rows = await sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version', [], schema)
      assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((m) => m.version))
    })

    test('refuses a schema written by a newer Waymark, exit 1, and changes nothing', async () => {
      const schema = fresh()
      assert.equal((await waymark(['migrate', '--store', schemaUrl(schema)])).code, 0)
      await sql(FUTURE, [POSTGRES_LATEST + 1], schema)
      const res = await waymark(['migrate', '--store', schemaUrl(schema)])
      assert.equal(res.code, 1)
      assert.equal(res.stdout, '')
      assert.equal(
        res.stderr,
        `waymark: cannot use the store ${schemaUrl(schema)} (from --store): This database was written by a newer Waymark (schema version ${POSTGRES_LATEST + 1} > ${POSTGRES_LATEST}); ` +
          'upgrade Waymark to open it. Name another store with --store URL or WAYMARK_STORE=URL.\n',
      )
      const rows = await sql('SELECT version FROM schema_migrations', [], schema)
      assert.equal(rows.length, POSTGRES_MIGRATIONS.length + 1)
    })

    test('a password in the store URL is not printed', async () => {
      const schema = fresh()
      // Trust authentication ignores the password; the output must not show it.
      const store = schemaUrl(schema).replace('postgres@', 'postgres:hunter2@')
      const res = await waymark(['migrate', '--store', store])
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout.includes('hunter2'), false)
      assert.ok(res.stdout.startsWith(`${store.replace('hunter2', '***')}: schema version 0 → `), res.stdout)
    })
  })
}
