import type { Config } from '../config.js'
import type { Store } from '../storage/store.js'
import { CliError } from './cli-error.js'
import { storeLabel } from './store-label.js'

/** A store the CLI was told to use: its URL, where that came from, and how to name another. */
export interface StoreChoice {
  readonly url: string
  /** e.g. `(from --store)`, `(the default)`; empty when the flag is required. */
  readonly source: string
  /** e.g. `--store URL or WAYMARK_STORE=URL`. */
  readonly how: string
}

const STORE_FLAGS = '--store URL or WAYMARK_STORE=URL'

/** The store of a command's `--store` flag, `WAYMARK_STORE` or the default. */
export function configuredStore(config: Config): StoreChoice {
  const source = { flag: '(from --store)', environment: '(from WAYMARK_STORE)', default: '(the default store)' }[config.storeSource]
  return { url: config.store, source, how: STORE_FLAGS }
}

/** The store a required flag names (`copy --from`, `--to`). */
export function flagStore(url: string, flag: string): StoreChoice {
  return { url, source: `(from ${flag})`, how: `${flag} URL` }
}

export interface CliStoreOptions {
  /**
   * True for commands that only read, or change records that must already exist: no store is created
   * (an absent SQLite file, a PostgreSQL schema without Waymark's tables: a clear error instead).
   */
  readonly mustExist: boolean
  /** The command, for messages: `apikey list`. */
  readonly command: string
}

/** Opens the chosen store; a failure is one line that names it (password hidden) and says what to check. */
export async function openCliStore(choice: StoreChoice, options: CliStoreOptions): Promise<Store> {
  const { openStore } = await import('../storage/open-store.js')
  try {
    return await openStore(choice.url, { mustExist: options.mustExist })
  } catch (error) {
    throw (await storeError(choice, error, options.command)) ?? error
  }
}

/**
 * Runs `work` on the chosen store and closes it. A failure of the store while it runs (the database went
 * away) is reported as at open: naming the store.
 */
export async function withCliStore<T>(choice: StoreChoice, options: CliStoreOptions, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(choice, options)
  try {
    return await work(store)
  } catch (error) {
    if (error instanceof CliError) throw error
    throw (await storeError(choice, error, options.command)) ?? error
  } finally {
    await store.close()
  }
}

/**
 * The CLI's one line about a store that failed, or undefined when `error` is not about the store:
 * `cannot reach the store postgres://u:***@db:5432/waymark (from --store): connection refused (…); check
 * that PostgreSQL is running … Name another store with --store URL or WAYMARK_STORE=URL.`
 */
export async function storeError(choice: StoreChoice, error: unknown, command: string): Promise<CliError | undefined> {
  const { explainStoreFailure } = await import('../storage/store-failure.js')
  const failure = explainStoreFailure(error)
  if (failure === undefined) return undefined
  const label = storeLabel(choice.url)
  // A driver or URL message may repeat the URL as given: never with its password.
  const reason = failure.reason.replaceAll(choice.url, label).replace(/\.$/, '')
  const where = `${label}${choice.source === '' ? '' : ` ${choice.source}`}`
  const headline = failure.missing ? `no store at ${where}: ${reason}, and \`${command}\` creates none` : `cannot use the store ${where}: ${reason}`
  const advice = failure.check === '' ? '' : `; check ${failure.check}`
  return new CliError(`${headline}${advice}. Name another store with ${choice.how}.`)
}

/**
 * {@link storeError} for a failure anywhere in a server's start, where a certificate file or a port can
 * fail too: only errors that opening or reaching the store threw are taken as the store's.
 */
export async function startError(choice: StoreChoice, error: unknown, command: string): Promise<CliError | undefined> {
  const { isOpenFailure, StoreUnavailableError } = await import('../storage/store-errors.js')
  if (!isOpenFailure(error) && !(error instanceof StoreUnavailableError)) return undefined
  return storeError(choice, error, command)
}
