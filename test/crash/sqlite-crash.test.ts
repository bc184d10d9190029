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
  loadCount: 15_000,
  generateCount: 30_000,
  batchSize: 2_000,
  dir: () => dir,
  fresh: async () => ({ url: `sqlite:${join(dir, `store-${++stores}.sqlite`)}`, drop: async () => undefined }),
})
