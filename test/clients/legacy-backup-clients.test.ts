import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import DigestClient from 'digest-fetch'
import { startWaymark, type RunningWaymark } from '../../src/testing/index.js'
import { assertLegacySchema } from '../helpers/legacy-openapi.js'
import { freshStore, type FreshStore } from '../helpers/test-store.js'

/**
 * The legacy backup workflow (docs/legacy-backup.md) with two more real Digest clients, in each dialect:
 * Python `requests` and npm's `digest-fetch`. Set a 15-minute checkpoint interval through the schedule,
 * move the clock, list snapshots and checkpoints, restore the sharded cluster to a checkpoint, poll the
 * batch to FINISHED, restore its base snapshot over HTTP, download each file through delivery.url, check
 * its SHA-1 and that the download was counted, delete the base snapshot of the oldest restorable
 * checkpoint and see that checkpoint turn non-restorable.
 */

const run = promisify(execFile)
const PYTHON = process.env['WAYMARK_TEST_PYTHON'] ?? 'python3'
const hasPythonRequests = await run(PYTHON, ['-c', 'import requests']).then(() => true, () => false)
const TOKEN = 'clients-admin-token-0123'
const GROUP = '65a1f0c2e4b0a1b2c3d4e502'
const ORG = '65a1f0c2e4b0a1b2c3d4e501'
const CLUSTER0 = '65a1f0c2e4b0a1b2c3d4e510'
const REPLICA_SET0 = '65a1f0c2e4b0a1b2c3d4e511'
const KEY = { publicKey: 'restorer', privateKey: '5c1f0e2d-3a4b-4c5d-8e6f-7a8b9c0d1e2f' }

interface Dialect {
  readonly name: string
  readonly api: string
  readonly schedule: string
  readonly checkpoints: string
  readonly accept: string
  readonly contentType: string
  readonly target: Readonly<Record<string, string>>
}

function dialects(base: string): Dialect[] {
  const v2 = `${base}/api/atlas/v2/groups/${GROUP}/clusters/Cluster0`
  const v1 = `${base}/api/atlas/v1.0/groups/${GROUP}/clusters/Cluster0`
  const om = `${base}/api/public/v1.0/groups/${GROUP}/clusters/${CLUSTER0}`
  const vnd = 'application/vnd.atlas.2023-01-01+json'
  return [
    { name: 'Atlas v2', api: v2, schedule: `${v2}/snapshotSchedule`, checkpoints: `${v2}/backupCheckpoints`, accept: vnd, contentType: vnd, target: { targetGroupId: GROUP, targetClusterName: 'ReplicaSet0' } },
    { name: 'Atlas v1.0', api: v1, schedule: `${v1}/snapshotSchedule`, checkpoints: `${v1}/backupCheckpoints`, accept: 'application/json', contentType: 'application/json', target: { targetGroupId: GROUP, targetClusterName: 'ReplicaSet0' } },
    {
      name: 'Ops Manager',
      api: om,
      schedule: `${base}/api/public/v1.0/groups/${GROUP}/backupConfigs/${CLUSTER0}/snapshotSchedule`,
      checkpoints: `${om}/checkpoints`,
      accept: 'application/json',
      contentType: 'application/json',
      target: { targetGroupId: GROUP, targetClusterId: REPLICA_SET0 },
    },
  ]
}

/** What a client saw, for the assertions every client shares. */
interface Outcome {
  schedule: { clusterCheckpointIntervalMin: number }
  snapshots: number
  checkpointRestore: { jobs: number; batches: number; finished: boolean }
  downloads: { matched: number; counted: number; refusedAfter: number[] }
  restorableAfterDelete: boolean
  bodies: unknown[]
}

function check(outcome: Outcome, dialect: Dialect): void {
  assert.equal(outcome.schedule.clusterCheckpointIntervalMin, 15)
  assert.ok(outcome.snapshots > 0)
  assert.deepEqual(outcome.checkpointRestore, { jobs: 4, batches: 1, finished: true })
  assert.deepEqual(outcome.downloads, { matched: 4, counted: 4, refusedAfter: [410, 410, 410, 410] })
  assert.equal(outcome.restorableAfterDelete, false)
  if (dialect.name === 'Atlas v2') {
    for (const body of outcome.bodies) assertLegacySchema('results' in (body as object) ? 'PaginatedRestoreJobView' : 'BackupRestoreJob', body)
  }
}

const PYTHON_WORKFLOW = `
import hashlib, json, sys, requests
from requests.auth import HTTPDigestAuth
d = json.loads(sys.argv[1])
s = requests.Session()
s.auth = HTTPDigestAuth(d["user"], d["password"])
s.headers.update({"Accept": d["accept"], "Content-Type": d["contentType"]})
admin = {"Authorization": "Bearer " + d["token"]}
def advance(by):
    r = requests.post(d["admin"] + "/clock", json={"advanceBy": by}, headers=admin)
    assert r.status_code == 200, r.text
def ok(r):
    assert r.status_code in (200, 204), (r.status_code, r.text)
    return r.json() if r.status_code == 200 else None
def poll(batch):
    for _ in range(30):
        page = ok(s.get(d["api"] + "/restoreJobs", params={"batchId": batch}))
        if all(j["statusName"] != "IN_PROGRESS" for j in page["results"]):
            return page
        advance("PT1M")
    return page
out = {"bodies": []}
out["schedule"] = ok(s.patch(d["schedule"], data=json.dumps({"clusterCheckpointIntervalMin": 15})))
advance("PT2H")
out["snapshots"] = ok(s.get(d["api"] + "/snapshots"))["totalCount"]
checkpoints = ok(s.get(d["checkpoints"], params={"itemsPerPage": 500}))["results"]
checkpoint = next(c for c in checkpoints if c["restorable"])
created = ok(s.post(d["api"] + "/restoreJobs", data=json.dumps({"delivery": dict(methodName="AUTOMATED_RESTORE", **d["target"]), "checkpointId": checkpoint["id"]})))
out["bodies"].append(created)
batch = created["results"][0]["batchId"]
page = poll(batch)
out["bodies"].append(page)
out["checkpointRestore"] = {"jobs": created["totalCount"], "batches": len({j["batchId"] for j in created["results"]}), "finished": all(j["statusName"] == "FINISHED" for j in page["results"])}
files = ok(s.post(d["api"] + "/restoreJobs", data=json.dumps({"delivery": {"methodName": "HTTP", "maxDownloads": "1"}, "snapshotId": created["results"][0]["snapshotId"]})))
poll(files["results"][0]["batchId"])
matched = counted = 0
refused = []
for job in files["results"]:
    one = ok(s.get(d["api"] + "/restoreJobs/" + job["id"]))
    data = requests.get(one["delivery"]["url"])
    assert data.status_code == 200 and data.headers["Content-Type"] == "application/gzip"
    after = ok(s.get(d["api"] + "/restoreJobs/" + job["id"]))
    out["bodies"].append(after)
    matched += after["hashes"][0]["hash"] == hashlib.sha1(data.content).hexdigest()
    counted += requests.get(d["admin"] + "/groups/" + d["group"] + "/clusters/" + d["clusterId"] + "/restoreJobs/" + job["id"], headers=admin).json()["downloads"]
    refused.append(requests.get(one["delivery"]["url"]).status_code)
out["downloads"] = {"matched": matched, "counted": counted, "refusedAfter": refused}
oldest = [c for c in ok(s.get(d["checkpoints"], params={"itemsPerPage": 500}))["results"] if c["restorable"]][-1]
for snap in ok(s.get(d["api"] + "/snapshots", params={"completed": "all", "itemsPerPage": 500}))["results"]:
    if snap["created"]["date"] <= oldest["timestamp"]:
        ok(s.patch(d["api"] + "/snapshots/" + snap["id"], data=json.dumps({"doNotDelete": False})))
        ok(s.delete(d["api"] + "/snapshots/" + snap["id"]))
out["restorableAfterDelete"] = ok(s.get(d["checkpoints"] + "/" + oldest["id"]))["restorable"]
print(json.dumps(out))
`

describe('the legacy backup workflow with Python requests and digest-fetch', () => {
  let store: FreshStore
  let waymark: RunningWaymark
  before(async () => {
    store = await freshStore('clients')
    waymark = await startWaymark({ demo: true, clock: '2026-11-01T00:00:00Z', frozen: true, adminToken: TOKEN, store: store.url })
    const created = await fetch(`${waymark.adminUrl}/apiKeys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...KEY, orgId: ORG, description: 'restore tool', roles: [{ orgId: ORG, roleName: 'ORG_OWNER' }] }),
    })
    assert.equal(created.status, 201, await created.text())
  })
  after(async () => {
    await waymark?.stop()
    await store?.drop()
  })

  for (const index of [0, 1, 2]) {
    test(`Python requests, ${['Atlas v2', 'Atlas v1.0', 'Ops Manager'][index]}`, { skip: !hasPythonRequests && 'needs python3 with requests' }, async () => {
      const dialect = dialects(waymark.url)[index] as Dialect
      const args = { ...dialect, user: KEY.publicKey, password: KEY.privateKey, token: TOKEN, admin: waymark.adminUrl, group: GROUP, clusterId: CLUSTER0 }
      const { stdout } = await run(PYTHON, ['-c', PYTHON_WORKFLOW, JSON.stringify(args)], { maxBuffer: 32 * 1024 * 1024 })
      check(JSON.parse(stdout) as Outcome, dialect)
    })
  }

  for (const index of [0, 1, 2]) {
    test(`digest-fetch, ${['Atlas v2', 'Atlas v1.0', 'Ops Manager'][index]}`, async () => {
      const dialect = dialects(waymark.url)[index] as Dialect
      check(await digestFetchWorkflow(dialect, waymark), dialect)
    })
  }
})

async function digestFetchWorkflow(d: Dialect, waymark: RunningWaymark): Promise<Outcome> {
  const client = new DigestClient(KEY.publicKey, KEY.privateKey)
  const headers = { accept: d.accept, 'content-type': d.contentType }
  const call = async (url: string, method = 'GET', body?: unknown): Promise<any> => {
    const res = await client.fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await res.text()
    assert.ok(res.status === 200 || res.status === 204, `${method} ${url}: ${res.status} ${text}`)
    return text === '' ? undefined : JSON.parse(text)
  }
  const admin = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${waymark.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const advance = async (by: string) => assert.equal((await admin('/clock', 'POST', { advanceBy: by })).status, 200)
  const poll = async (batch: string): Promise<any> => {
    let page: any
    for (let i = 0; i < 30; i++) {
      page = await call(`${d.api}/restoreJobs?batchId=${batch}`)
      if (page.results.every((j: { statusName: string }) => j.statusName !== 'IN_PROGRESS')) return page
      await advance('PT1M')
    }
    return page
  }
  const bodies: unknown[] = []
  const schedule = await call(d.schedule, 'PATCH', { clusterCheckpointIntervalMin: 15 })
  await advance('PT2H')
  const snapshots = (await call(`${d.api}/snapshots`)).totalCount
  const checkpoints = (await call(`${d.checkpoints}?itemsPerPage=500`)).results as { id: string; restorable: boolean; timestamp: string }[]
  const checkpoint = checkpoints.find((c) => c.restorable)
  assert.ok(checkpoint)
  const created = await call(`${d.api}/restoreJobs`, 'POST', { delivery: { methodName: 'AUTOMATED_RESTORE', ...d.target }, checkpointId: checkpoint.id })
  bodies.push(created)
  const page = await poll(created.results[0].batchId)
  bodies.push(page)
  const files = await call(`${d.api}/restoreJobs`, 'POST', { delivery: { methodName: 'HTTP', maxDownloads: 1 }, snapshotId: created.results[0].snapshotId })
  await poll(files.results[0].batchId)
  let matched = 0
  let counted = 0
  const refusedAfter: number[] = []
  for (const job of files.results) {
    const one = await call(`${d.api}/restoreJobs/${job.id}`)
    // urlV2 with its header where the dialect has one, else url.
    const v2 = one.delivery.urlV2 !== undefined
    const data = v2 ? await fetch(one.delivery.urlV2, { headers: { [one.delivery.authHeader]: one.delivery.authBearer ? `${one.delivery.authBearer} ${one.delivery.authValue}` : one.delivery.authValue } }) : await fetch(one.delivery.url)
    assert.equal(data.status, 200)
    const bytes = Buffer.from(await data.arrayBuffer())
    const afterDownload = await call(`${d.api}/restoreJobs/${job.id}`)
    bodies.push(afterDownload)
    if (afterDownload.hashes[0].hash === createHash('sha1').update(bytes).digest('hex')) matched++
    counted += ((await (await admin(`/groups/${GROUP}/clusters/${CLUSTER0}/restoreJobs/${job.id}`)).json()) as { downloads: number }).downloads
    refusedAfter.push((await fetch(one.delivery.url)).status)
  }
  const oldest = ((await call(`${d.checkpoints}?itemsPerPage=500`)).results as typeof checkpoints).filter((c) => c.restorable).at(-1)
  assert.ok(oldest)
  for (const snap of (await call(`${d.api}/snapshots?completed=all&itemsPerPage=500`)).results as { id: string; created: { date: string } }[]) {
    if (snap.created.date > oldest.timestamp) continue
    await call(`${d.api}/snapshots/${snap.id}`, 'PATCH', { doNotDelete: false })
    await call(`${d.api}/snapshots/${snap.id}`, 'DELETE')
  }
  const restorableAfterDelete = (await call(`${d.checkpoints}/${oldest.id}`)).restorable
  return {
    schedule,
    snapshots,
    checkpointRestore: { jobs: created.totalCount, batches: new Set(created.results.map((j: { batchId: string }) => j.batchId)).size, finished: page.results.every((j: { statusName: string }) => j.statusName === 'FINISHED') },
    downloads: { matched, counted, refusedAfter },
    restorableAfterDelete,
    bodies,
  }
}
