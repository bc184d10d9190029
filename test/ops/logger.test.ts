import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from '../../src/logger.js'

test('the logger censors secrets wherever a careless log call would put them, and keeps the rest', () => {
  const lines: string[] = []
  const log = createLogger('trace', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }))
  log.child({ reqId: 'r-1' }).debug(
    {
      token: 'S01',
      adminToken: 'S02',
      headers: { authorization: 'Digest S03', cookie: 'S04', accept: 'application/json' },
      req: { headers: { authorization: 'Bearer S05' } },
      body: { client_secret: 'S06', grant_type: 'client_credentials' },
      account: { clientId: 'mdb_sa_id_1', clientSecret: 'S07' },
      apiKey: { publicKey: 'pub', privateKey: 'S08', digestHa1: 'S09' },
      config: { metricsToken: 'S10', adminToken: 'S11', port: 8080 },
      password: 'S12',
    },
    'careless',
  )
  assert.equal(lines.length, 1)
  const line = lines[0] ?? ''
  for (let i = 1; i <= 12; i++) assert.equal(line.includes(`S${String(i).padStart(2, '0')}`), false, `S${i} leaked: ${line}`)
  const parsed = JSON.parse(line)
  assert.equal(parsed.reqId, 'r-1')
  assert.equal(parsed.headers.accept, 'application/json')
  assert.equal(parsed.headers.authorization, '[redacted]')
  assert.equal(parsed.body.grant_type, 'client_credentials')
  assert.equal(parsed.account.clientId, 'mdb_sa_id_1')
  assert.equal(parsed.apiKey.publicKey, 'pub')
  assert.equal(parsed.config.port, 8080)
})
