import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import { isIsoSeconds, toIsoSeconds } from '../../src/domain/timestamps.js'

describe('timestamps', () => {
  test('normalizes ISO 8601 date-times to whole UTC seconds', () => {
    const cases: Array<[string, string]> = [
      ['2018-02-08T23:20:25Z', '2018-02-08T23:20:25Z'],
      ['2018-02-08T23:20:25.999Z', '2018-02-08T23:20:25Z'],
      ['2018-02-08T23:20:25.123456789Z', '2018-02-08T23:20:25Z'],
      ['2018-02-09T01:20:25+02:00', '2018-02-08T23:20:25Z'],
      ['2018-02-08T20:50:25.5-02:30', '2018-02-08T23:20:25Z'],
      ['2018-02-09T00:20:25+0100', '2018-02-08T23:20:25Z'],
      ['2018-02-08t23:20:25z', '2018-02-08T23:20:25Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
      ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00Z'],
    ]
    for (const [input, expected] of cases) assert.equal(toIsoSeconds(input), expected, input)
  })

  test('refuses what is not an instant', () => {
    const bad = [
      '',
      '2018-02-08',
      '2018-02-08T23:20:25',
      '2018-02-08 23:20:25Z',
      '2018-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2018-13-01T00:00:00Z',
      '2018-02-08T24:00:00Z',
      '2018-02-08T23:60:00Z',
      '2018-02-08T23:20:60Z',
      '2018-02-08T23:20:25+24:00',
      '2018-02-08T23:20:25.Z',
      'yesterday',
    ]
    for (const input of bad) assert.equal(toIsoSeconds(input), undefined, input)
  })

  test('takes Dates and epoch milliseconds, truncating', () => {
    assert.equal(toIsoSeconds(new Date('2026-11-01T00:00:00.999Z')), '2026-11-01T00:00:00Z')
    assert.equal(toIsoSeconds(Date.UTC(2026, 10, 1, 0, 0, 1, 500)), '2026-11-01T00:00:01Z')
    assert.equal(toIsoSeconds(-1), '1969-12-31T23:59:59Z')
    assert.equal(toIsoSeconds(new Date('nope')), undefined)
    assert.equal(toIsoSeconds(Number.NaN), undefined)
    assert.equal(toIsoSeconds(Date.UTC(10000, 0, 1)), undefined)
  })

  test('isIsoSeconds accepts only the normal form', () => {
    assert.equal(isIsoSeconds('2026-11-01T00:00:00Z'), true)
    assert.equal(isIsoSeconds('2026-11-01T00:00:00.000Z'), false)
    assert.equal(isIsoSeconds('2026-11-01T01:00:00+01:00'), false)
    assert.equal(isIsoSeconds('2026-02-30T00:00:00Z'), false)
    assert.equal(isIsoSeconds(20261101), false)
  })
})
