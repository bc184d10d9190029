import { MAX_BUCKETS, MAX_TIMELINE_CHECKPOINTS } from './admin-timeline.js'
import { answer, errors, PARAMS, ref } from './admin-openapi-helpers.js'
import { TIMELINE_SCHEMAS } from './admin-timeline-schema.js'

/** The admin API's timeline operation in its OpenAPI document (docs/admin-api.md, "Timeline"). */

const time = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description: `${description}: an ISO 8601 date-time with a zone, or relative to the server's clock ("now", "-7d", "-90m")`,
  schema: { type: 'string' },
})

export const TIMELINE_PATHS = {
  '/groups/{groupId}/clusters/{clusterId}/timeline': {
    parameters: [PARAMS.groupId, PARAMS.clusterId],
    get: {
      tags: ['checkpoints'],
      summary: 'A cluster\'s checkpoints over time, counted by state in equal buckets',
      description:
        'Counted by the store\'s indexes, never by reading the checkpoints, so a cluster of a million answers as fast ' +
        'as one of ten. The states exclude each other, in this order: restorable; inProgress (not completed); ' +
        'tokenNotDiscovered (completed, a part\'s token not discovered); outsideWindow (before the point-in-time ' +
        'window); notRestorable (the rest). Only buckets with checkpoints are listed. With at most maxCheckpoints in ' +
        'the range, the checkpoints themselves come too.',
      parameters: [
        time('from', 'Start of the range (default: the oldest checkpoint)'),
        time('to', 'End of the range, excluded (default: just after now, or after the newest checkpoint if later)'),
        { name: 'buckets', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_BUCKETS, default: 200 } },
        {
          name: 'maxCheckpoints',
          in: 'query',
          required: false,
          description: 'List the checkpoints when the range holds at most this many (0: never)',
          schema: { type: 'integer', minimum: 0, maximum: MAX_TIMELINE_CHECKPOINTS, default: 500 },
        },
      ],
      responses: { 200: answer('The counts and buckets of the range', ref('Timeline')), ...errors(400, 401, 404) },
    },
  },
} as const

export { TIMELINE_SCHEMAS }
