import type { ApiKey, Checkpoint, Cluster, Organization, Project, ServiceAccount } from '../domain/types.js'

/**
 * A small typed client of the admin API (docs/admin-api.md) for test suites: the clock, histories, records,
 * fixture documents and resets. Uses Node's own `fetch`; every refusal throws a {@link WaymarkAdminError}
 * carrying the API's error body.
 */

/** The server's clock. */
export interface ClockState {
  /** ISO 8601 with milliseconds. */
  readonly now: string
  readonly frozen: boolean
}

/** What a history call wrote. */
export interface HistoryResult {
  readonly clusterId: string
  readonly from: string
  readonly to: string
  readonly seed: number
  readonly intervalMinutes: number
  readonly written: number
  readonly restorable: number
  readonly alreadyThere: number
  readonly oldest: string | null
  readonly newest: string | null
}

/** Records written or deleted, by kind. */
export interface Counts {
  readonly organizations: number
  readonly projects: number
  readonly clusters: number
  readonly checkpoints: number
  readonly apiKeys: number
  readonly serviceAccounts: number
}

export interface Page<T> {
  readonly results: T[]
  readonly totalCount: number
}

/** A cluster as the admin API takes it: `id` generated and `groupId` the path's when left out. */
export type ClusterInput = Omit<Cluster, 'id' | 'groupId' | 'checkpointIntervalMinutes' | 'pointInTimeWindowHours'> &
  Partial<Pick<Cluster, 'id' | 'groupId' | 'checkpointIntervalMinutes' | 'pointInTimeWindowHours'>>
export type CheckpointInput = Omit<Checkpoint, 'id' | 'clusterId' | 'groupId' | 'completed'> &
  Partial<Pick<Checkpoint, 'id' | 'clusterId' | 'groupId'>> & { readonly completed?: string | null }
export type ApiKeyView = Omit<ApiKey, 'digestHa1'>
export interface ApiKeyInput {
  readonly publicKey?: string
  readonly privateKey?: string
  readonly orgId: string
  readonly description?: string
  readonly roles: ApiKey['roles']
  readonly accessList?: readonly string[]
}
/** A created key: its private key is in the answer this once. */
export type CreatedApiKey = ApiKeyView & { readonly privateKey: string }
export interface ServiceAccountInput {
  readonly clientId?: string
  readonly clientSecret?: string
  readonly secretExpiresAt?: string
  readonly orgId: string
  readonly name?: string
  readonly description?: string
  readonly roles: ServiceAccount['roles']
  readonly accessList?: readonly string[]
}
export type ServiceAccountView = Omit<ServiceAccount, 'secrets'> & {
  readonly secrets: ReadonlyArray<{ readonly id: string; readonly createdAt: string; readonly expiresAt: string }>
}
/** A created service account: its secret is in the answer this once. */
export type CreatedServiceAccount = ServiceAccountView & { readonly clientSecret: string }

/** The admin API refused a call: its status and error body. */
export class WaymarkAdminError extends Error {
  override readonly name = 'WaymarkAdminError'
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly body: unknown,
  ) {
    super(`${status} ${errorCode}: ${(body as { detail?: string } | undefined)?.detail ?? JSON.stringify(body)}`)
  }
}

export class WaymarkAdmin {
  /**
   * @param adminUrl the admin API's base, e.g. `http://127.0.0.1:8080/_admin/v1` (the ready file's `adminUrl`)
   * @param token the admin token the server was started with
   */
  constructor(
    readonly adminUrl: string,
    private readonly token: string,
  ) {}

  /** Any admin call: `path` relative to the admin URL (`/orgs`), a JSON body. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    const parsed: unknown = text === '' ? undefined : JSON.parse(text)
    if (!response.ok) throw new WaymarkAdminError(response.status, (parsed as { errorCode?: string } | undefined)?.errorCode ?? 'UNKNOWN', parsed)
    return parsed as T
  }

  // --- the clock ---

  clock(): Promise<ClockState> {
    return this.request('GET', '/clock')
  }

  /** Moves the clock forward by an ISO 8601 duration (`PT2H`, `P1D`); everything due meanwhile happens first. */
  advanceClock(duration: string): Promise<ClockState> {
    return this.request('POST', '/clock', { advanceBy: duration })
  }

  /** Moves the clock forward to a time (never backwards). */
  setClock(time: string | Date): Promise<ClockState> {
    return this.request('POST', '/clock', { set: time instanceof Date ? time.toISOString() : time })
  }

  /** Stops the clock where it is (or lets it run again). */
  freezeClock(frozen = true): Promise<ClockState> {
    return this.request('POST', '/clock', { frozen })
  }

  // --- data ---

  /**
   * Writes a cluster's checkpoint history over [from, to) as its schedule would have made it (times ISO or
   * relative to the server's clock: `-7d`, `now`).
   */
  history(groupId: string, clusterId: string, range: { readonly from: string; readonly to?: string; readonly seed?: number }): Promise<HistoryResult> {
    return this.request('POST', `/groups/${groupId}/clusters/${clusterId}/history`, range)
  }

  /** Loads a fixture document (docs/fixtures.md). */
  loadFixtures(document: object): Promise<{ readonly loaded: Counts }> {
    return this.request('POST', '/fixtures', document)
  }

  /** Deletes every record; with `demo`, loads the demo as of the server's clock. */
  reset(options: { readonly demo?: boolean } = {}): Promise<{ readonly deleted: Counts; readonly loaded: Counts | null }> {
    return this.request('POST', `/reset${options.demo === true ? '?demo=true' : ''}`)
  }

  // --- records ---

  createOrganization(body: { readonly id?: string; readonly name: string }): Promise<Organization> {
    return this.request('POST', '/orgs', body)
  }

  createProject(body: { readonly id?: string; readonly orgId: string; readonly name: string }): Promise<Project> {
    return this.request('POST', '/groups', body)
  }

  createCluster(groupId: string, body: ClusterInput): Promise<Cluster> {
    return this.request('POST', `/groups/${groupId}/clusters`, body)
  }

  cluster(groupId: string, clusterId: string): Promise<Cluster> {
    return this.request('GET', `/groups/${groupId}/clusters/${clusterId}`)
  }

  /** Changes some fields: the schedule, the FCV, the backup kind. */
  updateCluster(groupId: string, clusterId: string, patch: Partial<ClusterInput>): Promise<Cluster> {
    return this.request('PATCH', `/groups/${groupId}/clusters/${clusterId}`, patch)
  }

  deleteCluster(groupId: string, clusterId: string): Promise<{ readonly deleted: Counts }> {
    return this.request('DELETE', `/groups/${groupId}/clusters/${clusterId}`)
  }

  /** One page of a cluster's checkpoints, newest first. */
  checkpoints(groupId: string, clusterId: string, page: { readonly pageNum?: number; readonly itemsPerPage?: number } = {}): Promise<Page<Checkpoint>> {
    const query = new URLSearchParams(Object.entries(page).map(([k, v]): [string, string] => [k, String(v)])).toString()
    return this.request('GET', `/groups/${groupId}/clusters/${clusterId}/checkpoints${query === '' ? '' : `?${query}`}`)
  }

  createCheckpoint(groupId: string, clusterId: string, body: CheckpointInput): Promise<Checkpoint> {
    return this.request('POST', `/groups/${groupId}/clusters/${clusterId}/checkpoints`, body)
  }

  updateCheckpoint(groupId: string, clusterId: string, checkpointId: string, patch: Partial<CheckpointInput>): Promise<Checkpoint> {
    return this.request('PATCH', `/groups/${groupId}/clusters/${clusterId}/checkpoints/${checkpointId}`, patch)
  }

  deleteCheckpoint(groupId: string, clusterId: string, checkpointId: string): Promise<{ readonly deleted: Counts }> {
    return this.request('DELETE', `/groups/${groupId}/clusters/${clusterId}/checkpoints/${checkpointId}`)
  }

  /** Creates an API key; a generated private key is in the answer this once. */
  createApiKey(body: ApiKeyInput): Promise<CreatedApiKey> {
    return this.request('POST', '/apiKeys', body)
  }

  deleteApiKey(publicKey: string): Promise<{ readonly deleted: Counts }> {
    return this.request('DELETE', `/apiKeys/${publicKey}`)
  }

  /** Creates a service account; a generated secret is in the answer this once. */
  createServiceAccount(body: ServiceAccountInput): Promise<CreatedServiceAccount> {
    return this.request('POST', '/serviceAccounts', body)
  }

  deleteServiceAccount(clientId: string): Promise<{ readonly deleted: Counts }> {
    return this.request('DELETE', `/serviceAccounts/${clientId}`)
  }
}
