import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import DigestClient from 'digest-fetch'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'

const run = promisify(execFile)
const OM_LIST = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`

const hasPythonRequests = await run('python3', ['-c', 'import requests']).then(
  () => true,
  () => false,
)

const PYTHON = `
import json, sys, requests
from requests.auth import HTTPDigestAuth
base, user, password, path = sys.argv[1:5]
session = requests.Session()
session.auth = HTTPDigestAuth(user, password)
print(json.dumps([session.get(base + path, params={"itemsPerPage": "1", "pageNum": str(i + 1)}).status_code for i in range(6)]))
`

/**
 * Two instances on one store behind a round-robin balancer without affinity: every request goes to the
 * other instance than the one before. A client that reuses a nonce sees it bounce (stale=true) each time
 * it moves, takes the fresh nonce and gets its answer: never a failure.
 */
describe('real Digest clients through a round-robin balancer over two instances', () => {
  let fresh: FreshStore
  const stores: Store[] = []
  const apps: FastifyInstance[] = []
  let balancer: Server
  let base: string
  const routed: number[] = []

  before(async () => {
    fresh = await freshStore('balancer')
    const config = loadConfig({ logLevel: 'silent', store: fresh.url }, {})
    for (let i = 0; i < 2; i++) {
      const store = await openStore(fresh.url)
      if (i === 0) await store.apply(demoDataSet())
      stores.push(store)
      const app = await buildApp({ config, store })
      await app.listen({ port: 0, host: '127.0.0.1' })
      apps.push(app)
    }
    const ports = apps.map((app) => (app.server.address() as AddressInfo).port)
    let next = 0
    balancer = createServer((incoming, outgoing) => {
      const index = next++ % ports.length
      routed.push(index)
      const forward = request(
        { host: '127.0.0.1', port: ports[index], method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(outgoing)
        },
      )
      forward.on('error', () => outgoing.destroy())
      incoming.pipe(forward)
    })
    await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`
  })

  after(async () => {
    balancer.closeAllConnections()
    await new Promise((resolve) => balancer.close(resolve))
    for (const app of apps) await app.close()
    for (const store of stores) await store.close()
    await fresh.drop()
  })

  test('digest-fetch reusing one nonce gets every answer', async () => {
    const client = new DigestClient(KEYS.demoread.publicKey, KEYS.demoread.privateKey)
    const from = routed.length
    const statuses: number[] = []
    for (let page = 1; page <= 6; page++) {
      const res = await client.fetch(`${base}${OM_LIST}?itemsPerPage=1&pageNum=${page}`)
      await res.arrayBuffer()
      statuses.push(res.status)
    }
    assert.deepEqual(statuses, Array(6).fill(200))
    assert.ok(new Set(routed.slice(from)).size === 2, 'both instances answered')
  })

  test('Python requests HTTPDigestAuth gets every answer', { skip: hasPythonRequests ? false : 'python3 has no requests module' }, async () => {
    const from = routed.length
    const { stdout } = await run('python3', ['-c', PYTHON, base, KEYS.demoread.publicKey, KEYS.demoread.privateKey, OM_LIST])
    assert.deepEqual(JSON.parse(stdout), Array(6).fill(200))
    assert.ok(new Set(routed.slice(from)).size === 2, 'both instances answered')
  })
})
