import { strict as assert } from 'node:assert'
import { describe, test } from 'node:test'
import type { Checkpoint } from '../../src/domain/types.js'
import type { DataSet } from '../../src/domain/data-set.js'
import { copyCheckpoints, copyRecords } from '../../src/storage/copy-store.js'
import { openStore } from '../../src/storage/open-store.js'
import type { Store } from '../../src/storage/store.js'
import { CLUSTER, base, nth } from './sample-data.js'

const EMPTY: DataSet = { organizations: [], projects: [], clusters: [], checkpoints: [], apiKeys: [], serviceAccounts: [] }

async function stores(fn: (source: Store, target: Store) => Promise<void>): Promise<void> {
  const source = await openStore('sqlite::memory:')
  const target = await openStore('sqlite::memory:')
  try {
    await source.apply(base())
    await fn(source, target)
  } finally {
    await source.close()
    await target.close()
  }
}

async function everything(store: Store): Promise<Checkpoint[]> {
  return [...(await store.pageCheckpoints(CLUSTER, { offset: 0, limit: 500 })).items]
}

/** Copies records and checkpoints in batches of 3, recording the progress reported. */
async function copy(source: Store, target: Store, full = false) {
  const { clusters } = await copyRecords(source, target, 0)
  const progress: Array<[number, number]> = []
  const result = await copyCheckpoints(source, target, clusters, {
    batchSize: 3,
    full,
    onProgress: (done, total) => progress.push([done, total]),
  })
  return { result, progress }
}

describe('copying a store', () => {
  test('copies every checkpoint oldest first in batches, reporting progress', () =>
    stores(async (source, target) => {
      await source.apply({ ...EMPTY, checkpoints: Array.from({ length: 10 }, (_, i) => nth(i)) })
      const { result, progress } = await copy(source, target)
      assert.deepEqual(result, { total: 10, copied: 10, alreadyThere: 0, resumedClusters: 0, recopiedClusters: 0 })
      assert.deepEqual(progress, [[0, 10], [0, 10], [3, 10], [6, 10], [9, 10], [10, 10]])
      assert.deepEqual(await everything(target), await everything(source))
    }))

  test('continues after the prefix an interrupted copy left', () =>
    stores(async (source, target) => {
      await source.apply({ ...EMPTY, checkpoints: Array.from({ length: 10 }, (_, i) => nth(i)) })
      await target.apply({ ...base(), checkpoints: Array.from({ length: 4 }, (_, i) => nth(i)) })
      const { result, progress } = await copy(source, target)
      assert.deepEqual(result, { total: 10, copied: 6, alreadyThere: 4, resumedClusters: 1, recopiedClusters: 0 })
      assert.deepEqual(progress.at(1), [4, 10])
      assert.deepEqual(await everything(target), await everything(source))
    }))

  test('after a complete copy, copies only the checkpoints the source appended since', () =>
    stores(async (source, target) => {
      await source.apply({ ...EMPTY, checkpoints: Array.from({ length: 5 }, (_, i) => nth(i)) })
      await copy(source, target)
      await source.apply({ ...EMPTY, checkpoints: [nth(5), nth(6)] })
      const { result } = await copy(source, target)
      assert.deepEqual(result, { total: 7, copied: 2, alreadyThere: 5, resumedClusters: 1, recopiedClusters: 0 })
      assert.deepEqual(await everything(target), await everything(source))
    }))

  test('copies a cluster again from its oldest when the target is not a prefix of the source', () =>
    stores(async (source, target) => {
      await source.apply({ ...EMPTY, checkpoints: Array.from({ length: 8 }, (_, i) => nth(2 * i)) })
      await target.apply({ ...base(), checkpoints: Array.from({ length: 3 }, (_, i) => nth(2 * i)) })
      // The source gained a checkpoint before the target's newest: the counts up to it differ.
      await source.apply({ ...EMPTY, checkpoints: [nth(1)] })
      const { result } = await copy(source, target)
      assert.deepEqual(result, { total: 9, copied: 9, alreadyThere: 0, resumedClusters: 0, recopiedClusters: 1 })
      assert.deepEqual(await everything(target), await everything(source))

      // The target's newest is not the source's: copied again; what only the target has stays.
      const extra = { ...nth(40), id: 'ffffffffffffffffffffffff' }
      await target.apply({ ...EMPTY, checkpoints: [extra] })
      const again = await copy(source, target)
      assert.equal(again.result.recopiedClusters, 1)
      assert.deepEqual(await everything(target), [extra, ...(await everything(source))])

      // The target's newest has other content than the source's.
      const fresh = await openStore('sqlite::memory:')
      try {
        await copy(source, fresh)
        await fresh.apply({ ...EMPTY, checkpoints: [{ ...nth(14), restorable: false }] })
        assert.equal((await copy(source, fresh)).result.recopiedClusters, 1)
        assert.deepEqual(await everything(fresh), await everything(source))
      } finally {
        await fresh.close()
      }
    }))

  test('full copies every checkpoint again, catching a change the resume checks cannot see', () =>
    stores(async (source, target) => {
      await source.apply({ ...EMPTY, checkpoints: Array.from({ length: 6 }, (_, i) => nth(i)) })
      await copy(source, target)
      const changed = { ...nth(2), restorable: false }
      await source.apply({ ...EMPTY, checkpoints: [changed] })
      const resumed = await copy(source, target)
      assert.deepEqual(resumed.result, { total: 6, copied: 0, alreadyThere: 6, resumedClusters: 1, recopiedClusters: 0 })
      assert.deepEqual(await target.getCheckpoint(CLUSTER, changed.id), nth(2))
      const full = await copy(source, target, true)
      assert.deepEqual(full.result, { total: 6, copied: 6, alreadyThere: 0, resumedClusters: 0, recopiedClusters: 0 })
      assert.deepEqual(await everything(target), await everything(source))
    }))

  test('copies secrets over the target\'s and only unexpired revoked tokens', () =>
    stores(async (source, target) => {
      await source.getOrCreateSecret('digest-nonce-hmac', () => 'from the source')
      await target.getOrCreateSecret('digest-nonce-hmac', () => 'the target had its own')
      await source.revokeToken('expired', 1_000)
      await source.revokeToken('current', 4_000_000_000)
      const { copied } = await copyRecords(source, target, 2_000)
      assert.equal(copied.secrets, 1)
      assert.equal(copied.revokedTokens, 1)
      assert.equal(await target.getOrCreateSecret('digest-nonce-hmac', () => 'new'), 'from the source')
      assert.equal(await target.isTokenRevoked('current'), true)
      assert.equal(await target.isTokenRevoked('expired'), false)
    }))

  test('refuses a batch size that is not a positive integer', () =>
    stores(async (source, target) => {
      await assert.rejects(copyCheckpoints(source, target, [], { batchSize: 0 }), RangeError)
    }))
})
