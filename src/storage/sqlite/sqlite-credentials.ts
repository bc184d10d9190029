import type Database from 'better-sqlite3'
import type { ApiKey, ServiceAccount } from '../../domain/types.js'
import type { DataSet } from '../../domain/data-set.js'
import { lastById } from '../rank-plan.js'
import {
  apiKeyFromRow,
  rolesToJson,
  serviceAccountFromRow,
  type ApiKeyRow,
  type ServiceAccountRow,
} from '../row-mapping.js'
import type { NamedSecret, RevokedToken } from '../store.js'

function prepare(db: Database.Database) {
  return {
    getApiKey: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE public_key = ?'),
    listApiKeys: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY public_key'),
    upsertApiKey: db.prepare<[string, string, string, string, string, string, string]>(
      `INSERT INTO api_keys (public_key, org_id, description, digest_ha1, roles, access_list, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (public_key) DO UPDATE SET org_id = excluded.org_id, description = excluded.description,
         digest_ha1 = excluded.digest_ha1, roles = excluded.roles, access_list = excluded.access_list,
         created_at = excluded.created_at`,
    ),
    deleteApiKey: db.prepare<[string]>('DELETE FROM api_keys WHERE public_key = ?'),
    getServiceAccount: db.prepare<[string], ServiceAccountRow>('SELECT * FROM service_accounts WHERE client_id = ?'),
    listServiceAccounts: db.prepare<[], ServiceAccountRow>('SELECT * FROM service_accounts ORDER BY client_id'),
    /** A replaced account keeps its stored uid (its identity); only a new one takes the uid given. */
    upsertServiceAccount: db.prepare<[string, string, string, string, string, string, string, string, string]>(
      `INSERT INTO service_accounts (client_id, uid, org_id, name, description, roles, secrets, access_list, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         description = excluded.description, roles = excluded.roles, secrets = excluded.secrets,
         access_list = excluded.access_list, created_at = excluded.created_at`,
    ),
    deleteServiceAccount: db.prepare<[string]>('DELETE FROM service_accounts WHERE client_id = ?'),
    getSecret: db.prepare<[string], { value: string }>('SELECT value FROM secrets WHERE name = ?'),
    insertSecret: db.prepare<[string, string]>('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)'),
    listSecrets: db.prepare<[], NamedSecret>('SELECT name, value FROM secrets ORDER BY name'),
    putSecret: db.prepare<[string, string]>(
      'INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    revokeToken: db.prepare<[string, number]>('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)'),
    forgetExpiredRevocations: db.prepare<[number]>('DELETE FROM revoked_tokens WHERE expires_at <= ?'),
    isTokenRevoked: db.prepare<[string]>('SELECT 1 FROM revoked_tokens WHERE jti = ?').pluck(),
    listRevokedTokens: db.prepare<[number], { jti: string; expires_at: number }>(
      'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ? ORDER BY jti',
    ),
  }
}

/** How many credentials {@link SqliteCredentials.writeSync} wrote. */
export interface CredentialsWritten {
  readonly apiKeys: number
  readonly serviceAccounts: number
}

/**
 * The credentials and tokens slot of the SQLite engine: API keys, service accounts, the server's named
 * secrets (the token signing key) and revoked access tokens. Synchronous, like better-sqlite3.
 */
export class SqliteCredentials {
  private readonly stmt: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.stmt = prepare(db)
  }

  getApiKey(publicKey: string): ApiKey | undefined {
    const row = this.stmt.getApiKey.get(publicKey)
    return row && apiKeyFromRow(row)
  }

  getServiceAccount(clientId: string): ServiceAccount | undefined {
    const row = this.stmt.getServiceAccount.get(clientId)
    return row && serviceAccountFromRow(row)
  }

  listApiKeys(): ApiKey[] {
    return this.stmt.listApiKeys.all().map(apiKeyFromRow)
  }

  listServiceAccounts(): ServiceAccount[] {
    return this.stmt.listServiceAccounts.all().map(serviceAccountFromRow)
  }

  deleteApiKey(publicKey: string): boolean {
    return this.stmt.deleteApiKey.run(publicKey).changes === 1
  }

  deleteServiceAccount(clientId: string): boolean {
    return this.stmt.deleteServiceAccount.run(clientId).changes === 1
  }

  /** Records a revoked token, forgetting those expired by `nowSeconds` first. */
  revokeToken(jti: string, expiresAtSeconds: number, nowSeconds: number): void {
    this.stmt.forgetExpiredRevocations.run(nowSeconds)
    this.stmt.revokeToken.run(jti, expiresAtSeconds)
  }

  isTokenRevoked(jti: string): boolean {
    return this.stmt.isTokenRevoked.get(jti) !== undefined
  }

  listRevokedTokens(nowSeconds: number): RevokedToken[] {
    return this.stmt.listRevokedTokens.all(nowSeconds).map((row) => ({ jti: row.jti, expiresAtSeconds: row.expires_at }))
  }

  getOrCreateSecret(name: string, create: () => string): string {
    const existing = this.stmt.getSecret.get(name)
    if (existing) return existing.value
    this.stmt.insertSecret.run(name, create())
    const row = this.stmt.getSecret.get(name)
    if (!row) throw new Error(`Secret ${name} could not be stored`)
    return row.value
  }

  listSecrets(): NamedSecret[] {
    return this.stmt.listSecrets.all().map((row) => ({ name: row.name, value: row.value }))
  }

  putSecret(name: string, value: string): void {
    this.stmt.putSecret.run(name, value)
  }

  /** Upserts the data set's API keys and service accounts (the last of each key wins). */
  writeSync(data: Pick<DataSet, 'apiKeys' | 'serviceAccounts'>): CredentialsWritten {
    const s = this.stmt
    const apiKeys = lastById(data.apiKeys, (k) => k.publicKey)
    for (const k of apiKeys) {
      s.upsertApiKey.run(k.publicKey, k.orgId, k.description, k.digestHa1, rolesToJson(k.roles), JSON.stringify(k.accessList), k.createdAt)
    }
    const serviceAccounts = lastById(data.serviceAccounts, (a) => a.clientId)
    for (const a of serviceAccounts) {
      s.upsertServiceAccount.run(
        a.clientId,
        a.uid,
        a.orgId,
        a.name,
        a.description,
        rolesToJson(a.roles),
        JSON.stringify(a.secrets),
        JSON.stringify(a.accessList),
        a.createdAt,
      )
    }
    return { apiKeys: apiKeys.length, serviceAccounts: serviceAccounts.length }
  }
}
