import { answer, count, error, errors, isoSeconds, json, object, PARAMS, ref } from './admin-openapi-helpers.js'

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

const isoMillis = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' } as const

export const TIME_SCHEMAS = {
  Clock: object({ now: isoMillis, frozen: { type: 'boolean' } }),
  ClockChange: {
    type: 'object',
    properties: {
      advanceBy: { type: 'string', description: 'An ISO 8601 duration in weeks, days, hours, minutes or seconds: PT2H, PT90M, P1D, P1W' },
      set: { ...timeExpression, description: 'A time at or after the clock\'s (ISO 8601 with a zone, or relative: "now")' },
      frozen: { type: 'boolean' },
    },
  },
  HistoryRequest: {
    type: 'object',
    required: ['from'],
    properties: {
      from: timeExpression,
      to: { ...timeExpression, default: 'now' },
      seed: { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'The server\'s seed (--seed) by default' },
    },
  },
  HistoryWritten: object({
    clusterId: { type: 'string' },
    from: isoSeconds,
    to: isoSeconds,
    seed: { type: 'integer' },
    intervalMinutes: { enum: [15, 30, 60] },
    written: count,
    restorable: count,
    alreadyThere: count,
    oldest: { oneOf: [{ type: 'null' }, isoSeconds] },
    newest: { oneOf: [{ type: 'null' }, isoSeconds] },
  }),
} as const
