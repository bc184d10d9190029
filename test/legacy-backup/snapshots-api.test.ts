import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_END } from '../../src/fixtures/demo.js'
import { IDS, KEYS } from '../helpers/fixtures.js'
import { callWithBody } from '../helpers/legacy-call.js'
import { assertLegacySchema } from '../helpers/legacy-openapi.js'
import { startTestApp, type TestApp } from '../helpers/test-app.js'

const NOW = Date.parse(DEMO_END)
const G = IDS.projectA

const DIALECTS = [
  {
    name: 'atlas v2',
    v2: true,
    cluster: `/api/atlas/v2/groups/${G}/clusters/Cluster0`,
    schedule: `/api/atlas/v2/groups/${G}/clusters/Cluster0/snapshotSchedule`,
    replicaSchedule: `/api/atlas/v2/groups/${G}/clusters/ReplicaSet0/snapshotSchedule`,
    checkpoints: `/api/atlas/v2/groups/${G}/clusters/Cluster0/backupCheckpoints`,
    cloud: `/api/atlas/v2/groups/${G}/clusters/CloudCluster0`,
    type: 'application/vnd.atlas.2023-01-01+json;charset=utf-8',
  },
  {
    name: 'atlas v1.0',
    v2: false,
    cluster: `/api/atlas/v1.0/groups/${G}/clusters/Cluster0`,
    schedule: `/api/atlas/v1.0/groups/${G}/clusters/Cluster0/snapshotSchedule`,
    replicaSchedule: `/api/atlas/v1.0/groups/${G}/clusters/ReplicaSet0/snapshotSchedule`,
    checkpoints: `/api/atlas/v1.0/groups/${G}/clusters/Cluster0/backupCheckpoints`,
    cloud: `/api/atlas/v1.0/groups/${G}/clusters/CloudCluster0`,
    type: 'application/json',
  },
  {
    name: 'ops manager v1.0',
    v2: false,
    cluster: `/api/public/v1.0/groups/${G}/clusters/${IDS.cluster0}`,
    schedule: `/api/public/v1.0/groups/${G}/backupConfigs/${IDS.cluster0}/snapshotSchedule`,
    replicaSchedule: `/api/public/v1.0/groups/${G}/backupConfigs/${IDS.replicaSet0}/snapshotSchedule`,
    checkpoints: `/api/public/v1.0/groups/${G}/clusters/${IDS.cluster0}/checkpoints`,
    cloud: undefined,
    type: 'application/json',
  },
] as const

for (const d of DIALECTS) {
  describe(`legacy backup: schedule and snapshots, ${d.name}`, () => {
    let t: TestApp
    before(async () => {
      t = await startTestApp({ now: () => NOW })
    })
    after(() => t.close())

    test('P-S4: GET the schedule: the defaults, the checkpoint interval, links; the replica set without an interval', async () => {
      const res = await callWithBody(t, d.schedule)
      assert.equal(res.status, 200)
      assert.equal(res.headers['content-type'], d.type)
      const body = res.json()
      if (d.v2) assertLegacySchema('ApiAtlasSnapshotScheduleView', body)
      assert.deepEqual(Object.keys(body), [
        'clusterCheckpointIntervalMin',
        'clusterId',
        'dailySnapshotRetentionDays',
        'groupId',
        'links',
        'monthlySnapshotRetentionMonths',
        'pointInTimeWindowHours',
        'snapshotIntervalHours',
        'snapshotRetentionDays',
        'weeklySnapshotRetentionWeeks',
      ])
      assert.equal(body.clusterCheckpointIntervalMin, 15)
      assert.equal(body.clusterId, IDS.cluster0)
      assert.deepEqual(
        [body.snapshotIntervalHours, body.snapshotRetentionDays, body.dailySnapshotRetentionDays, body.weeklySnapshotRetentionWeeks, body.monthlySnapshotRetentionMonths, body.pointInTimeWindowHours],
        [6, 2, 7, 4, 13, 168],
      )
      assert.equal(body.links[0].href, `http://localhost:80${d.schedule}`)
      assert.deepEqual(body.links.map((l: { rel: string }) => l.rel.replace(/^.*\//, '')), ['self', 'cluster', 'group'])
      const replica = (await callWithBody(t, d.replicaSchedule)).json()
      if (d.v2) assertLegacySchema('ApiAtlasSnapshotScheduleView', replica)
      assert.equal(replica.clusterCheckpointIntervalMin, undefined)
    })

    test('P-N1, P-N3: snapshots newest first, complete by default, the parts of a sharded cluster', async () => {
      const res = await callWithBody(t, `${d.cluster}/snapshots`)
      assert.equal(res.status, 200)
      assert.equal(res.headers['content-type'], d.type)
      const body = res.json()
      if (d.v2) assertLegacySchema('PaginatedSnapshotView', body)
      assert.ok(body.totalCount > 10, `totalCount ${body.totalCount}`)
      const created = body.results.map((s: { created: { date: string } }) => s.created.date)
      assert.deepEqual(created, [...created].sort().reverse())
      for (const s of body.results) {
        assert.equal(s.complete, true)
        assert.equal(s.lastOplogAppliedTimestamp.date, new Date(Date.parse(s.created.date) - 1000).toISOString().slice(0, 19) + 'Z')
        assert.deepEqual(s.parts.map((p: { typeName: string }) => p.typeName), ['REPLICA_SET', 'REPLICA_SET', 'REPLICA_SET', 'CONFIG_SERVER_REPLICA_SET'])
        assert.deepEqual(s.links, [{ href: `http://localhost:80${d.cluster}/snapshots/${s.id}`, rel: 'self' }])
      }
      const one = await callWithBody(t, `${d.cluster}/snapshots/${body.results[0].id}`)
      assert.equal(one.status, 200)
      if (d.v2) assertLegacySchema('BackupSnapshot', one.json())
      assert.deepEqual(one.json(), body.results[0])
      const all = (await callWithBody(t, `${d.cluster}/snapshots?completed=ALL&itemsPerPage=1`)).json()
      assert.equal(all.links[0].href, `http://localhost:80${d.cluster}/snapshots?completed=all&pageNum=1&itemsPerPage=1`)
      const bad = await callWithBody(t, `${d.cluster}/snapshots?completed=yes`)
      assert.equal(bad.status, 400)
      assert.equal(bad.json().errorCode, 'INVALID_QUERY_PARAMETER')
      assert.deepEqual(bad.json().parameters, ['completed'])
    })

    test('P-N3: path syntax: INVALID_SNAPSHOT_ID, then SNAPSHOT_NOT_FOUND with the cluster as named', async () => {
      const invalid = await callWithBody(t, `${d.cluster}/snapshots/nothex`)
      assert.equal(invalid.status, 404)
      assert.equal(invalid.json().errorCode, 'INVALID_SNAPSHOT_ID')
      const unknown = await callWithBody(t, `${d.cluster}/snapshots/${'0'.repeat(24)}`)
      assert.equal(unknown.status, 404)
      assert.equal(unknown.json().errorCode, 'SNAPSHOT_NOT_FOUND')
      assert.deepEqual(unknown.json().parameters, ['0'.repeat(24), d.cluster.split('/').at(-1)])
      if (d.v2) assertLegacySchema('ApiError', unknown.json())
    })

    test('P-G6: writes need the write role: a read-only key gets 401 USER_UNAUTHORIZED', async () => {
      const res = await callWithBody(t, d.schedule, { method: 'PATCH', body: { snapshotRetentionDays: 3 }, key: KEYS.demoread })
      assert.equal(res.status, 401)
      assert.equal(res.json().errorCode, 'USER_UNAUTHORIZED')
      const backupManager = await callWithBody(t, d.schedule, { method: 'PATCH', body: { snapshotRetentionDays: 3 }, key: KEYS.backupmg })
      if (d.name === 'ops manager v1.0') assert.equal(backupManager.status, 200)
      else assert.equal(backupManager.status, 401)
    })

    test('P-G2, P-G3: body syntax before the access list and role; JSON whatever the Content-Type', async () => {
      const malformed = await callWithBody(t, d.schedule, { method: 'PATCH', body: '{not json', key: KEYS.demoread })
      assert.equal(malformed.status, 400)
      assert.equal(malformed.json().errorCode, 'MALFORMED_JSON')
      const array = await callWithBody(t, d.schedule, { method: 'PATCH', body: '[1]', key: KEYS.grpowner })
      assert.equal(array.status, 400)
      assert.equal(array.json().errorCode, 'INVALID_JSON')
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
        const res = await callWithBody(t, d.schedule, { method: 'PATCH', body: { snapshotRetentionDays: 2 }, contentType, key: KEYS.grpowner })
        assert.equal(res.status, 200, contentType)
      }
    })

    test('P-S1, P-S2, P-G4: a partial PATCH, strings of digits accepted, the first bad field (alphabetical) answered', async () => {
      const res = await callWithBody(t, d.schedule, { method: 'PATCH', body: { snapshotRetentionDays: '3', monthlySnapshotRetentionMonths: 2 }, key: KEYS.grpowner })
      assert.equal(res.status, 200)
      const body = res.json()
      if (d.v2) assertLegacySchema('ApiAtlasSnapshotScheduleView', body)
      assert.equal(body.snapshotRetentionDays, 3)
      assert.equal(body.monthlySnapshotRetentionMonths, 2)
      assert.equal(body.dailySnapshotRetentionDays, 7)
      const cases: Array<[object, string]> = [
        [{ snapshotIntervalHours: 7 }, 'INVALID_SNAPSHOT_INTERVAL'],
        [{ snapshotRetentionDays: 1 }, 'INVALID_SNAPSHOT_RETENTION_PERIOD'],
        [{ dailySnapshotRetentionDays: d.name === 'ops manager v1.0' ? 366 : 2 }, 'INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD'],
        [{ weeklySnapshotRetentionWeeks: d.name === 'ops manager v1.0' ? 53 : 9 }, 'INVALID_WEEKLY_SNAPSHOT_RETENTION_PERIOD'],
        [{ monthlySnapshotRetentionMonths: d.name === 'ops manager v1.0' ? 37 : 14 }, 'INVALID_MONTHLY_SNAPSHOT_RETENTION_PERIOD'],
        [{ clusterCheckpointIntervalMin: 20 }, 'INVALID_CLUSTER_CHECKPOINT_INTERVAL'],
        [{ pointInTimeWindowHours: 0 }, 'INVALID_ATTRIBUTE'],
        [{ snapshotIntervalHours: 'six' }, 'INVALID_JSON_ATTRIBUTE'],
        [{ snapshotIntervalHours: 7, dailySnapshotRetentionDays: 999 }, 'INVALID_DAILY_SNAPSHOT_RETENTION_PERIOD'],
      ]
      for (const [patch, code] of cases) {
        const refused = await callWithBody(t, d.schedule, { method: 'PATCH', body: patch, key: KEYS.grpowner })
        assert.equal(refused.status, 400, JSON.stringify(patch))
        assert.equal(refused.json().errorCode, code, JSON.stringify(patch))
        if (d.v2) assertLegacySchema('ApiError', refused.json())
      }
      const after = (await callWithBody(t, d.schedule)).json()
      assert.equal(after.snapshotRetentionDays, 3, 'a refused PATCH changes nothing')
      const replica = await callWithBody(t, d.replicaSchedule, { method: 'PATCH', body: { clusterCheckpointIntervalMin: 15 }, key: KEYS.grpowner })
      assert.equal(replica.json().errorCode, 'CANNOT_SET_CLUSTER_CHECKPOINT_INTERVAL_FOR_REPLICA_SET')
    })

    if (d.v2) {
      test('P-S3: the Atlas Go SDK round trip sends every field, 0 for the interval of a replica set', async () => {
        const current = (await callWithBody(t, d.replicaSchedule)).json()
        const sdkBody = { clusterCheckpointIntervalMin: 0, clusterId: '', groupId: '', ...current, links: undefined }
        sdkBody.clusterCheckpointIntervalMin = 0
        const res = await callWithBody(t, d.replicaSchedule, { method: 'PATCH', body: sdkBody, key: KEYS.grpowner })
        assert.equal(res.status, 200, res.body)
        assertLegacySchema('ApiAtlasSnapshotScheduleView', res.json())
      })
    }

    if (d.name === 'ops manager v1.0') {
      test('P-S2: Ops Manager reference time: both fields, converted to +0000; day of week', async () => {
        const missing = await callWithBody(t, d.schedule, { method: 'PATCH', body: { referenceHourOfDay: 5 }, key: KEYS.grpowner })
        assert.equal(missing.json().errorCode, 'INVALID_REFERENCE_TIME_OF_DAY_MISSING_FIELDS')
        const zone = await callWithBody(t, d.schedule, { method: 'PATCH', body: { referenceHourOfDay: 5, referenceMinuteOfHour: 0, referenceTimeZoneOffset: 'CET' }, key: KEYS.grpowner })
        assert.equal(zone.json().errorCode, 'INVALID_REFERENCE_TIMEZONE_OFFSET')
        const day = await callWithBody(t, d.schedule, { method: 'PATCH', body: { fullIncrementalDayOfWeek: 'FUNDAY' }, key: KEYS.grpowner })
        assert.equal(day.json().errorCode, 'INVALID_ENUM_VALUE')
        const ok = await callWithBody(t, d.schedule, { method: 'PATCH', body: { referenceHourOfDay: 5, referenceMinuteOfHour: 30, referenceTimeZoneOffset: '+0200' }, key: KEYS.grpowner })
        assert.equal(ok.status, 200)
        assert.deepEqual([ok.json().referenceHourOfDay, ok.json().referenceMinuteOfHour, ok.json().referenceTimeZoneOffset], [3, 30, '+0000'])
      })
    }

    test('P-N5: PATCH a snapshot: doNotDelete, expires (a bare date), the refusals', async () => {
      const [newest] = (await callWithBody(t, `${d.cluster}/snapshots?itemsPerPage=1`)).json().results
      const url = `${d.cluster}/snapshots/${newest.id}`
      const both = await callWithBody(t, url, { method: 'PATCH', body: { doNotDelete: true, expires: '2030-01-01' }, key: KEYS.grpowner })
      assert.equal(both.status, 403)
      assert.equal(both.json().errorCode, 'CANNOT_MODIFY_SNAPSHOT')
      assert.deepEqual(both.json().parameters, [newest.id])
      const badDate = await callWithBody(t, url, { method: 'PATCH', body: { expires: 'next week' }, key: KEYS.grpowner })
      assert.equal(badDate.json().errorCode, 'INVALID_DATE_FORMAT')
      const keep = await callWithBody(t, url, { method: 'PATCH', body: { doNotDelete: true }, key: KEYS.grpowner })
      assert.equal(keep.status, 200)
      if (d.v2) assertLegacySchema('BackupSnapshot', keep.json())
      assert.equal(keep.json().doNotDelete, true)
      assert.equal(keep.json().expires, undefined)
      const refusedDelete = await callWithBody(t, url, { method: 'DELETE', key: KEYS.orgowner })
      assert.equal(refusedDelete.status, 403)
      assert.equal(refusedDelete.json().errorCode, 'CANNOT_MODIFY_SNAPSHOT')
      const restored = await callWithBody(t, url, { method: 'PATCH', body: { doNotDelete: false }, key: KEYS.grpowner })
      assert.equal(restored.json().doNotDelete, false)
      assert.equal(restored.json().expires, newest.expires)
      const dated = await callWithBody(t, url, { method: 'PATCH', body: { expires: '2030-12-01' }, key: KEYS.grpowner })
      assert.equal(dated.json().expires, '2030-12-01T00:00:00Z')
      const empty = await callWithBody(t, url, { method: 'PATCH', body: {}, key: KEYS.grpowner })
      assert.equal(empty.status, 200)
      assert.equal(empty.json().expires, '2030-12-01T00:00:00Z')
      const past = await callWithBody(t, url, { method: 'PATCH', body: { expires: '2020-01-01T00:00:00Z' }, key: KEYS.grpowner })
      assert.equal(past.status, 200)
      const gone = await callWithBody(t, url)
      assert.equal(gone.status, 404, 'P-N2: an expired snapshot is gone from every read')
      assert.equal(gone.json().errorCode, 'SNAPSHOT_NOT_FOUND')
    })

    test('P-N6, P-N4: DELETE answers 204; deleting the oldest snapshots turns the checkpoints before them non-restorable', async () => {
      const restorableBefore = (await callWithBody(t, `${d.checkpoints}?itemsPerPage=500`)).json().results.filter((c: { restorable: boolean }) => c.restorable)
      assert.ok(restorableBefore.length > 0)
      const all = (await callWithBody(t, `${d.cluster}/snapshots?itemsPerPage=500`)).json().results as Array<{ id: string; created: { date: string }; doNotDelete: boolean }>
      const oldestRestorable = restorableBefore.at(-1).timestamp as string
      // Every snapshot at or before the oldest restorable checkpoint: its bases.
      const bases = all.filter((s) => s.created.date <= oldestRestorable)
      assert.ok(bases.length > 0)
      for (const base of bases) {
        if (base.doNotDelete) await callWithBody(t, `${d.cluster}/snapshots/${base.id}`, { method: 'PATCH', body: { doNotDelete: false }, key: KEYS.orgowner })
        const res = await callWithBody(t, `${d.cluster}/snapshots/${base.id}`, { method: 'DELETE', key: KEYS.orgowner })
        assert.equal(res.status, 204, res.body)
        assert.equal(res.body, '')
        if (d.v2) assert.equal(res.headers['content-type'], d.type)
        else assert.equal(res.headers['content-type'], undefined)
      }
      const after = (await callWithBody(t, `${d.checkpoints}?itemsPerPage=500`)).json().results
      const nextBase = all.filter((s) => s.created.date > oldestRestorable).at(-1)?.created.date ?? '9999'
      for (const c of after as Array<{ timestamp: string; restorable: boolean; id: string }>) {
        const was = restorableBefore.some((r: { id: string }) => r.id === c.id)
        assert.equal(c.restorable, was && c.timestamp >= nextBase, `${c.timestamp} (base from ${nextBase})`)
      }
      const one = (await callWithBody(t, `${d.checkpoints}/${restorableBefore.at(-1).id}`)).json()
      assert.equal(one.restorable, restorableBefore.at(-1).timestamp >= nextBase)
    })

    if (d.cloud !== undefined) {
      test('P-G5: a Cloud Backup cluster answers INCORRECT_BACKUP_API_ENDPOINT', async () => {
        const res = await callWithBody(t, `${d.cloud}/snapshots`)
        assert.equal(res.status, 400)
        assert.equal(res.json().errorCode, 'INCORRECT_BACKUP_API_ENDPOINT')
        assert.match(res.json().parameters[0], /\/groups\/\{groupId\}\/clusters\/\{clusterName\}\/backup\/snapshots$/)
      })
    }

    test('P-G1: other methods answer 405 with the path\'s methods', async () => {
      const res = await callWithBody(t, `${d.cluster}/snapshots`, { method: 'POST', body: {} })
      assert.equal(res.status, 405)
      assert.equal(res.headers['allow'], 'GET, HEAD')
      const one = await callWithBody(t, `${d.cluster}/snapshots/${'0'.repeat(24)}`, { method: 'PUT', body: {} })
      assert.equal(one.headers['allow'], 'GET, HEAD, PATCH, DELETE')
    })
  })
}
