import { Type, type Static } from 'typebox'
import { CHECKPOINT_STATES, type CheckpointState } from '../domain/checkpoint-state.js'
import { isoSeconds, objectId } from './admin-openapi-helpers.js'

/**
 * What `GET …/clusters/{clusterId}/timeline` answers (docs/admin-api.md, "Timeline"), once: the OpenAPI
 * component `Timeline` (admin-openapi-timeline.ts) and the types admin-timeline.ts builds it with.
 */

const ISO_SECONDS = Type.String({ pattern: isoSeconds.pattern })
const NULLABLE_ISO = Type.Unsafe<string | null>({ oneOf: [{ type: 'null' }, { type: 'string', pattern: isoSeconds.pattern }] })
const COUNT = Type.Integer({ minimum: 0 })
const closed = { additionalProperties: false } as const

const STATE_COUNT_FIELDS = {
  total: COUNT,
  restorable: COUNT,
  inProgress: COUNT,
  tokenNotDiscovered: COUNT,
  outsideWindow: COUNT,
  notRestorable: COUNT,
}

/** How many checkpoints of a range are in each state (domain/checkpoint-state.ts). */
const STATE_COUNTS = Type.Object(STATE_COUNT_FIELDS, closed)
export type StateCounts = Static<typeof STATE_COUNTS>

/** One bucket with checkpoints: its start (it lasts `bucketSeconds`) and its counts. */
const BUCKET = Type.Object({ start: ISO_SECONDS, ...STATE_COUNT_FIELDS }, closed)
export type BucketView = Static<typeof BUCKET>

/** One checkpoint on the timeline: enough to draw it; the rest is `GET …/checkpoints/{id}`. */
const MARK = Type.Object(
  { id: Type.String({ pattern: objectId.pattern }), timestamp: ISO_SECONDS, state: Type.Unsafe<CheckpointState>({ enum: [...CHECKPOINT_STATES] }) },
  closed,
)
export type TimelineMark = Static<typeof MARK>

export const TIMELINE = Type.Object(
  {
    clusterId: Type.String({ pattern: objectId.pattern }),
    /** The server's clock. */
    now: ISO_SECONDS,
    /** The point-in-time window: `now` less the cluster's `pointInTimeWindowHours`, to `now`. */
    window: Type.Object({ start: ISO_SECONDS, end: ISO_SECONDS, hours: Type.Integer({ minimum: 1 }) }, closed),
    /** The cluster's whole history: its count, oldest, newest and newest restorable checkpoint. */
    cluster: Type.Object({ count: COUNT, oldest: NULLABLE_ISO, newest: NULLABLE_ISO, newestRestorable: NULLABLE_ISO }, closed),
    from: ISO_SECONDS,
    to: ISO_SECONDS,
    bucketSeconds: Type.Integer({ minimum: 1 }),
    /** The range's counts, by state. */
    counts: STATE_COUNTS,
    /** Only the buckets with checkpoints, oldest first: a missing bucket is a gap. */
    buckets: Type.Array(BUCKET),
    /** Every checkpoint of the range, oldest first, when there are at most `maxCheckpoints`; null otherwise. */
    checkpoints: Type.Unsafe<TimelineMark[] | null>({ oneOf: [{ type: 'null' }, Type.Array(MARK)] }),
  },
  closed,
)
export type TimelineView = Static<typeof TIMELINE>

export const TIMELINE_SCHEMAS = JSON.parse(JSON.stringify({ Timeline: TIMELINE })) as Record<string, unknown>
