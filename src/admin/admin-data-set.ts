import { coverWithSnapshots, untrackedClusters } from '../domain/legacy-backup/snapshot-coverage.js'
import type { ServerClock } from '../clock/server-clock.js'
import { demoDataSet } from '../fixtures/demo.js'
import { FixtureError, FixtureNotAnObjectError, FixtureSyntaxError, loadFixtureStream } from '../fixtures/load-fixture.js'
import { ApiError } from '../errors.js'
import type { DataSet } from '../domain/data-set.js'
import type { ApplySummary, DeleteSummary, Store } from '../storage/store.js'
import { documentViolation } from './admin-bodies.js'
import { FieldViolationsError } from './field-violations.js'

/**
 * Loads a fixture document as it arrives (the request body, streamed: never held whole, see
 * `loadFixtureStream`), exactly as `waymark load` does (same validation, same messages, idempotent by id,
 * all or nothing). An empty body loads nothing; a body that is not JSON is 400 INVALID_JSON, JSON that is
 * no object 400 EXPECTED_JSON_OBJECT, a refused document 400 INVALID_ATTRIBUTE listing each problem with
 * its field's path in the document.
 */
export async function loadFixtureBody(body: AsyncIterable<Buffer | string>, store: Store, now: Date, clock: ServerClock): Promise<ApplySummary> {
  try {
    // While the producer does not run (as applyAlone below).
    return await clock.exclusive(async () => {
      const summary = await loadFixtureStream(skipEmpty(body), store, { now, notAnObject: 'throw' })
      // As applyAlone: the producer reads again the clusters it serves, which may have new checkpoints now.
      if (summary.checkpoints > 0) for (const cluster of await store.listScheduledClusters()) clock.recordsChanged(cluster.id)
      return summary
    })
  } catch (error) {
    if (error instanceof FixtureError) throw new FieldViolationsError(error.problems.map(documentViolation))
    if (error instanceof FixtureSyntaxError) throw new ApiError('INVALID_JSON')
    if (error instanceof FixtureNotAnObjectError) throw new ApiError('EXPECTED_JSON_OBJECT', [error.type])
    throw error
  }
}

/** The body, or `{}` when it is empty or blank (as the other admin routes read no body). */
async function* skipEmpty(body: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  let blank = true
  for await (const chunk of body) {
    if (blank && String(chunk).trim() === '') continue
    blank = false
    yield chunk
  }
  if (blank) yield '{}'
}

/**
 * Deletes every record (server secrets stay), then loads the demo data set when asked, as of the server's
 * clock (its newest checkpoints at the last quarter hour before now).
 */
export async function resetStore(store: Store, demo: boolean, clock: ServerClock): Promise<{ deleted: DeleteSummary; loaded: ApplySummary | null }> {
  const deleted = await store.reset()
  const loaded = demo ? await applyAlone(store, demoDataSet(clock.now()), clock) : null
  return { deleted, loaded }
}

/**
 * Writes a data set while the producer does not run, then has it read again the clusters whose checkpoints
 * were written, so it continues after their newest rather than from what it knew before.
 */
function applyAlone(store: Store, data: DataSet, clock: ServerClock): Promise<ApplySummary> {
  return clock.exclusive(async () => {
    const summary = await store.apply(data)
    await coverWithSnapshots(store, untrackedClusters(data, data.clusters.map((c) => c.id)), clock.now())
    for (const clusterId of new Set(data.checkpoints.map((c) => c.clusterId))) clock.recordsChanged(clusterId)
    return summary
  })
}
