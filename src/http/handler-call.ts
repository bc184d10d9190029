import type { Dialect } from '../dialects/dialect.js'
import type { Principal } from '../domain/types.js'
import type { ApiRequest } from './api-request.js'
import type { OutputFormat } from './query-params.js'
import type { RateScope } from './rate-scope.js'
import type { PathParam } from './route-matcher.js'

/**
 * One call of an operation family (discovery, legacy backup, restore jobs), as the pipeline hands it to
 * that family's handler once the caller is authenticated: the request, its route, and the steps of the
 * order of checks the handler runs when its own checks before them have passed.
 */
export interface HandlerCall<Operation> {
  readonly request: ApiRequest
  readonly dialect: Dialect
  readonly operation: Operation
  readonly params: Readonly<Record<string, PathParam>>
  readonly search: string
  readonly principal: Principal
  /** Headers every answer carries from the step that adds them on (Deprecation and Sunset, RateLimit-*). */
  readonly headers: Record<string, string>
  /** Tells the pipeline the request's `pretty` and `envelope`, once the query is valid (errors use them). */
  formatKnown(format: OutputFormat): void
  /** Step 5: the access list; throws 403. */
  checkAccessList(): void
  /** Step 7: a token of the scope's bucket; throws 429. */
  takeToken(scope: RateScope): void
}
