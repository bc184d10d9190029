import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'

/**
 * Files up to this size are checked (`PRAGMA quick_check`) before a store opens: at most a few tens of
 * milliseconds when the file is in the page cache (about 0.5 s per 600 MB measured, 0.8 ms per MB), more
 * from a cold disk. Larger files are checked in the background while `waymark serve` starts, so that a
 * million-checkpoint store still starts in a few hundred milliseconds (docs/durability.md).
 */
export const SYNC_CHECK_MAX_BYTES = 64 * 1024 * 1024

/** How long after opening a large file its background check starts. */
export const BACKGROUND_CHECK_DELAY_MS = 1_000

/** A SQLite file that is no database, or is damaged: refused at start with this one-line message. */
export class DamagedStoreError extends Error {
  override readonly name = 'DamagedStoreError'
  /** As better-sqlite3 names a damaged file, so that the store's error classification applies. */
  readonly code = 'SQLITE_CORRUPT'

  constructor(path: string, detail: string) {
    const line = detail.replace(/\s+/g, ' ').trim()
    super(`${path} is not a SQLite database or is damaged (${line}); restore it from a backup, or move it away to start anew`)
  }
}

/** The first problem `PRAGMA quick_check` reports, or undefined when the file is whole. */
export function quickCheck(db: Database.Database): string | undefined {
  const rows = db.pragma('quick_check(1)') as Array<{ quick_check: string }>
  const first = rows[0]?.quick_check
  return first === undefined || first === 'ok' ? undefined : first
}

/** The size of the file at `path` in bytes (0 when it does not exist yet). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

// The worker is a few lines of CommonJS given as source, so that the bundle needs no file of its own;
// it loads better-sqlite3 from where this module resolves it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
let problem
try {
  const db = new Database(workerData.path, { readonly: workerData.task === 'quick_check', fileMustExist: true })
  try {
    if (workerData.task === 'quick_check') {
      const first = db.pragma('quick_check(1)')[0]
      problem = first && first.quick_check !== 'ok' ? String(first.quick_check) : undefined
    } else {
      db.pragma('busy_timeout = 5000')
      db.pragma('wal_checkpoint(PASSIVE)')
    }
  } finally {
    db.close()
  }
} catch (error) {
  problem = String((error && error.message) || error)
}
parentPort.postMessage({ problem })
`

/**
 * Runs `PRAGMA quick_check` on the file in a worker thread, off the event loop, on a connection of its
 * own; calls `onDamage` with the first problem it reports, if any. The worker does not keep the process
 * alive; `stop` ends it (when the store closes first).
 */
export function checkInBackground(path: string, onDamage: (problem: string) => void): { stop(): void } {
  let worker: Worker | undefined
  // Started a moment after the store opens, so that it does not compete with the server's start.
  const timer = setTimeout(() => {
    const module = createRequire(import.meta.url).resolve('better-sqlite3')
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module, task: 'quick_check' } })
    worker.unref()
    worker.on('message', (message: { problem?: string }) => {
      if (message.problem !== undefined) onDamage(message.problem)
    })
    worker.on('error', (error) => onDamage(error.message))
  }, BACKGROUND_CHECK_DELAY_MS)
  timer.unref()
  return {
    stop: () => {
      clearTimeout(timer)
      void worker?.terminate()
    },
  }
}

/**
 * Copies the write-ahead log into the database file (`PRAGMA wal_checkpoint(PASSIVE)`) in a worker thread,
 * after a large write: otherwise the next commit on the event loop would do it, holding the loop for
 * about 1.5 ms per MB written. Resolves when done (a failure is not this write's: the next commit checkpoints).
 */
export function checkpointInWorker(path: string): Promise<void> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module, task: 'checkpoint' } })
  return new Promise((resolve) => {
    worker.once('message', () => resolve())
    worker.once('error', () => resolve())
    worker.once('exit', () => resolve())
  })
}
