import { randomUUID } from 'node:crypto'
import { generateApiKeySecrets } from '../auth/api-key-secrets.js'
import { newClientId, newClientSecret } from '../auth/client-secrets.js'
import type { ApiKey, ServiceAccount, ServiceAccountSecret } from '../domain/types.js'
import { OBJECT_ID_PATTERN } from '../fixtures/fixture-schema.js'
import { ApiError } from '../errors.js'
import type { Store } from '../storage/store.js'
import { bodyObject, mergePatch, only, validateEntry, type JsonObject } from './admin-bodies.js'
import { FieldViolationsError, type FieldViolation } from './field-violations.js'

/** A placeholder that passes the fixture rules while a patch leaves the stored secret as it is. */
const KEEP_PRIVATE_KEY = '00000000-0000-0000-0000-000000000000'
const KEEP_CLIENT_SECRET = 'kept-secret'

/** What a create answers: the record, and the secret once when Waymark generated it. */
export interface Created<T> {
  readonly record: T
  /** The generated private key or client secret; undefined when the body gave it. */
  readonly secret: string | undefined
}

/** The fields a new secret of a service account may name; the others come from the account. */
const SECRET_FIELDS = ['id', 'clientSecret', 'secretExpiresAt']

/**
 * API keys and service accounts, checked as fixture entries: the one implementation behind the admin API
 * and the CLI's `apikey` and `service-account` commands. Private keys and client secrets are stored only as
 * their Digest hash and scrypt hash; a generated one is answered once. Every change is one `Store` write,
 * so a deleted key, account or secret is refused at once by every server on the store.
 */
export class AdminCredentials {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  // --- API keys ---

  async listApiKeys(orgId: string | undefined): Promise<ApiKey[]> {
    const all = await this.store.listApiKeys()
    return orgId === undefined ? all : all.filter((k) => k.orgId === orgId)
  }

  async apiKey(publicKey: string | undefined): Promise<ApiKey> {
    const key = publicKey === undefined ? undefined : await this.store.getApiKey(publicKey)
    if (!key) throw new ApiError('API_KEY_NOT_FOUND', [publicKey ?? ''])
    return key
  }

  async createApiKey(body: unknown): Promise<Created<ApiKey>> {
    const entry = bodyObject(body)
    const privateKey = entry['privateKey'] === undefined ? randomUUID() : undefined
    const publicKey = entry['publicKey'] ?? (await this.unusedPublicKey())
    const fields = { ...entry, publicKey, privateKey: entry['privateKey'] ?? privateKey }
    const key = await validateEntry('apiKeys', fields, this.store, this.date(), async (k) => {
      if (await this.store.getApiKey(k.publicKey)) throw new ApiError('DUPLICATE_ID', ['API key', k.publicKey])
    })
    await this.store.apply(only('apiKeys', key))
    return { record: await this.apiKey(key.publicKey), secret: privateKey }
  }

  /** A new private key (`privateKey`) replaces the stored hash; without one the key keeps its own. */
  async updateApiKey(publicKey: string | undefined, body: unknown): Promise<ApiKey> {
    const current = await this.apiKey(publicKey)
    const patch = bodyObject(body)
    const input: JsonObject = {
      publicKey: current.publicKey,
      privateKey: KEEP_PRIVATE_KEY,
      orgId: current.orgId,
      description: current.description,
      roles: current.roles,
      accessList: current.accessList,
    }
    const entry = mergePatch(input, patch, ['publicKey', 'orgId'])
    const checked = await validateEntry('apiKeys', entry, this.store, this.date())
    const digestHa1 = patch['privateKey'] === undefined ? current.digestHa1 : checked.digestHa1
    await this.store.apply(only('apiKeys', { ...checked, digestHa1, createdAt: current.createdAt }))
    return this.apiKey(current.publicKey)
  }

  async deleteApiKey(publicKey: string | undefined): Promise<void> {
    if (publicKey === undefined || !(await this.store.deleteApiKey(publicKey))) {
      throw new ApiError('API_KEY_NOT_FOUND', [publicKey ?? ''])
    }
  }

  // --- service accounts ---

  async listServiceAccounts(orgId: string | undefined): Promise<ServiceAccount[]> {
    const all = await this.store.listServiceAccounts()
    return orgId === undefined ? all : all.filter((a) => a.orgId === orgId)
  }

  async serviceAccount(clientId: string | undefined): Promise<ServiceAccount> {
    const account = clientId === undefined ? undefined : await this.store.getServiceAccount(clientId)
    if (!account) throw new ApiError('SERVICE_ACCOUNT_NOT_FOUND', [clientId ?? ''])
    return account
  }

  async createServiceAccount(body: unknown): Promise<Created<ServiceAccount>> {
    const entry = bodyObject(body)
    const clientSecret = entry['clientSecret'] === undefined ? newClientSecret() : undefined
    const clientId = entry['clientId'] ?? (await this.unusedClientId())
    const account = await validateEntry(
      'serviceAccounts',
      { ...entry, clientId, clientSecret: entry['clientSecret'] ?? clientSecret },
      this.store,
      this.date(),
      async (a) => {
        if (await this.store.getServiceAccount(a.clientId)) throw new ApiError('DUPLICATE_ID', ['Service account', a.clientId])
      },
    )
    await this.store.apply(only('serviceAccounts', account))
    return { record: await this.serviceAccount(account.clientId), secret: clientSecret }
  }

  /**
   * A `clientSecret` replaces every secret of the account with that one (expiring at `secretExpiresAt`,
   * or in a year); `secretExpiresAt` alone moves the expiry of every current secret.
   */
  async updateServiceAccount(clientId: string | undefined, body: unknown): Promise<ServiceAccount> {
    const current = await this.serviceAccount(clientId)
    const patch = bodyObject(body)
    const input: JsonObject = {
      clientId: current.clientId,
      clientSecret: KEEP_CLIENT_SECRET,
      orgId: current.orgId,
      name: current.name,
      description: current.description,
      roles: current.roles,
      accessList: current.accessList,
    }
    const entry = mergePatch(input, patch, ['clientId', 'orgId'])
    const checked = await validateEntry('serviceAccounts', entry, this.store, this.date(), undefined, patch['clientSecret'] !== undefined)
    const expiresAt = checked.secrets[0]?.expiresAt
    const secrets =
      patch['clientSecret'] !== undefined
        ? checked.secrets
        : patch['secretExpiresAt'] !== undefined && expiresAt !== undefined
          ? current.secrets.map((s) => ({ ...s, expiresAt }))
          : current.secrets
    await this.store.apply(only('serviceAccounts', { ...checked, secrets, createdAt: current.createdAt }))
    return this.serviceAccount(current.clientId)
  }

  /**
   * One more secret beside the account's others, for rotation: `id` and `clientSecret` are generated when
   * left out (a generated secret is answered this once), `secretExpiresAt` defaults to a year from now.
   */
  async addServiceAccountSecret(clientId: string | undefined, body: unknown): Promise<Created<ServiceAccountSecret> & { readonly account: ServiceAccount }> {
    const current = await this.serviceAccount(clientId)
    const entry = bodyObject(body)
    const violations: FieldViolation[] = Object.keys(entry)
      .filter((field) => !SECRET_FIELDS.includes(field))
      .map((field) => ({ field, description: `${field} is not a field of a new secret (${SECRET_FIELDS.join(', ')})` }))
    const id = entry['id']
    if (id !== undefined && (typeof id !== 'string' || !OBJECT_ID_PATTERN.test(id))) {
      violations.push({ field: 'id', description: `id must be 24 lower-case hex characters, not ${JSON.stringify(id)}` })
    }
    if (violations.length > 0) throw new FieldViolationsError(violations)
    if (typeof id === 'string' && current.secrets.some((s) => s.id === id)) throw new ApiError('DUPLICATE_ID', ['Secret', id])
    const clientSecret = entry['clientSecret'] === undefined ? newClientSecret() : undefined
    const checked = await validateEntry(
      'serviceAccounts',
      {
        clientId: current.clientId,
        clientSecret: entry['clientSecret'] ?? clientSecret,
        ...(entry['secretExpiresAt'] !== undefined ? { secretExpiresAt: entry['secretExpiresAt'] } : {}),
        orgId: current.orgId,
        name: current.name,
        description: current.description,
        roles: current.roles,
        accessList: current.accessList,
      },
      this.store,
      this.date(),
    )
    const made = checked.secrets[0]
    if (made === undefined) throw new Error('addServiceAccountSecret: a valid entry came out without its secret')
    const secret = typeof id === 'string' ? { ...made, id } : made
    await this.store.apply(only('serviceAccounts', { ...current, secrets: [...current.secrets, secret] }))
    return { record: secret, secret: clientSecret, account: await this.serviceAccount(current.clientId) }
  }

  /** Removes one secret: it gets no more tokens. The account stays, with its other secrets. */
  async deleteServiceAccountSecret(clientId: string | undefined, secretId: string | undefined): Promise<ServiceAccount> {
    const current = await this.serviceAccount(clientId)
    if (secretId === undefined || !current.secrets.some((s) => s.id === secretId)) {
      throw new ApiError('SERVICE_ACCOUNT_SECRET_NOT_FOUND', [secretId ?? '', current.clientId])
    }
    await this.store.apply(only('serviceAccounts', { ...current, secrets: current.secrets.filter((s) => s.id !== secretId) }))
    return this.serviceAccount(current.clientId)
  }

  async deleteServiceAccount(clientId: string | undefined): Promise<void> {
    if (clientId === undefined || !(await this.store.deleteServiceAccount(clientId))) {
      throw new ApiError('SERVICE_ACCOUNT_NOT_FOUND', [clientId ?? ''])
    }
  }

  private async unusedPublicKey(): Promise<string> {
    for (;;) {
      const { publicKey } = generateApiKeySecrets()
      if (!(await this.store.getApiKey(publicKey))) return publicKey
    }
  }

  private async unusedClientId(): Promise<string> {
    for (;;) {
      const clientId = newClientId()
      if (!(await this.store.getServiceAccount(clientId))) return clientId
    }
  }

  private date(): Date {
    return new Date(this.now())
  }
}
