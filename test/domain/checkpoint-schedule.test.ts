import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import {
  fcvHasCheckpoints,
  validateScheduleChange,
  whyNoCheckpoints,
  withScheduleChange,
} from '../../src/domain/checkpoint-schedule.js'
import type { Cluster } from '../../src/domain/types.js'
import { ApiError } from '../../src/errors.js'

const SHARDED: Cluster = {
  id: '5f0a00000000000000000003',
  groupId: '5f0a00000000000000000002',
  name: 'payments-prod',
  type: 'SHARDED',
  backup: 'LEGACY',
  featureCompatibilityVersion: '4.0',
  shards: [{ shardName: 'shard-0', replicaSetName: 'shard-0' }],
  configServer: { typeName: 'CONFIG_SERVER_REPLICA_SET', replicaSetName: 'config-0' },
  checkpointIntervalMinutes: null,
  pointInTimeWindowHours: 24,
}

const REPLICA_SET: Cluster = {
  ...SHARDED,
  type: 'REPLICASET',
  shards: [{ shardName: 'rs0', replicaSetName: 'rs0' }],
  configServer: null,
}

function refused(fn: () => unknown, errorCode: string, detail: string, parameters: unknown[] = []): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApiError)
    assert.deepEqual(error.toBody(), { detail, error: 400, errorCode, parameters, reason: 'Bad Request' })
    return true
  })
}

describe('checkpoint schedule', () => {
  test('a sharded cluster takes 15, 30 or 60 minutes, or null to turn checkpoints off', () => {
    for (const interval of [15, 30, 60, null]) {
      assert.deepEqual(validateScheduleChange(SHARDED, { checkpointIntervalMinutes: interval }), {
        checkpointIntervalMinutes: interval,
        pointInTimeWindowHours: 24,
      })
    }
    const on = withScheduleChange(SHARDED, { checkpointIntervalMinutes: 30, pointInTimeWindowHours: 48 })
    assert.deepEqual(on, { ...SHARDED, checkpointIntervalMinutes: 30, pointInTimeWindowHours: 48 })
    assert.deepEqual(validateScheduleChange(on, {}), { checkpointIntervalMinutes: 30, pointInTimeWindowHours: 48 })
  })

  test('any other interval is 400 INVALID_CLUSTER_CHECKPOINT_INTERVAL', () => {
    for (const interval of [0, 10, 20, 45, 90, 15.5, '15', true, {}]) {
      refused(
        () => validateScheduleChange(SHARDED, { checkpointIntervalMinutes: interval }),
        'INVALID_CLUSTER_CHECKPOINT_INTERVAL',
        'Cluster checkpoint interval must be 15, 30, or 60 minutes.',
      )
    }
  })

  test('an interval on a replica set is 400 CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET; null is fine', () => {
    for (const interval of [15, 20]) {
      refused(
        () => validateScheduleChange(REPLICA_SET, { checkpointIntervalMinutes: interval }),
        'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET',
        'Cluster checkpoint interval can only be set for sharded clusters, not replica sets.',
      )
    }
    assert.deepEqual(validateScheduleChange(REPLICA_SET, { checkpointIntervalMinutes: null, pointInTimeWindowHours: 6 }), {
      checkpointIntervalMinutes: null,
      pointInTimeWindowHours: 6,
    })
  })

  test('the window is a whole number of hours from 1 to 8760, else 400 INVALID_ATTRIBUTE', () => {
    for (const hours of [1, 24, 168, 8760]) {
      assert.equal(validateScheduleChange(SHARDED, { pointInTimeWindowHours: hours }).pointInTimeWindowHours, hours)
    }
    for (const hours of [0, -1, 1.5, 8761, '24', null]) {
      refused(
        () => validateScheduleChange(SHARDED, { pointInTimeWindowHours: hours }),
        'INVALID_ATTRIBUTE',
        'Invalid attribute pointInTimeWindowHours specified.',
        ['pointInTimeWindowHours'],
      )
    }
  })

  test('only sharded clusters on legacy backup at FCV 4.0 or earlier with a schedule make checkpoints', () => {
    const scheduled: Cluster = { ...SHARDED, checkpointIntervalMinutes: 15 }
    assert.equal(whyNoCheckpoints(scheduled), undefined)
    assert.equal(whyNoCheckpoints({ ...scheduled, featureCompatibilityVersion: '3.6' }), undefined)
    assert.match(whyNoCheckpoints(SHARDED) ?? '', /schedule is off/)
    assert.match(whyNoCheckpoints({ ...scheduled, featureCompatibilityVersion: '4.2' }) ?? '', /FCV 4\.2/)
    assert.match(whyNoCheckpoints({ ...scheduled, backup: 'CLOUD' }) ?? '', /backup is CLOUD/)
    assert.match(whyNoCheckpoints({ ...scheduled, backup: 'NONE' }) ?? '', /backup is NONE/)
    assert.match(whyNoCheckpoints(REPLICA_SET) ?? '', /replica set/)
    assert.deepEqual(
      ['2.6', '3.4', '3.6', '4.0', '4.2', '4.4', '5.0', '10.0', '4', 'x'].map(fcvHasCheckpoints),
      [true, true, true, true, false, false, false, false, false, false],
    )
  })
})
