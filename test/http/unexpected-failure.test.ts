import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { demoDataSet } from '../../src/fixtures/demo.js'
import { openStore } from '../../src/storage/open-store.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { digestAuthorization, parseChallenge } from '../helpers/digest-client.js'

test('a failing store answers 500 UNEXPECTED_ERROR with nothing internal in the body, and logs the cause', async () => {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const store = await openStore('sqlite::memory:')
  await store.apply(demoDataSet())
  const app = await buildApp({ config: loadConfig({ logLevel: 'info' }, {}), store, logger: pino({ level: 'info' }, sink) })
  const url = `/api/public/v1.0/groups/${IDS.projectA}/clusters/${IDS.cluster0}/checkpoints`
  const challenge = await app.inject({ url })
  const { nonce } = parseChallenge(String(challenge.headers['www-authenticate']))
  await store.close()
  const res = await app.inject({ url, headers: { authorization: digestAuthorization({ credentials: KEYS.demoread, method: 'GET', uri: url, nonce, nc: 1 }) } })
  assert.equal(res.statusCode, 500)
  assert.equal(res.body, '{"detail":"Unexpected error.","error":500,"errorCode":"UNEXPECTED_ERROR","parameters":[],"reason":"Internal Server Error"}')
  assert.equal(res.headers['x-error-code'], 'UNEXPECTED_ERROR')
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'unexpected error while answering an API call')
  assert.ok(logged, lines.join(''))
  assert.ok(logged.reqId)
  assert.ok(logged.err.message)
  await app.close()
})
