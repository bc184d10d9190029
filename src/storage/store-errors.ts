/**
 * The store could not be reached: the database server is down, restarting, refusing connections or too
 * slow to answer within the engine's timeouts. The request is answered 503 SERVICE_UNAVAILABLE with
 * Retry-After, never 500: nothing is wrong with the request or with Waymark, and the engine reconnects by
 * itself once the database is back. `cause` is the driver's own error (logged, never answered).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'

  constructor(cause: unknown) {
    super(`The store cannot be reached: ${causeMessage(cause)}`, { cause })
  }
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
 * Wraps an engine so that every method whose call fails with an error `isUnavailable` recognises fails
 * with a {@link StoreUnavailableError} instead (synchronous throws and rejections alike); other errors pass
 * through unchanged. Every method is covered, including ones added to the engine later, so no store call
 * can leak a raw "connection refused" as a 500.
 */
export function withUnavailableErrors<T extends object>(store: T, isUnavailable: (error: unknown) => boolean): T {
  const translate = (error: unknown): unknown =>
    !(error instanceof StoreUnavailableError) && isUnavailable(error) ? new StoreUnavailableError(error) : error
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
