import type { Checkpoint, IsoSeconds } from './types.js'

/**
 * Why a checkpoint can or cannot be restored, as the console and the admin API's timeline show it. One
 * state per checkpoint, the first that applies in this order:
 * - `restorable`: the record says so;
 * - `inProgress`: not completed yet (no `completed`);
 * - `tokenNotDiscovered`: completed, but a part's token was not (yet) discovered in the oplog;
 * - `outsideWindow`: completed with every token, its timestamp before the point-in-time window;
 * - `notRestorable`: completed with every token, inside the window, and still not restorable (a record
 *   loaded so; the producer never leaves one like that).
 */
export const CHECKPOINT_STATES = ['restorable', 'inProgress', 'tokenNotDiscovered', 'outsideWindow', 'notRestorable'] as const
export type CheckpointState = (typeof CHECKPOINT_STATES)[number]

/** The state of a checkpoint when the point-in-time window starts at `windowStart`. */
export function checkpointState(checkpoint: Checkpoint, windowStart: IsoSeconds): CheckpointState {
  if (checkpoint.restorable) return 'restorable'
  if (checkpoint.completed === undefined) return 'inProgress'
  if (checkpoint.parts.some((part) => !part.tokenDiscovered)) return 'tokenNotDiscovered'
  return checkpoint.timestamp < windowStart ? 'outsideWindow' : 'notRestorable'
}
