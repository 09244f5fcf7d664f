import type { TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { ExitResult, ObservedContainer } from '../exec/executor.js';

export type ObservedStatus = TaskStatusUpdate['status'];

const now = (): string => new Date().toISOString();

/** The manager refuses longer texts; engine messages (e.g. a pull failure) can exceed it. */
const maxText = 4000;
const clip = (text: string): string => (text.length > maxText ? `${text.slice(0, maxText - 1)}…` : text);

export function status(state: ObservedStatus['state'], message: string, extra: Partial<ObservedStatus> = {}): ObservedStatus {
  const s: ObservedStatus = { state, message: clip(message), timestamp: now(), ...extra };
  if (s.error !== undefined) s.error = clip(s.error);
  return s;
}

/** How a container's exit reads in task status: `complete` on 0, `failed` with the code otherwise. */
export function exitStatus(exit: ExitResult, containerId: string | undefined): ObservedStatus {
  const extra: Partial<ObservedStatus> = { exitCode: exit.exitCode };
  if (containerId) extra.containerId = containerId;
  if (exit.exitCode === 0 && !exit.error) return status('complete', 'finished', extra);
  const error = exit.exitCode === 0 ? `task: ${exit.error}` : `task: non-zero exit (${exit.exitCode})`;
  return status('failed', error, { ...extra, error: exit.error ? `${error}: ${exit.error}` : error });
}

/** What a running report carries besides its state: container, and health and addresses when known. */
export function runningDetails(c: Pick<ObservedContainer, 'containerId' | 'health' | 'addresses'>): Partial<ObservedStatus> {
  return { containerId: c.containerId, ...(c.health ? { health: c.health } : {}), ...(c.addresses?.length ? { addresses: c.addresses } : {}) };
}

/** What a container found on the node says about its task, before any assignment arrives. */
export function containerStatus(c: ObservedContainer): ObservedStatus {
  if (c.running) return status('running', 'started', runningDetails(c));
  if (c.startedAt) {
    const exit: ExitResult = { exitCode: c.exitCode ?? -1 };
    if (c.error) exit.error = c.error;
    return exitStatus(exit, c.containerId);
  }
  return status('preparing', 'created', { containerId: c.containerId });
}
