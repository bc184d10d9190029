/**
 * An API call as the pipeline sees it, whatever HTTP framework carried it. In a module of its own so that the
 * pipeline and the handlers it delegates to (discovery) do not import each other.
 */
export interface ApiRequest {
  readonly method: string
  /** The request target as sent: path and query, still percent-encoded. */
  readonly target: string
  readonly accept: string | undefined
  readonly authorization: string | undefined
  /** `scheme://host[:port]` that links in bodies start with. */
  readonly baseUrl: string
  /** The caller's IP address (X-Forwarded-For only from trusted proxies); access lists check it. */
  readonly clientAddress: string | undefined
  /** The request body as received (only the legacy backup writes read it); absent when there is none. */
  readonly body?: Buffer | undefined
}
