import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { loadFixture } from '../../src/fixtures/load-fixture.js'
import { coverWithSnapshots } from '../../src/domain/legacy-backup/snapshot-coverage.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { digestAuthorization, parseChallenge, type Credentials } from './digest-client.js'
import { KEYS, TEST_FIXTURE } from './fixtures.js'
import { freshStore } from './test-store.js'

export const ATLAS_V2_ACCEPT = 'application/vnd.atlas.2023-01-01+json'

export interface CallOptions {
  readonly method?: string
  /** Credentials to answer the Digest challenge with; null sends no Authorization at all. */
  readonly key?: Credentials | null
  /** The Accept header; defaults to the versioned type on Atlas v2 paths; null sends none. */
  readonly accept?: string | null
  readonly headers?: Record<string, string>
}

export interface CallResult {
  readonly status: number
  readonly headers: Record<string, string | string[] | number | undefined>
  readonly body: string
  json(): any
}

export interface TestApp {
  readonly app: FastifyInstance
  readonly store: Store
  /** Sends a request in-process, answering the Digest challenge first unless `key` is null. */
  call(url: string, options?: CallOptions): Promise<CallResult>
  /** One raw request, no challenge handling. */
  raw(url: string, headers?: Record<string, string>, method?: string): Promise<CallResult>
  close(): Promise<void>
}

export interface TestAppOptions {
  readonly now?: () => number
  readonly publicUrl?: string
  readonly nonceLifetimeSeconds?: number
  /** More environment variables for loadConfig (e.g. WAYMARK_RATE_LIMIT_CAPACITY). */
  readonly env?: Record<string, string>
  /** Fixture documents loaded after TEST_FIXTURE, in order. */
  readonly fixtures?: readonly unknown[]
}

/**
 * The app over a fresh store of the current test engine (a SQLite file, or a PostgreSQL schema in the
 * test/postgres runs) holding the demo data and the test fixture.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const fresh = await freshStore('app')
  const env = {
    WAYMARK_STORE: fresh.url,
    ...(options.publicUrl ? { WAYMARK_PUBLIC_URL: options.publicUrl } : {}),
    ...(options.nonceLifetimeSeconds ? { WAYMARK_NONCE_LIFETIME_SECONDS: String(options.nonceLifetimeSeconds) } : {}),
    ...options.env,
  }
  const config = loadConfig({ port: 0, logLevel: 'silent' }, env)
  const store = await openStore(config.store)
  const demo = demoDataSet()
  await store.apply(demo)
  // As `serve --demo` does: the demo's clusters get the snapshots their checkpoints stand on.
  await coverWithSnapshots(store, demo.clusters.map((c) => c.id), options.now?.() ?? Date.now())
  await loadFixture(TEST_FIXTURE, store)
  for (const fixture of options.fixtures ?? []) await loadFixture(fixture, store)
  const app = await buildApp({ config, store, ...(options.now ? { now: options.now } : {}) })

  const raw = async (url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<CallResult> => {
    const response = await app.inject({ method: method as 'GET', url, headers })
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => JSON.parse(response.body) }
  }

  const call = async (url: string, callOptions: CallOptions = {}): Promise<CallResult> => {
    const method = callOptions.method ?? 'GET'
    const headers: Record<string, string> = { ...callOptions.headers }
    const accept = callOptions.accept === undefined ? (url.startsWith('/api/atlas/v2/') ? ATLAS_V2_ACCEPT : undefined) : callOptions.accept
    if (accept !== undefined && accept !== null) headers['accept'] = accept
    const key = callOptions.key === undefined ? KEYS.demoread : callOptions.key
    const first = await raw(url, headers, method)
    if (key === null || first.status !== 401 || typeof first.headers['www-authenticate'] !== 'string') return first
    const { nonce } = parseChallenge(first.headers['www-authenticate'])
    return raw(url, { ...headers, authorization: digestAuthorization({ credentials: key, method, uri: url, nonce, nc: 1 }) }, method)
  }

  return {
    app,
    store,
    call,
    raw,
    close: async () => {
      await app.close()
      await store.close()
      await fresh.drop()
    },
  }
}
