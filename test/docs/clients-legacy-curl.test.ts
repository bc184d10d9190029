import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { startWaymark, type RunningWaymark } from '../../src/testing/index.js'
import { digestRequester, V2_ACCEPT, type Requester } from '../helpers/fuzz-legacy.js'

/**
 * docs/clients.md's two legacy backup `### curl` sections (schedule and snapshots; restore jobs), run
 * command by command as written against a served Waymark (the demo, its clock frozen and then moved by
 * the admin API), with the variables they name set from the server's own answers; each answer is checked.
 * (test/docs/readme-commands.test.ts runs the page's first `## curl` block; these two it does not.)
 */

const run = promisify(execFile)
const DOC = await readFile(new URL('../../../docs/clients.md', import.meta.url), 'utf8')
const GROUP = '65a1f0c2e4b0a1b2c3d4e502'
const CLUSTER_ID = '65a1f0c2e4b0a1b2c3d4e510'
const ORG = '65a1f0c2e4b0a1b2c3d4e501'
const KEY = { publicKey: 'curldocs', privateKey: '5d1e7c3a-9b2f-4c8e-a6d4-3f2b1e0c9d87' }
const missing = async (tool: string): Promise<boolean> => run('sh', ['-c', `command -v ${tool}`]).then(() => false, () => true)
const MISSING = (await Promise.all(['bash', 'curl', 'tar'].map(async (tool) => ((await missing(tool)) ? tool : undefined)))).filter(Boolean)

/** The `### curl` block of the `## {heading}` section, as one command per entry (continuation lines joined). */
function curlCommands(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`)
  assert.ok(start >= 0, heading)
  const end = DOC.indexOf('\n## ', start + 1)
  const section = DOC.slice(start, end === -1 ? undefined : end)
  const block = /### curl\n\n```sh\n([\s\S]*?)```/.exec(section)?.[1]
  assert.ok(block, `${heading} has a curl block`)
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '')
}

describe('docs/clients.md: the legacy backup curl sections, as written', { skip: MISSING.length > 0 && `needs ${MISSING.join(', ')}` }, () => {
  let waymark: RunningWaymark
  let cwd: string
  let api: Requester
  let env: Record<string, string>

  /** One documented command, with its status printed after its answer. */
  const runCommand = async (command: string): Promise<{ status: number; body: string }> => {
    const script = `set -e\ncurl() { command curl -sS -w '\\n%{http_code}\\n' "$@"; }\n${command.replaceAll('http://localhost:8080', waymark.url)}`
    const { stdout } = await run('bash', ['-c', script], { cwd, env: { ...process.env, ...env }, maxBuffer: 8 * 1024 * 1024 })
    const lines = stdout.trimEnd().split('\n')
    return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join('\n') }
  }

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'waymark-clients-curl-'))
    waymark = await startWaymark({ demo: true, clock: '2026-11-01T00:00:00Z', frozen: true, adminToken: 'change-me-0123456789' })
    await waymark.admin.createApiKey({ ...KEY, orgId: ORG, description: 'docs/clients.md curl', roles: [{ orgId: ORG, roleName: 'ORG_OWNER' }] })
    api = digestRequester(waymark.url, KEY)
    env = { PUBLIC: KEY.publicKey, PRIVATE: KEY.privateKey, GROUP, CLUSTER_ID }
  })
  after(async () => {
    await waymark?.stop()
    if (cwd) await rm(cwd, { recursive: true, force: true })
  })

  test('## Legacy backup: snapshot schedule and snapshots: the v2 schedule PATCH, the Ops Manager list, the v1.0 expiry PATCH', async () => {
    const commands = curlCommands('Legacy backup: snapshot schedule and snapshots')
    assert.equal(commands.length, 3, commands.join('\n'))
    const list = await api('GET', `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/snapshots?completed=true`, { accept: V2_ACCEPT })
    assert.equal(list.status, 200, list.body)
    const snapshot = (JSON.parse(list.body).results as { id: string }[])[0]?.id
    assert.ok(snapshot)
    env['SNAPSHOT'] = snapshot

    const schedule = await runCommand(commands[0] ?? '')
    assert.equal(schedule.status, 200, schedule.body)
    assert.equal(JSON.parse(schedule.body).clusterCheckpointIntervalMin, 15)
    const all = await runCommand(commands[1] ?? '')
    assert.equal(all.status, 200, all.body)
    const results = JSON.parse(all.body).results as { id: string; complete: boolean }[]
    assert.ok(results.some((s) => s.id === snapshot) && results.some((s) => !s.complete), 'completed=all lists complete snapshots and the one in progress')
    const expiry = await runCommand(commands[2] ?? '')
    assert.equal(expiry.status, 200, expiry.body)
    assert.deepEqual({ id: JSON.parse(expiry.body).id, expires: JSON.parse(expiry.body).expires }, { id: snapshot, expires: '2030-12-01T00:00:00Z' })
  })

  test('## Legacy backup: restore jobs: the v2 checkpoint restore, the Ops Manager batch, the download', async () => {
    const commands = curlCommands('Legacy backup: restore jobs')
    assert.equal(commands.length, 3, commands.join('\n'))
    const checkpoints = await api('GET', `/api/atlas/v2/groups/${GROUP}/clusters/Cluster0/backupCheckpoints?itemsPerPage=500`, { accept: V2_ACCEPT })
    const checkpoint = (JSON.parse(checkpoints.body).results as { id: string; restorable: boolean }[]).find((c) => c.restorable)?.id
    assert.ok(checkpoint, checkpoints.body.slice(0, 300))
    env['CHECKPOINT'] = checkpoint

    const created = await runCommand(commands[0] ?? '')
    assert.equal(created.status, 200, created.body)
    const jobs = JSON.parse(created.body).results as { batchId: string; statusName: string }[]
    // The demo's Cluster0: three shards and a config server replica set, one job each in one batch.
    assert.equal(jobs.length, 4)
    const batch = jobs[0]?.batchId ?? ''
    assert.ok(jobs.every((job) => job.batchId === batch && job.statusName === 'IN_PROGRESS'))
    env['BATCH'] = batch
    const listed = await runCommand(commands[1] ?? '')
    assert.equal(listed.status, 200, listed.body)
    assert.deepEqual((JSON.parse(listed.body).results as { batchId: string }[]).map((job) => job.batchId), [batch, batch, batch, batch])

    // "delivery.url of a FINISHED HTTP restore": one made here, finished by moving the clock.
    const http = await api('POST', `/api/atlas/v2/groups/${GROUP}/clusters/ReplicaSet0/restoreJobs`, { accept: V2_ACCEPT, 'content-type': V2_ACCEPT }, JSON.stringify({
      delivery: { methodName: 'HTTP' },
      snapshotId: (JSON.parse((await api('GET', `/api/atlas/v2/groups/${GROUP}/clusters/ReplicaSet0/snapshots`, { accept: V2_ACCEPT })).body).results as { id: string }[])[0]?.id,
    }))
    assert.equal(http.status, 200, http.body)
    const jobId = (JSON.parse(http.body).results as { id: string }[])[0]?.id
    await waymark.admin.advanceClock('PT2M')
    const finished = JSON.parse((await api('GET', `/api/atlas/v2/groups/${GROUP}/clusters/ReplicaSet0/restoreJobs/${jobId}`, { accept: V2_ACCEPT })).body)
    assert.equal(finished.statusName, 'FINISHED')
    env['DELIVERY_URL'] = finished.delivery.url
    const download = await runCommand(commands[2] ?? '')
    assert.equal(download.status, 200, download.body)
    const file = await readFile(join(cwd, 'restore.tar.gz'))
    assert.deepEqual([...file.subarray(0, 2)], [0x1f, 0x8b], 'a gzip file')
    const { stdout } = await run('tar', ['-tzf', join(cwd, 'restore.tar.gz')])
    assert.equal(stdout.trim(), 'manifest.json')
  })
})
