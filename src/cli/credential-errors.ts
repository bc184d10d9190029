import { ApiError } from '../errors.js'
import { CliError } from './cli-error.js'
import { storeLabel } from './store-label.js'
import type { StoreChoice } from './cli-store.js'

/** Which option set each field of the record a command wrote, for messages: `roles[1]` → `--project …`. */
export interface FieldOptions {
  /** The option of each role, in the record's order; '' for a role kept as it was. */
  readonly roles?: readonly string[]
  /** The option of each access-list entry; empty when the list was kept. */
  readonly accessList?: readonly string[]
  /** Other fields: `orgId` → `--org 65a1…`. */
  readonly fields?: Readonly<Record<string, string>>
}

/**
 * The CLI's message for what the shared credential logic (admin/admin-credentials.ts) refused: each bad
 * field named by the option that set it, and "the store" named as the URL (password hidden); undefined for
 * errors that are not the credential logic's. `FieldViolationsError` and the not-found errors are ApiErrors.
 */
export function credentialError(error: unknown, store: StoreChoice, command: string, options: FieldOptions = {}): CliError | undefined {
  if (!(error instanceof ApiError)) return undefined
  const where = `the store ${storeLabel(store.url)}${store.source === '' ? '' : ` ${store.source}`}`
  const fields = (error as { fields?: ReadonlyArray<{ field: string; description: string }> }).fields
  if (fields !== undefined) {
    const lines = fields.map(({ field, description }) => {
      const text = (description.startsWith(`${field} `) ? description.slice(field.length + 1) : description).replace(
        / in this file or the store$/,
        ` in ${where}`,
      )
      return `  ${optionOf(field, options)}: ${text}`
    })
    return new CliError(`${command}: refused, nothing was written:\n${lines.join('\n')}`)
  }
  if (error.status === 404) {
    return new CliError(`${error.detail.replace(/\.$/, '')} in ${where}; name another store with ${store.how}.`)
  }
  return new CliError(`${command}: ${error.detail}`)
}

/** The option (with its value) that set `field` (`roles[1].groupId`), or the field itself. */
function optionOf(field: string, options: FieldOptions): string {
  const role = /^roles\[(\d+)\]/.exec(field)
  if (role) return options.roles?.[Number(role[1])] || `${field} (as stored)`
  const entry = /^accessList\[(\d+)\]/.exec(field)
  if (entry) return options.accessList?.[Number(entry[1])] || `${field} (as stored)`
  return options.fields?.[field] ?? field
}
