import { randomBytes } from 'node:crypto'

const OBJECT_ID = /^[a-f0-9]{24}$/

/** Five random bytes chosen once per process, as a MongoDB driver does. */
const PROCESS_RANDOM = randomBytes(5).toString('hex')
let counter = randomBytes(3).readUIntBE(0, 3)

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0')
}

function secondsHex(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) {
    throw new RangeError(`ObjectId seconds out of range: ${seconds}`)
  }
  return hex(seconds, 8)
}

/**
 * A new MongoDB-ObjectId-like id: 4 bytes of seconds since the epoch, 5 random bytes per process and a
 * 3-byte counter, as 24 lower-case hex characters. Ids made later in one process sort after earlier ones.
 */
export function newObjectId(nowMs: number = Date.now()): string {
  counter = (counter + 1) % 0x1000000
  return secondsHex(Math.floor(nowMs / 1000)) + PROCESS_RANDOM + hex(counter, 6)
}

/** Whether `s` is 24 lower-case hex characters, the only id syntax the APIs accept. */
export function isObjectId(s: unknown): s is string {
  return typeof s === 'string' && OBJECT_ID.test(s)
}

/**
 * A deterministic id: `seconds` as the first 4 bytes, then 8 bytes drawn from `rng` (a function returning
 * numbers in [0, 1), such as a seeded PRNG). Used where repeatable data is wanted (the demo).
 */
export function objectIdFrom(seconds: number, rng: () => number): string {
  let tail = ''
  for (let i = 0; i < 8; i++) tail += hex(Math.floor(rng() * 256) & 0xff, 2)
  return secondsHex(seconds) + tail
}
