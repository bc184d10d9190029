import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isClockTime, parseDuration, parseTimeExpression } from '../../src/domain/time-expressions.js'

const NOW = Date.parse('2026-12-01T12:00:00.500Z')

test('times: ISO 8601 with a zone (whole seconds), now, and times back from now', () => {
  assert.equal(parseTimeExpression('2026-11-01T00:00:00Z', NOW), Date.parse('2026-11-01T00:00:00Z'))
  assert.equal(parseTimeExpression('2026-11-01T01:00:00.900+01:00', NOW), Date.parse('2026-11-01T00:00:00Z'))
  assert.equal(parseTimeExpression('now', NOW), NOW)
  assert.equal(parseTimeExpression(' NOW ', NOW), NOW)
  assert.equal(parseTimeExpression('-7d', NOW), NOW - 7 * 86_400_000)
  assert.equal(parseTimeExpression('-90m', NOW), NOW - 90 * 60_000)
  assert.equal(parseTimeExpression('-1d12h', NOW), NOW - 36 * 3_600_000)
  assert.equal(parseTimeExpression('-2w30s', NOW), NOW - 14 * 86_400_000 - 30_000)
  for (const bad of ['', 'yesterday', '-', '-7', '7d', '+1d', '-1y', '-1.5h', '-1d-2h', '2026-11-01T00:00:00', '2026-02-30T00:00:00Z']) {
    assert.equal(parseTimeExpression(bad, NOW), undefined, bad)
  }
})

test('durations: weeks, days, hours, minutes, seconds; no years or months, nothing negative or empty', () => {
  assert.equal(parseDuration('PT2H'), 7_200_000)
  assert.equal(parseDuration('PT90M'), 5_400_000)
  assert.equal(parseDuration('P1DT12H'), 129_600_000)
  assert.equal(parseDuration('P2W'), 1_209_600_000)
  assert.equal(parseDuration('PT1.5S'), 1500)
  assert.equal(parseDuration('pt0s'), 0)
  for (const bad of ['P', 'PT', 'P1Y', 'P1M', '-PT1H', 'PT1H30', '2h', 'P1W2D', 'PT1.2345S', '']) assert.equal(parseDuration(bad), undefined, bad)
})

test('the clock stays where checkpoint ids can count its seconds', () => {
  assert.equal(isClockTime(Date.parse('2026-12-01T00:00:00Z')), true)
  assert.equal(isClockTime(Date.parse('1970-06-01T00:00:00Z')), false)
  assert.equal(isClockTime(Date.parse('2106-01-02T00:00:00Z')), false)
})
