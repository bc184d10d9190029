import { checkReferenceProblems } from '../fixtures/check-references.js'
import { demoDataSet } from '../fixtures/demo.js'
import { hashSecrets } from '../fixtures/hash-secrets.js'
import { validateFixture } from '../fixtures/validate-fixture.js'
import type { ApplySummary, DeleteSummary, Store } from '../storage/store.js'
import { bodyObject, documentViolation } from './admin-bodies.js'
import { FieldViolationsError } from './field-violations.js'

/**
 * Loads a fixture document exactly as `waymark load` does (same validation, same messages, idempotent by
 * id, all or nothing). A refused document is 400 INVALID_ATTRIBUTE listing each problem with its field's
 * path in the document.
 */
export async function loadFixtureDocument(body: unknown, store: Store, now: Date): Promise<ApplySummary> {
  const document = bodyObject(body)
  const result = validateFixture(document, { now })
  if (!result.ok) throw new FieldViolationsError(result.problems.map(documentViolation))
  const problems = await checkReferenceProblems(result.data, store)
  if (problems.length > 0) throw new FieldViolationsError(problems.map(documentViolation))
  return store.apply(await hashSecrets(result.data, result.clientSecrets, { keepMatchingStored: store }))
}

/** Deletes every record (server secrets stay), then loads the demo data set when asked. */
export async function resetStore(store: Store, demo: boolean): Promise<{ deleted: DeleteSummary; loaded: ApplySummary | null }> {
  const deleted = await store.reset()
  const loaded = demo ? await store.apply(demoDataSet()) : null
  return { deleted, loaded }
}
