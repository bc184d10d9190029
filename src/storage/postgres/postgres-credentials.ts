import type pg from 'pg'
import type { PoolClient, QueryResultRow } from 'pg'
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
import type { NamedSecret, RevokedToken, StoreClock } from '../store.js'
import { holdsNul, notifying, readNamed, write } from './postgres-connection.js'

/** The statements of the credentials slot, prepared once per connection by name. */
const READS = {
  getApiKey: 'SELECT * FROM api_keys WHERE public_key = $1',
  getServiceAccount: 'SELECT * FROM service_accounts WHERE client_id = $1',
  isTokenRevoked: 'SELECT 1 FROM revoked_tokens WHERE jti = $1',
  getSecret: 'SELECT value FROM secrets WHERE name = $1',
  listApiKeys: 'SELECT * FROM api_keys ORDER BY public_key COLLATE "C"',
  listServiceAccounts: 'SELECT * FROM service_accounts ORDER BY client_id COLLATE "C"',
  listSecrets: 'SELECT name, value FROM secrets ORDER BY name COLLATE "C"',
  listRevokedTokens: 'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > $1 ORDER BY jti COLLATE "C"',
} as const

/** How many credentials {@link writeCredentials} wrote. */
export interface CredentialsWritten {
  readonly apiKeys: number
  readonly serviceAccounts: number
}

/**
 * The credentials and tokens slot of the PostgreSQL engine: API keys, service accounts, the server's
 * named secrets (the token signing key) and revoked access tokens.
 */
export class PostgresCredentials {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: StoreClock,
  ) {}

  private read<R extends QueryResultRow>(name: keyof typeof READS, values: unknown[] = []): Promise<R[]> {
    return readNamed<R>(this.pool, name, READS[name], values)
  }

  async getApiKey(publicKey: string): Promise<ApiKey | undefined> {
    if (holdsNul(publicKey)) return undefined
    const [row] = await this.read<ApiKeyRow>('getApiKey', [publicKey])
    return row && apiKeyFromRow(row)
  }

  async getServiceAccount(clientId: string): Promise<ServiceAccount | undefined> {
    if (holdsNul(clientId)) return undefined
    const [row] = await this.read<ServiceAccountRow>('getServiceAccount', [clientId])
    return row && serviceAccountFromRow(row)
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.read<ApiKeyRow>('listApiKeys')).map(apiKeyFromRow)
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    return (await this.read<ServiceAccountRow>('listServiceAccounts')).map(serviceAccountFromRow)
  }

  async deleteApiKey(publicKey: string): Promise<boolean> {
    if (holdsNul(publicKey)) return false
    return (await notifying(this.pool, 'DELETE FROM api_keys WHERE public_key = $1', [publicKey])) === 1
  }

  async deleteServiceAccount(clientId: string): Promise<boolean> {
    if (holdsNul(clientId)) return false
    return (await notifying(this.pool, 'DELETE FROM service_accounts WHERE client_id = $1', [clientId])) === 1
  }

  async revokeToken(jti: string, expiresAtSeconds: number): Promise<void> {
    await this.pool.query('DELETE FROM revoked_tokens WHERE expires_at <= $1', [Math.floor(this.clock() / 1000)])
    await notifying(
      this.pool,
      'INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING',
      [jti, Math.floor(expiresAtSeconds)],
    )
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    return (await this.read('isTokenRevoked', [jti])).length > 0
  }

  async listRevokedTokens(nowSeconds: number): Promise<RevokedToken[]> {
    // BIGINT comes back as a string.
    const rows = await this.read<{ jti: string; expires_at: string }>('listRevokedTokens', [Math.floor(nowSeconds)])
    return rows.map((row) => ({ jti: row.jti, expiresAtSeconds: Number(row.expires_at) }))
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const [existing] = await this.read<{ value: string }>('getSecret', [name])
    if (existing) return existing.value
    await notifying(this.pool, 'INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      create(),
    ])
    const [row] = await this.read<{ value: string }>('getSecret', [name])
    if (!row) throw new Error(`Secret ${name} could not be stored`)
    return row.value
  }

  async listSecrets(): Promise<NamedSecret[]> {
    const rows = await this.read<{ name: string; value: string }>('listSecrets')
    return rows.map((row) => ({ name: row.name, value: row.value }))
  }

  async putSecret(name: string, value: string): Promise<void> {
    await notifying(
      this.pool,
      'INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      [name, value],
    )
  }
}

/** Upserts the data set's API keys and service accounts inside the caller's write transaction. */
export async function writeCredentials(client: PoolClient, data: Pick<DataSet, 'apiKeys' | 'serviceAccounts'>): Promise<CredentialsWritten> {
  const apiKeys = lastById(data.apiKeys, (k) => k.publicKey)
  if (apiKeys.length > 0) {
    await write(
      client,
      `INSERT INTO api_keys (public_key, org_id, description, digest_ha1, roles, access_list, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (public_key) DO UPDATE SET org_id = excluded.org_id, description = excluded.description,
         digest_ha1 = excluded.digest_ha1, roles = excluded.roles, access_list = excluded.access_list,
         created_at = excluded.created_at`,
      [
        apiKeys.map((k) => k.publicKey),
        apiKeys.map((k) => k.orgId),
        apiKeys.map((k) => k.description),
        apiKeys.map((k) => k.digestHa1),
        apiKeys.map((k) => rolesToJson(k.roles)),
        apiKeys.map((k) => JSON.stringify(k.accessList)),
        apiKeys.map((k) => k.createdAt),
      ],
    )
  }
  const serviceAccounts = lastById(data.serviceAccounts, (a) => a.clientId)
  if (serviceAccounts.length > 0) {
    await write(
      client,
      // A replaced account keeps its stored uid (its identity); only a new one takes the uid given.
      `INSERT INTO service_accounts (client_id, org_id, name, description, roles, secrets, access_list, created_at, uid)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[])
       ON CONFLICT (client_id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
         description = excluded.description, roles = excluded.roles, secrets = excluded.secrets,
         access_list = excluded.access_list, created_at = excluded.created_at`,
      [
        serviceAccounts.map((a) => a.clientId),
        serviceAccounts.map((a) => a.orgId),
        serviceAccounts.map((a) => a.name),
        serviceAccounts.map((a) => a.description),
        serviceAccounts.map((a) => rolesToJson(a.roles)),
        serviceAccounts.map((a) => JSON.stringify(a.secrets)),
        serviceAccounts.map((a) => JSON.stringify(a.accessList)),
        serviceAccounts.map((a) => a.createdAt),
        serviceAccounts.map((a) => a.uid),
      ],
    )
  }
  return { apiKeys: apiKeys.length, serviceAccounts: serviceAccounts.length }
}
