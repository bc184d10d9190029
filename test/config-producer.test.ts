import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../src/config.js'

test('the producer is off by default, on with --demo, and flags win over the environment', () => {
  assert.deepEqual(loadConfig({}, {}).producer, { enabled: false, timeScale: 1, seed: 20261101, retentionDays: 90 })
  assert.equal(loadConfig({ demo: true }, {}).producer.enabled, true)
  assert.equal(loadConfig({ demo: true, produce: false }, {}).producer.enabled, false)
  assert.equal(loadConfig({ demo: true }, { WAYMARK_PRODUCE: 'off' }).producer.enabled, false)
  assert.equal(loadConfig({}, { WAYMARK_PRODUCE: 'on' }).producer.enabled, true)
  assert.equal(loadConfig({ produce: false }, { WAYMARK_PRODUCE: 'on' }).producer.enabled, false)
  assert.equal(loadConfig({ produce: true }, {}).producer.enabled, true)
  const env = { WAYMARK_TIME_SCALE: '60', WAYMARK_SEED: '42', WAYMARK_CHECKPOINT_RETENTION_DAYS: '7' }
  assert.deepEqual(loadConfig({}, env).producer, { enabled: false, timeScale: 60, seed: 42, retentionDays: 7 })
  assert.deepEqual(loadConfig({ timeScale: '0.5', seed: '0', checkpointRetentionDays: '0' }, env).producer, {
    enabled: false,
    timeScale: 0.5,
    seed: 0,
    retentionDays: 0,
  })
})

test('bad producer settings are configuration errors', () => {
  for (const [flags, env, message] of [
    [{}, { WAYMARK_PRODUCE: 'yes' }, /WAYMARK_PRODUCE must be on or off/],
    [{ timeScale: '0' }, {}, /time scale must be a number above 0/],
    [{ timeScale: 'fast' }, {}, /time scale/],
    [{}, { WAYMARK_TIME_SCALE: '' }, /time scale/],
    [{ seed: '-1' }, {}, /seed must be an integer from 0 to 4294967295/],
    [{ seed: '4294967296' }, {}, /seed/],
    [{ seed: '1.5' }, {}, /seed/],
    [{ checkpointRetentionDays: 'week' }, {}, /checkpoint retention must be a whole number of days/],
  ] as const) {
    assert.throws(() => loadConfig(flags, env), (error: unknown) => error instanceof ConfigError && message.test(error.message))
  }
})
