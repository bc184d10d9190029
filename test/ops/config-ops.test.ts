import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.js'
import { runWaymark } from '../helpers/cli-process.js'

test('operations settings: defaults, flags over variables, and refusals that never repeat a token', () => {
  const defaults = loadConfig({}, {})
  assert.deepEqual(defaults.metrics, { enabled: true, token: undefined })
  assert.equal(defaults.shutdownTimeoutMs, 10_000)
  assert.equal(defaults.logLevel, 'info')

  assert.equal(loadConfig({}, { WAYMARK_METRICS: 'off' }).metrics.enabled, false)
  assert.equal(loadConfig({ metrics: false }, { WAYMARK_METRICS: 'on' }).metrics.enabled, false)
  assert.equal(loadConfig({}, { WAYMARK_METRICS_TOKEN: 'scrape-token-1' }).metrics.token, 'scrape-token-1')
  assert.equal(loadConfig({ metricsToken: 'flag-token-22' }, { WAYMARK_METRICS_TOKEN: 'scrape-token-1' }).metrics.token, 'flag-token-22')
  assert.equal(loadConfig({}, { WAYMARK_SHUTDOWN_TIMEOUT_SECONDS: '2.5' }).shutdownTimeoutMs, 2_500)
  assert.equal(loadConfig({ shutdownTimeout: '0' }, { WAYMARK_SHUTDOWN_TIMEOUT_SECONDS: '30' }).shutdownTimeoutMs, 0)
  assert.equal(loadConfig({}, { WAYMARK_LOG_LEVEL: 'debug' }).logLevel, 'debug')
  assert.equal(loadConfig({ logLevel: 'trace' }, { WAYMARK_LOG_LEVEL: 'debug' }).logLevel, 'trace')

  assert.throws(() => loadConfig({}, { WAYMARK_METRICS: 'yes' }), /WAYMARK_METRICS must be on or off/)
  for (const bad of ['short', 'has space 123', 'x'.repeat(1025)]) {
    assert.throws(
      () => loadConfig({}, { WAYMARK_METRICS_TOKEN: bad }),
      (error: unknown) => error instanceof ConfigError && /metrics token/.test(error.message) && !error.message.includes(bad),
    )
  }
  for (const bad of ['', 'abc', '-1', '3601', 'Infinity']) {
    assert.throws(() => loadConfig({}, { WAYMARK_SHUTDOWN_TIMEOUT_SECONDS: bad }), /shutdown timeout must be a number of seconds from 0 to 3600/, bad)
  }
  assert.throws(() => loadConfig({}, { WAYMARK_LOG_LEVEL: 'verbose' }), /log level must be one of fatal, error, warn, info, debug, trace, silent/)
})

test('serve refuses a bad --shutdown-timeout or --log-level as a usage error (exit 2)', async () => {
  const timeout = await runWaymark(['serve', '--port', '0', '--shutdown-timeout', 'soon'])
  assert.equal(timeout.code, 2)
  assert.match(timeout.stderr, /shutdown timeout must be a number of seconds/)
  const level = await runWaymark(['serve', '--port', '0', '--log-level', 'verbose'])
  assert.equal(level.code, 2)
  assert.match(level.stderr, /--log-level/)
})
