import type { ApiKey, RoleAssignment, ServiceAccount } from '../domain/types.js'
import { describeRoles } from './grant-options.js'

/**
 * How the credential commands print records: `--json` gives the admin API's views (admin-views.ts: never a
 * hash or a secret), otherwise lines for a person. The list tables are aligned by hand: a few columns of
 * plain text need no library.
 */

/** Writes `value` as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Writes lines on stdout. */
export function printLines(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`)
}

export function describeApiKey(key: ApiKey): string[] {
  return [
    `  public key:   ${key.publicKey}`,
    `  organization: ${key.orgId}`,
    `  description:  ${key.description}`,
    `  created:      ${key.createdAt}`,
    ...describeRoles(key.roles),
    ...describeAccessList(key.accessList),
  ]
}

export function describeServiceAccount(account: ServiceAccount): string[] {
  return [
    `  client id:    ${account.clientId}`,
    `  name:         ${account.name}`,
    `  organization: ${account.orgId}`,
    `  description:  ${account.description}`,
    `  created:      ${account.createdAt}`,
    ...describeRoles(account.roles),
    ...describeAccessList(account.accessList),
    ...(account.secrets.length === 0
      ? ['  secrets:      none (it gets no tokens; add one with `waymark service-account secret add`)']
      : account.secrets.map((s) => `  secret:       ${s.id} created ${s.createdAt}, expires ${s.expiresAt}`)),
  ]
}

function describeAccessList(list: readonly string[]): string[] {
  return list.length === 0 ? ['  access list:  none (calls from anywhere)'] : list.map((entry) => `  access list:  ${entry}`)
}

/** Roles in one cell: `ORG_MEMBER, GROUP_READ_ONLY@65a1f0c2e4b0a1b2c3d4e502`. */
function rolesCell(roles: readonly RoleAssignment[]): string {
  return roles.map((r) => ('groupId' in r ? `${r.roleName}@${r.groupId}` : r.roleName)).join(', ') || '-'
}

export function apiKeyTable(keys: readonly ApiKey[]): string[] {
  return table(
    ['PUBLIC KEY', 'ORGANIZATION', 'ROLES', 'ACCESS LIST', 'DESCRIPTION'],
    keys.map((k) => [k.publicKey, k.orgId, rolesCell(k.roles), k.accessList.join(', ') || '-', k.description]),
  )
}

export function serviceAccountTable(accounts: readonly ServiceAccount[]): string[] {
  return table(
    ['CLIENT ID', 'NAME', 'ORGANIZATION', 'ROLES', 'ACCESS LIST', 'SECRETS'],
    accounts.map((a) => [a.clientId, a.name, a.orgId, rolesCell(a.roles), a.accessList.join(', ') || '-', String(a.secrets.length)]),
  )
}

/** Columns padded to their widest cell; the last one is not padded. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)))
  return all.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
}
