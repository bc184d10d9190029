import type { CheckpointState } from './api-types.js'

/**
 * How each checkpoint state looks: a colour, and always a shape (a mark) and a fill pattern (a bar) as
 * well, so that nothing depends on telling colours apart; the legend names each.
 */
export interface StateStyle {
  readonly state: CheckpointState
  readonly label: string
  /** Why, in a sentence (the legend's title and the checkpoint detail). */
  readonly meaning: string
  readonly color: string
  readonly shape: 'disc' | 'ring' | 'triangle' | 'square' | 'cross'
  readonly pattern: 'solid' | 'dots' | 'diagonal' | 'crosshatch' | 'horizontal'
}

export const STATE_STYLES: readonly StateStyle[] = [
  { state: 'restorable', label: 'Restorable', meaning: 'Completed, every token discovered, inside the point-in-time window.', color: '#1b7f4b', shape: 'disc', pattern: 'solid' },
  { state: 'inProgress', label: 'In progress', meaning: 'Not completed yet: the balancer is still stopped.', color: '#2563b8', shape: 'ring', pattern: 'dots' },
  { state: 'tokenNotDiscovered', label: 'Token not discovered', meaning: 'Completed, but a part’s token was not (yet) seen in the oplog.', color: '#b45309', shape: 'triangle', pattern: 'diagonal' },
  { state: 'outsideWindow', label: 'Outside the window', meaning: 'Older than the point-in-time window: no snapshot covers it any more.', color: '#5b6470', shape: 'square', pattern: 'crosshatch' },
  { state: 'notRestorable', label: 'Not restorable', meaning: 'Completed with every token, inside the window, yet recorded not restorable.', color: '#b42318', shape: 'cross', pattern: 'horizontal' },
]

export const STYLE_OF: Readonly<Record<CheckpointState, StateStyle>> = Object.fromEntries(STATE_STYLES.map((s) => [s.state, s])) as Record<CheckpointState, StateStyle>

/** The state of a full checkpoint record, as the server's timeline classifies it (domain/checkpoint-state.ts). */
export function stateOf(c: { restorable: boolean; completed?: string; timestamp: string; parts: ReadonlyArray<{ tokenDiscovered: boolean }> }, windowStart: string): CheckpointState {
  if (c.restorable) return 'restorable'
  if (c.completed === undefined) return 'inProgress'
  if (c.parts.some((p) => !p.tokenDiscovered)) return 'tokenNotDiscovered'
  return c.timestamp < windowStart ? 'outsideWindow' : 'notRestorable'
}
