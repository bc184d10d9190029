import type { ServerClock } from '../clock/server-clock.js'
import { checkReferenceProblems } from '../fixtures/check-references.js'
import { demoDataSet } from '../fixtures/demo.js'
import { validateFixture } from '../fixtures/validate-fixture.js'
import type { DataSet } from '../domain/types.js'
import type { ApplySummary, DeleteSummary, Store } from '../storage/store.js'
import { bodyObject, documentViolation } from './admin-bodies.js'
import { FieldViolationsError } from './field-violations.js'

/**
 * Loads a fixture document exactly as `waymark load` does (same validation, same messages, idempotent by
 * id, all or nothing). A refused document is 400 INVALID_ATTRIBUTE listing each problem with its field's
 * path in the document.
 */
export async function loadFixtureDocument(body: unknown, store: Store, now: Date, clock: ServerClock): Promise<ApplySummary> {
  const document = bodyObject(body)
  const result = validateFixture(document, { now })
  if (!result.ok) throw new FieldViolationsError(result.problems.map(documentViolation))
  const problems = await checkReferenceProblems(result.data, store)
  if (problems.length > 0) throw new FieldViolationsError(problems.map(documentViolation))
  return applyAlone(store, result.data, clock)
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
    for (const clusterId of new Set(data.checkpoints.map((c) => c.clusterId))) clock.recordsChanged(clusterId)
    return summary
  })
}
