import type { AdminCredentials } from '../admin/admin-credentials.js'
import { loadConfig } from '../config.js'
import { configuredStore, withCliStore, type StoreChoice } from './cli-store.js'
import { credentialError, type FieldOptions } from './credential-errors.js'

/** What a credential command's work gets: the shared credential logic, and where to say which option set what. */
export interface CredentialContext {
  readonly credentials: AdminCredentials
  readonly store: StoreChoice
  /** Filled before a write, so that a refused field is reported by the option that set it. */
  options: FieldOptions
}

/**
 * Runs a credential command over the store of `--store` / `WAYMARK_STORE` (which must exist: these commands
 * never create one) with the same logic the admin API uses (admin/admin-credentials.ts), so a record is
 * checked, written and deleted the same way whichever way it came; the logic's refusals become one message
 * per bad option, naming the store.
 */
export async function withCredentials<T>(storeFlag: string | undefined, command: string, work: (context: CredentialContext) => Promise<T>): Promise<T> {
  const store = configuredStore(loadConfig({ store: storeFlag }))
  const { AdminCredentials } = await import('../admin/admin-credentials.js')
  return withCliStore(store, { mustExist: true, command }, async (opened) => {
    const context: CredentialContext = { credentials: new AdminCredentials(opened, Date.now), store, options: {} }
    try {
      return await work(context)
    } catch (error) {
      throw credentialError(error, store, command, context.options) ?? error
    }
  })
}
