/**
 * Why the store cannot serve a call right now (each answered 503 SERVICE_UNAVAILABLE with Retry-After):
 * - `unreachable`: the database server is down, restarting, refusing connections or too slow to answer
 *   within the engine's timeouts, or the SQLite file is locked past the busy timeout;
 * - `storage`: the disk under the database is full or failing (SQLITE_FULL, SQLITE_IOERR, a read-only
 *   file system; PostgreSQL's SQLSTATE class 53, insufficient resources, and 58030 io_error): writes fail
 *   until space is back, reads may go on;
 * - `damaged`: the database file is damaged where this call read it (SQLITE_CORRUPT, SQLITE_NOTADB;
 *   PostgreSQL's XX001 and XX002): other records may still be served.
 */
export type UnavailableKind = 'unreachable' | 'storage' | 'damaged'

/**
 * The store cannot serve the call (see {@link UnavailableKind}). The request is answered 503
 * SERVICE_UNAVAILABLE with Retry-After, never 500: nothing is wrong with the request, and the engine
 * recovers by itself once the database (or the disk) is back. `cause` is the driver's own error (logged,
 * never answered).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'

  constructor(
    cause: unknown,
    readonly kind: UnavailableKind = 'unreachable',
  ) {
    super(`${HEADLINES[kind]}: ${causeMessage(cause)}`, { cause })
  }
}

const HEADLINES: Readonly<Record<UnavailableKind, string>> = {
  unreachable: 'The store cannot be reached',
  storage: 'The store cannot write (disk full or failing)',
  damaged: 'The store file is damaged',
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    const message = cause.message || cause.name
    return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message
  }
  return String(cause)
}

/**
 * Whether the store's writes are failing for lack of space or a failing disk: set by any call that failed
 * so (`storage`), cleared only by a successful probe write (`Store.checkWritable`), so that readiness says
 * the truth even when no client writes.
 */
export class WriteHealth {
  #failing = false
  #nextProbe = 0

  get failing(): boolean {
    return this.#failing
  }

  failed(): void {
    this.#failing = true
  }

  recovered(): void {
    this.#failing = false
  }

  /** Whether a probe write may run now (at most one a second while failing), for `checkWritable`. */
  probeDue(nowMs: number): boolean {
    if (nowMs < this.#nextProbe) return false
    this.#nextProbe = nowMs + 1_000
    return true
  }
}

/**
 * Wraps an engine so that every method whose call fails with an error `classify` recognises fails with a
 * {@link StoreUnavailableError} of that kind instead (synchronous throws and rejections alike); other
 * errors pass through unchanged. A `storage` failure also marks `health` failing. Every method is covered,
 * including ones added to the engine later, so no store call can leak a raw "connection refused" or
 * "disk full" as a 500.
 */
export function withUnavailableErrors<T extends object>(
  store: T,
  classify: (error: unknown) => UnavailableKind | undefined,
  health?: WriteHealth,
): T {
  const translate = (error: unknown): unknown => {
    if (error instanceof StoreUnavailableError) return error
    const kind = classify(error)
    if (kind === undefined) return error
    if (kind === 'storage') health?.failed()
    return new StoreUnavailableError(error, kind)
  }
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      let wrapper = wrapped.get(property)
      if (wrapper === undefined) {
        const method = value as (...args: unknown[]) => unknown
        wrapper = (...args: unknown[]): unknown => {
          let result: unknown
          try {
            result = method.apply(target, args)
          } catch (error) {
            throw translate(error)
          }
          return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(translate(error))) : result
        }
        wrapped.set(property, wrapper)
      }
      return wrapper
    },
  })
}

/**
 * A command that must not create a store (`openStore(url, { mustExist: true })`: the CLI's reading and
 * credential commands) found none where the URL points: no SQLite file, or no Waymark tables in the
 * PostgreSQL schema. Nothing was created.
 */
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError'
}

const OPEN_FAILURE = Symbol('waymark.storeOpenFailure')

/**
 * Marks an error as thrown while opening a store (whatever its class, which callers may test), so that
 * the CLI can tell it from other failures of a start (a certificate file, a port in use) and name the store.
 */
export function markOpenFailure(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, OPEN_FAILURE, { value: true })
  }
  return error
}

/** Whether `error` was thrown while opening a store (see {@link markOpenFailure}). */
export function isOpenFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [OPEN_FAILURE]?: boolean })[OPEN_FAILURE] === true
}
