import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import { isObjectId, newObjectId, objectIdFrom } from '../../src/domain/ids.js'
import { mulberry32 } from '../../src/fixtures/prng.js'

describe('ids', () => {
  test('newObjectId is 24 lower-case hex starting with the seconds', () => {
    const id = newObjectId(Date.UTC(2026, 10, 1) + 999)
    assert.ok(isObjectId(id))
    assert.equal(id.slice(0, 8), (Date.UTC(2026, 10, 1) / 1000).toString(16))
  })

  test('newObjectId shares the process bytes and counts up', () => {
    const a = newObjectId(0)
    const b = newObjectId(0)
    assert.notEqual(a, b)
    assert.equal(a.slice(8, 18), b.slice(8, 18))
    assert.equal((parseInt(b.slice(18), 16) - parseInt(a.slice(18), 16) + 0x1000000) % 0x1000000, 1)
    assert.equal(new Set(Array.from({ length: 1000 }, () => newObjectId())).size, 1000)
  })

  test('isObjectId accepts only 24 lower-case hex characters', () => {
    assert.equal(isObjectId('65a1f0c2e4b0a1b2c3d4e501'), true)
    for (const bad of ['65A1F0C2E4B0A1B2C3D4E501', '65a1f0c2e4b0a1b2c3d4e50', '65a1f0c2e4b0a1b2c3d4e5011', 'zz', '', 42]) {
      assert.equal(isObjectId(bad), false, String(bad))
    }
  })

  test('objectIdFrom is deterministic for a seed', () => {
    const seconds = 1_790_000_000
    const a = objectIdFrom(seconds, mulberry32(7))
    assert.equal(a, objectIdFrom(seconds, mulberry32(7)))
    assert.notEqual(a, objectIdFrom(seconds, mulberry32(8)))
    assert.ok(isObjectId(a))
    assert.equal(parseInt(a.slice(0, 8), 16), seconds)
    assert.throws(() => objectIdFrom(-1, mulberry32(1)), RangeError)
  })
})
