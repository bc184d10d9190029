import { describe, test } from 'node:test'
import { strict as assert } from 'node:assert'
import { MAX_NC, NC_WINDOW, NcWindow } from '../../src/auth/nonce-window.js'

const acceptAll = (window: NcWindow, values: readonly number[]): boolean[] => values.map((nc) => window.accept(nc))

describe('NcWindow', () => {
  test('in order, each value once', () => {
    const window = new NcWindow()
    for (let nc = 1; nc <= 1000; nc++) assert.equal(window.accept(nc), true, String(nc))
    for (let nc = 1000 - NC_WINDOW + 1; nc <= 1000; nc++) assert.equal(window.accept(nc), false, String(nc))
  })

  test('a first value above 1', () => {
    const window = new NcWindow()
    assert.deepEqual(acceptAll(window, [7, 7, 3, 3, 1, 8, 2]), [true, false, true, false, true, true, true])
  })

  test('out of order, each value once', () => {
    const window = new NcWindow()
    const values = [5, 1, 3, 2, 4, 9, 6, 8, 7]
    assert.deepEqual(acceptAll(window, values), values.map(() => true))
    assert.deepEqual(acceptAll(window, values), values.map(() => false))
  })

  test('a shuffled stream within the window', () => {
    const window = new NcWindow()
    const values = Array.from({ length: 5000 }, (_, i) => i + 1)
    for (let i = 0; i + 1 < values.length; i += 2) {
      if ((i / 2) % 3 === 0) [values[i], values[i + 1]] = [values[i + 1] ?? 0, values[i] ?? 0]
    }
    for (const nc of values) assert.equal(window.accept(nc), true, String(nc))
    for (const nc of values.slice(-100)) assert.equal(window.accept(nc), false, String(nc))
  })

  test('replays of the highest and of older values', () => {
    const window = new NcWindow()
    assert.deepEqual(acceptAll(window, [1, 1, 2, 1, 2, 3, 3]), [true, false, true, false, false, true, false])
  })

  test('the edge of the window', () => {
    const window = new NcWindow()
    assert.equal(window.accept(1000), true)
    assert.equal(window.accept(1000 - NC_WINDOW), false)
    assert.equal(window.accept(1000 - NC_WINDOW + 1), true)
    assert.equal(window.accept(1000 - NC_WINDOW + 1), false)
    assert.equal(window.accept(1), false)
  })

  test('values far behind are refused even if never seen', () => {
    const window = new NcWindow()
    assert.equal(window.accept(1), true)
    assert.equal(window.accept(2 + NC_WINDOW), true)
    assert.equal(window.accept(2), false)
    assert.equal(window.accept(3), true)
  })

  test('a slide reuses slots without losing values still inside', () => {
    const window = new NcWindow()
    assert.deepEqual(acceptAll(window, [10, 12, 10 + NC_WINDOW - 1]), [true, true, true])
    assert.equal(window.accept(10), false)
    assert.equal(window.accept(12), false)
    assert.equal(window.accept(11), true)
    assert.equal(window.accept(12 + NC_WINDOW), true)
    assert.equal(window.accept(12), false)
    assert.equal(window.accept(13), true)
    assert.equal(window.accept(10 + NC_WINDOW - 1), false)
    assert.equal(window.accept(10 + NC_WINDOW), true)
  })

  test('big jumps clear the window', () => {
    const window = new NcWindow()
    assert.deepEqual(acceptAll(window, [1, 2, 3]), [true, true, true])
    assert.equal(window.accept(1_000_000), true)
    assert.equal(window.accept(1_000_000 - NC_WINDOW + 3), true)
    assert.equal(window.accept(1_000_000 - 1), true)
    assert.equal(window.accept(1_000_000), false)
    assert.equal(window.accept(MAX_NC), true)
    assert.equal(window.accept(MAX_NC), false)
    assert.equal(window.accept(MAX_NC - 1), true)
    assert.equal(window.accept(MAX_NC - NC_WINDOW + 1), true)
    assert.equal(window.accept(MAX_NC - NC_WINDOW), false)
  })

  test('invalid values are refused and not recorded', () => {
    const window = new NcWindow()
    for (const nc of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_NC + 1]) {
      assert.equal(window.accept(nc), false, String(nc))
    }
    assert.equal(window.accept(1), true)
  })
})
