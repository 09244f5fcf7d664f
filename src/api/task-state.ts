/**
 * The task state machine of DESIGN.md. Observed state only moves forward; a restart is a new
 * task in the same slot.
 */
export const taskStates = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'starting',
  'running',
  'complete',
  'failed',
  'shutdown',
  'rejected',
  'orphaned',
] as const;
export type TaskState = (typeof taskStates)[number];

export const desiredTaskStates = ['running', 'shutdown', 'remove'] as const;
export type DesiredTaskState = (typeof desiredTaskStates)[number];

const order = new Map<TaskState, number>(taskStates.map((s, i) => [s, i]));
const terminalStates = new Set<TaskState>(['complete', 'failed', 'shutdown', 'rejected', 'orphaned']);

export const isTerminal = (s: TaskState): boolean => terminalStates.has(s);

/** Rank for "only moves forward": all terminal states share the highest rank. */
export function stateRank(s: TaskState): number {
  return isTerminal(s) ? taskStates.length : (order.get(s) ?? 0);
}

/** True when an observed state may replace the current one. */
export function canTransition(from: TaskState, to: TaskState): boolean {
  if (isTerminal(from)) return false;
  return stateRank(to) > stateRank(from);
}

/** A task holds node resources and host ports from assignment until it is terminal. */
export const holdsResources = (s: TaskState): boolean =>
  stateRank(s) >= stateRank('assigned') && !isTerminal(s);
