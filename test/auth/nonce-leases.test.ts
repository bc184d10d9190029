import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { NonceBook, type NonceCheck } from '../../src/auth/nonces.js'
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js'
import type { Store } from '../../src/storage/store.js'

const SECRET = 'a shared secret of the nonce books'
const dir = mkdtempSync(join(tmpdir(), 'waymark-leases-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface Claim {
  readonly nonce: string
  readonly owner: string
  readonly expiresAt: number
}

/** A book whose leases go to a real store file, recording every claim it makes. */
function leasedBook(store: () => Store, owner?: string): { book: NonceBook; claims: Claim[] } {
  const claims: Claim[] = []
  const book = new NonceBook({
    secret: SECRET,
    ...(owner !== undefined ? { owner } : {}),
    claimLease: (nonce, owner, expiresAt) => {
      claims.push({ nonce, owner, expiresAt })
      return store().claimNonceLease(nonce, owner, expiresAt)
    },
  })
  return { book, claims }
}

const settle = async (verdict: NonceCheck | Promise<NonceCheck>): Promise<NonceCheck> => verdict

describe('NonceBook leases in a shared store', () => {
  const file = join(dir, 'leases.sqlite')

  test('the first use claims the lease once; later counts are checked in memory', async () => {
    const store = SqliteStore.open(file)
    try {
      const { book, claims } = leasedBook(() => store)
      const nonce = book.issue()
      const first = book.check(nonce, 1)
      assert.ok(first instanceof Promise, 'the first use waits for its lease')
      assert.equal(await first, 'ok')
      assert.deepEqual(claims, [{ nonce, owner: book.owner, expiresAt: book.usableUntil() }])
      assert.equal(book.check(nonce, 2), 'ok')
      assert.equal(book.check(nonce, 1), 'replay')
      assert.equal(book.check(nonce, 5), 'ok')
      assert.equal(claims.length, 1)
    } finally {
      await store.close()
    }
  })

  test('concurrent first uses share one claim, and a count repeated among them is a replay', async () => {
    const store = SqliteStore.open(file)
    try {
      const { book, claims } = leasedBook(() => store)
      const nonce = book.issue()
      const verdicts = await Promise.all([1, 2, 2, 3].map((nc) => settle(book.check(nonce, nc))))
      assert.deepEqual(verdicts, ['ok', 'ok', 'replay', 'ok'])
      assert.equal(claims.length, 1)
    } finally {
      await store.close()
    }
  })

  test('a nonce leased by another book is answered elsewhere there (stale to the client), for new counts and replays alike', async () => {
    const one = SqliteStore.open(file)
    const two = SqliteStore.open(file)
    try {
      const a = leasedBook(() => one)
      const b = leasedBook(() => two)
      assert.notEqual(a.book.owner, b.book.owner)
      const nonce = b.book.issue()
      assert.equal(await settle(a.book.check(nonce, 1)), 'ok')
      assert.equal(await settle(b.book.check(nonce, 1)), 'elsewhere')
      assert.equal(await settle(b.book.check(nonce, 2)), 'elsewhere')
      assert.equal(b.claims.length, 1, 'the lease held elsewhere is remembered, not claimed again')
      assert.equal(a.book.check(nonce, 2), 'ok')
      assert.equal(a.book.check(nonce, 1), 'replay')
    } finally {
      await one.close()
      await two.close()
    }
  })

  test('a failed claim rejects the check; the next use claims again and holds the lease', async () => {
    const broken = SqliteStore.open(join(dir, 'broken.sqlite'))
    await broken.close()
    const store = SqliteStore.open(file)
    let failing = true
    try {
      const { book, claims } = leasedBook(() => (failing ? broken : store))
      const nonce = book.issue()
      await assert.rejects(settle(book.check(nonce, 1)))
      failing = false
      // The count of the failed request was used up in this process; a new one goes through.
      assert.equal(await settle(book.check(nonce, 1)), 'replay')
      assert.equal(await settle(book.check(nonce, 2)), 'ok')
      assert.equal(book.check(nonce, 3), 'ok')
      assert.equal(claims.length, 2)
    } finally {
      await store.close()
    }
  })

  test('a claim retried by its owner after its insert was stored still holds the lease', async () => {
    const store = SqliteStore.open(file)
    try {
      const owner = 'restarted-claim'
      const first = leasedBook(() => store, owner)
      const nonce = first.book.issue()
      // As if the first claim's insert was committed but its answer lost: the row is already the owner's.
      assert.equal(await store.claimNonceLease(nonce, owner, first.book.usableUntil()), true)
      assert.equal(await settle(first.book.check(nonce, 1)), 'ok')
    } finally {
      await store.close()
    }
  })
})
