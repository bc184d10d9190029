/**
 * What every engine says about a schema version it will not work with. Opening a store either migrates
 * it (the default) or, with `migrate: false` (`serve --no-migrate`, docs/deployment.md), only checks that
 * it is at the version this build knows and changes nothing.
 */

/** The database was written by a newer Waymark: refused whether migrating or not, nothing written. */
export function newerSchemaError(found: number, latest: number): Error {
  return new Error(`This database was written by a newer Waymark (schema version ${found} > ${latest}); upgrade Waymark to open it.`)
}

/** `migrate: false` on a database that still needs migrations. */
export function olderSchemaError(found: number, latest: number): Error {
  return new Error(
    `This database is at schema version ${found} and this Waymark needs ${latest}; --no-migrate changes no schema: ` +
      'run `waymark migrate` (as a role that may create tables) first.',
  )
}

/** A migration refused for want of a privilege (a runtime role without DDL rights on a database that needs migrating). */
export function migrationDeniedError(found: number, latest: number, cause: Error): Error {
  return new Error(
    `Cannot migrate this database from schema version ${found} to ${latest}: ${cause.message}. ` +
      'Run `waymark migrate` as a role that may create tables, and `serve --no-migrate` with the runtime role.',
    { cause },
  )
}
