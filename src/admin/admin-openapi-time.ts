import { Type, type Static } from 'typebox'
import { answer, error, errors, isoSeconds, json, PARAMS, ref } from './admin-openapi-helpers.js'

/** The admin API's clock and history operations in its OpenAPI document (docs/admin-api.md, "Time"). */

const timeExpression = {
  type: 'string',
  description: 'An ISO 8601 date-time with a zone, or relative to the server\'s clock: "now", "-7d", "-90m", "-1d12h" (units w, d, h, m, s)',
}

export const TIME_PATHS = {
  '/clock': {
    get: {
      tags: ['time'],
      summary: 'The server\'s clock',
      responses: { 200: answer('Its time and whether it is frozen', ref('Clock')), ...errors(401) },
    },
    post: {
      tags: ['time'],
      summary: 'Move the clock forward, or freeze or restart it',
      description:
        'advanceBy (an ISO 8601 duration: PT2H, P1D) or set (a time, never before now), and/or frozen. Before the call ' +
        'answers, everything due meanwhile happens, in order: the producer records every checkpoint due (tokens ' +
        'discovered, completed, restorable), checkpoints leave the point-in-time window, old ones are pruned.',
      requestBody: { required: true, content: json(ref('ClockChange')) },
      responses: {
        200: answer('The clock after the change', ref('Clock')),
        ...errors(400, 401, 413),
        409: error('CLOCK_CANNOT_GO_BACK: set names a time before the clock\'s'),
      },
    },
  },
  '/groups/{groupId}/clusters/{clusterId}/history': {
    parameters: [PARAMS.groupId, PARAMS.clusterId],
    post: {
      tags: ['time'],
      summary: 'Write a cluster\'s checkpoint history as its schedule would have made it',
      description:
        'As `waymark generate`: the slots in [from, to) as the producer makes them, as they stand at the server\'s ' +
        'clock, appended after the cluster\'s newest checkpoint (a call interrupted midway continues where it stopped ' +
        'when repeated). At most 1,000,000 slots per call.',
      requestBody: { required: true, content: json(ref('HistoryRequest')) },
      responses: {
        200: answer('What was written', ref('HistoryWritten')),
        ...errors(400, 401, 404, 413),
        409: error('CLUSTER_MAKES_NO_CHECKPOINTS, or HISTORY_OVERLAPS: the range is not after the cluster\'s newest checkpoint'),
      },
    },
  },
} as const

const isoMillis = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' })
const TIME_EXPRESSION = Type.String({ description: timeExpression.description })
const ISO_SECONDS = Type.String({ pattern: isoSeconds.pattern })
const COUNT = Type.Integer({ minimum: 0 })
const closed = { additionalProperties: false } as const

/** The clock as the admin API shows it. */
export const CLOCK = Type.Object({ now: isoMillis, frozen: Type.Boolean() }, closed)
export type ClockView = Static<typeof CLOCK>

/** A change of the clock: its fields are the ones admin-time.ts reads, with the messages it answers. */
export const CLOCK_CHANGE = Type.Object({
  advanceBy: Type.Optional(Type.String({ description: 'An ISO 8601 duration in weeks, days, hours, minutes or seconds: PT2H, PT90M, P1D, P1W' })),
  set: Type.Optional(Type.String({ description: 'A time at or after the clock\'s (ISO 8601 with a zone, or relative: "now")' })),
  frozen: Type.Optional(Type.Boolean()),
})

/** A history request: its fields are the ones admin-time.ts reads. */
export const HISTORY_REQUEST = Type.Object({
  from: TIME_EXPRESSION,
  to: Type.Optional(Type.String({ description: timeExpression.description, default: 'now' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff, description: 'The server\'s seed (--seed) by default' })),
})

/** What `POST …/history` wrote. */
export const HISTORY_WRITTEN = Type.Object(
  {
    clusterId: Type.String(),
    from: ISO_SECONDS,
    to: ISO_SECONDS,
    seed: Type.Integer(),
    intervalMinutes: Type.Unsafe<number>({ enum: [15, 30, 60] }),
    written: COUNT,
    restorable: COUNT,
    /** Checkpoints of the same range an interrupted earlier call already wrote. */
    alreadyThere: COUNT,
    oldest: Type.Unsafe<string | null>({ oneOf: [{ type: 'null' }, ISO_SECONDS] }),
    newest: Type.Unsafe<string | null>({ oneOf: [{ type: 'null' }, ISO_SECONDS] }),
  },
  closed,
)
export type HistoryView = Static<typeof HISTORY_WRITTEN>

export const TIME_SCHEMAS = JSON.parse(
  JSON.stringify({ Clock: CLOCK, ClockChange: CLOCK_CHANGE, HistoryRequest: HISTORY_REQUEST, HistoryWritten: HISTORY_WRITTEN }),
) as Record<string, unknown>
