import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { crashSuites } from '../helpers/crash-suites.js'
import { dropSchema, freshSchemaName, postgresUnreachable, reportUnreachable, schemaUrl } from '../helpers/postgres.js'

const why = await postgresUnreachable()
if (why !== undefined) {
  reportUnreachable('kill -9 during waymark load and waymark generate (PostgreSQL)', why)
} else {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waymark-crash-pg-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  crashSuites({
    name: 'PostgreSQL',
    loadCount: 10_000,
    generateCount: 12_000,
    batchSize: 600,
    producer: false,
    dir: () => dir,
    fresh: async (label) => {
      const schema = freshSchemaName(label)
      return { url: schemaUrl(schema), drop: () => dropSchema(schema) }
    },
  })
}
