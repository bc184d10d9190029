import type { PoolClient } from 'pg'
import { migrationDeniedError, newerSchemaError, olderSchemaError } from '../schema-version.js'
import type { SchemaMigration } from '../store.js'

/** One schema step. Versions only grow; a released migration is never edited, a new one is added. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * The PostgreSQL schema, in order: the same tables and columns as the SQLite engine's versions 1 and 2.
 *
 * JSON values are kept as TEXT (written and read by the same code as SQLite's). `checkpoints.seq` is a
 * dense rank within a cluster: ordering by seq equals ordering by (timestamp, id), and a cluster's seqs
 * are the contiguous integers min..max, so paging and counting use only the (cluster_id, seq) index. The
 * index is not unique because renumbering passes through duplicates. Checkpoint ids and timestamps are
 * compared byte-wise (COLLATE "C"), as JavaScript compares strings, whatever the database's collation.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations (id),
        name TEXT NOT NULL
      );
      CREATE INDEX projects_org ON projects (org_id);
      CREATE TABLE clusters (
        id TEXT PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES projects (id),
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        backup TEXT NOT NULL,
        fcv TEXT NOT NULL,
        shards TEXT NOT NULL,
        config_server TEXT,
        UNIQUE (group_id, name)
      );
      CREATE TABLE checkpoints (
        id TEXT COLLATE "C" PRIMARY KEY,
        cluster_id TEXT NOT NULL REFERENCES clusters (id),
        group_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        timestamp TEXT COLLATE "C" NOT NULL,
        started TEXT NOT NULL,
        completed TEXT,
        restorable BOOLEAN NOT NULL,
        parts TEXT NOT NULL
      );
      CREATE INDEX checkpoints_cluster_seq ON checkpoints (cluster_id, seq);
      CREATE TABLE api_keys (
        public_key TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations (id),
        description TEXT NOT NULL,
        digest_ha1 TEXT NOT NULL,
        roles TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'access lists, service accounts, revoked tokens',
    sql: `
      ALTER TABLE api_keys ADD COLUMN access_list TEXT NOT NULL DEFAULT '[]';
      CREATE TABLE service_accounts (
        client_id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations (id),
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        roles TEXT NOT NULL,
        secrets TEXT NOT NULL,
        access_list TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE revoked_tokens (
        jti TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
    `,
  },
  {
    version: 3,
    name: 'digest nonce uses shared by every instance',
    sql: `
      CREATE TABLE digest_nonce_uses (
        nonce TEXT NOT NULL,
        nc BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (nonce, nc)
      );
      CREATE INDEX digest_nonce_uses_expiry ON digest_nonce_uses (expires_at);
    `,
  },
  // The partial index finds the restorable checkpoints that leave the point-in-time window (producer).
  {
    version: 4,
    name: 'cluster checkpoint schedules',
    sql: `
      ALTER TABLE clusters ADD COLUMN checkpoint_interval_min INTEGER;
      ALTER TABLE clusters ADD COLUMN pit_window_hours INTEGER NOT NULL DEFAULT 24;
      CREATE INDEX checkpoints_restorable ON checkpoints (cluster_id, timestamp) WHERE restorable;
    `,
  },
  // One lease row per Digest nonce instead of one row per accepted nc: the process holding the lease
  // checks every further nc in memory (src/auth/nonces.ts). The per-nc records are dropped: instances of
  // an older build still running on this store then answer Digest with 503 (fail closed) until replaced.
  {
    version: 5,
    name: 'digest nonce leases replace per-nc uses',
    sql: `
      DROP TABLE digest_nonce_uses;
      CREATE TABLE digest_nonce_leases (
        nonce TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX digest_nonce_leases_expiry ON digest_nonce_leases (expires_at);
    `,
  },
  // A service account's own identity (ServiceAccount.uid), which access tokens carry: a token then dies
  // with its account even when another account is later created with the same client id. Accounts
  // stored before get one now; the tokens issued to them before carry none and are refused.
  {
    version: 6,
    name: 'service account identity for tokens',
    sql: `
      ALTER TABLE service_accounts ADD COLUMN uid TEXT;
      UPDATE service_accounts SET uid = md5(random()::text || clock_timestamp()::text || client_id);
      ALTER TABLE service_accounts ALTER COLUMN uid SET NOT NULL;
    `,
  },
  // What readiness writes to learn that writes succeed again after a full or failing disk
  // (Store.checkWritable): one row, rewritten by each probe.
  {
    version: 7,
    name: 'write probe',
    sql: `
      CREATE TABLE write_probe (
        id INTEGER PRIMARY KEY,
        probed_at BIGINT NOT NULL
      );
    `,
  },
  // What the discovery endpoints show of projects and clusters (docs/behaviour.md#discovery): optional,
  // NULL meaning the default, so existing rows need no rewrite. Clusters keep theirs as one JSON object of
  // the fields that are set (DEPLOYMENT_FIELDS of domain/deployment.ts). Lists by organization and project use
  // the existing indexes (projects_org; the UNIQUE (group_id, name) of clusters).
  {
    version: 8,
    name: 'project and cluster fields of the discovery endpoints',
    sql: `
      ALTER TABLE projects ADD COLUMN created_at TEXT;
      ALTER TABLE projects ADD COLUMN tags TEXT;
      ALTER TABLE clusters ADD COLUMN deployment TEXT;
    `,
  },
  // The timeline (Store.tallyCheckpoints, the admin API's …/timeline): checkpoints by time, with their dense
  // rank, so a range's count is two index seeks; and the few not restorable because in progress or
  // because a token was not discovered (why the predicate is exact: row-mapping.ts, UNDISCOVERED_TOKEN), so each range
  // counts those by index too. The last predicate is repeated word for word by the queries.
  {
    version: 9,
    name: 'checkpoint timeline indexes',
    sql: `
      CREATE INDEX checkpoints_cluster_time ON checkpoints (cluster_id, timestamp, seq);
      CREATE INDEX checkpoints_in_progress ON checkpoints (cluster_id, timestamp)
        WHERE NOT restorable AND completed IS NULL;
      CREATE INDEX checkpoints_undiscovered ON checkpoints (cluster_id, timestamp)
        WHERE NOT restorable AND completed IS NOT NULL AND (parts ~ ',false,"[0-9]' OR strpos(parts, '"tokenDiscovered":false') > 0);
    `,
  },
  // Legacy backup around checkpoints (docs/behaviour.md#snapshots): see the SQLite engine's migration 10.
  {
    version: 10,
    name: 'legacy backup snapshots and snapshot schedules',
    sql: `
      CREATE TABLE snapshots (
        id TEXT COLLATE "C" PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        created TEXT COLLATE "C" NOT NULL,
        completed_at TEXT,
        expires TEXT COLLATE "C",
        expires_explicit BOOLEAN NOT NULL,
        do_not_delete BOOLEAN NOT NULL,
        incremental BOOLEAN NOT NULL,
        parts TEXT NOT NULL
      );
      CREATE INDEX snapshots_cluster_created ON snapshots (cluster_id, created, id);
      CREATE INDEX snapshots_expires ON snapshots (expires) WHERE expires IS NOT NULL;
      CREATE TABLE snapshot_settings (
        cluster_id TEXT PRIMARY KEY,
        settings TEXT NOT NULL
      );
    `,
  },
  // Legacy backup restore jobs (docs/behaviour.md#restore-jobs): see the SQLite engine's migration 11.
  {
    version: 11,
    name: 'legacy backup restore jobs',
    sql: `
      CREATE TABLE restore_jobs (
        id TEXT COLLATE "C" PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        batch_id TEXT,
        created TEXT COLLATE "C" NOT NULL,
        target_cluster_id TEXT,
        downloads INTEGER NOT NULL,
        hash TEXT,
        ended_status TEXT,
        ended_at TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX restore_jobs_cluster_created ON restore_jobs (cluster_id, created, id);
      CREATE INDEX restore_jobs_batch ON restore_jobs (batch_id) WHERE batch_id IS NOT NULL;
      CREATE INDEX restore_jobs_target ON restore_jobs (target_cluster_id) WHERE target_cluster_id IS NOT NULL;
    `,
  },
]

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0)

/**
 * First key of the advisory locks Waymark takes (the second is a hash of the schema name), so that
 * Waymark's locks do not collide with other applications' on the same database.
 */
export const ADVISORY_LOCK_KEY = 0x57a9_3a4b

/** Double-quotes an identifier for SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * Brings the schema up to {@link LATEST_SCHEMA_VERSION} in one transaction holding an advisory lock, so
 * that two processes opening a new database at once do not both migrate it. Creates `schema` first when
 * given and missing (the connection's search_path must already name it). Runs no DDL at all when the
 * schema is already current, so a role with only DML privileges can open a migrated database. Throws,
 * writing nothing, when the database was written by a newer Waymark, and says what to do when the role
 * may not migrate. Returns the version found, the version now and what was applied.
 */
export async function migrate(
  client: PoolClient,
  options: { schema?: string; migrations?: readonly Migration[] } = {},
): Promise<SchemaMigration> {
  const migrations = options.migrations ?? MIGRATIONS
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  await client.query('BEGIN')
  let current = 0
  try {
    // The lock is keyed by the schema name, which exists before the schema does.
    const lockKey = options.schema ?? null
    await client.query(
      `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY},
         hashtext('migrate:' || coalesce($1::text, current_schema())))`,
      [lockKey],
    )
    // CREATE … IF NOT EXISTS checks the CREATE privilege before it looks: only what is missing is created.
    if (options.schema !== undefined) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [options.schema])
      if (rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(options.schema)}`)
    }
    current = await schemaVersion(client)
    if (current > latest) throw newerSchemaError(current, latest)
    const applied: Array<{ version: number; name: string }> = []
    const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > current)
    if (pending.length > 0 && current === 0) {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`)
    }
    for (const m of pending) {
      await client.query(m.sql)
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        new Date().toISOString().slice(0, 19) + 'Z',
      ])
      applied.push({ version: m.version, name: m.name })
    }
    await client.query('COMMIT')
    return { from: current, to: Math.max(current, latest), applied }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    if (error instanceof Error && (error as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE) {
      throw migrationDeniedError(current, latest, error)
    }
    throw error
  }
}

/**
 * `serve --no-migrate`: the schema version, checked without any DDL (no CREATE SCHEMA, no CREATE TABLE,
 * no lock): a role with only SELECT on `schema_migrations` may run it. Throws unless the database is at
 * exactly the version this build knows.
 */
export async function checkSchemaVersion(client: PoolClient, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaMigration> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  const current = await schemaVersion(client)
  if (current > latest) throw newerSchemaError(current, latest)
  if (current < latest) throw olderSchemaError(current, latest)
  return { from: current, to: current, applied: [] }
}

/** The newest version recorded in `schema_migrations` of the search_path's schema; 0 when there is no such table. */
async function schemaVersion(client: PoolClient): Promise<number> {
  const { rows: found } = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")
  if (found[0]?.t == null) return 0
  const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
  return rows[0]?.v ?? 0
}

/** SQLSTATE insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501'
