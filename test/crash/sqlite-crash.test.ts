import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { crashSuites } from '../helpers/crash-suites.js'

let dir = ''
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waymark-crash-'))
})
after(() => rm(dir, { recursive: true, force: true }))

let stores = 0
crashSuites({
  name: 'SQLite',
  loadCount: 10_000,
  generateCount: 20_000,
  batchSize: 1_000,
  producer: true,
  dir: () => dir,
  fresh: async () => ({ url: `sqlite:${join(dir, `store-${++stores}.sqlite`)}`, drop: async () => undefined }),
})
