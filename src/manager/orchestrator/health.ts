import type { TaskObject } from '../../api/objects.js';
import type { ServiceSpec } from '../../api/service-spec.js';
import { ms } from '../../lib/clock.js';

/**
 * How the orchestrator and scheduler read a task's health. The agent reports the engine's
 * health (`status.health`) only for containers that have a health check, so a task whose spec
 * asks for one is not taken as healthy before the engine has said so, while a task without a
 * check is healthy as soon as it runs (the engine would never report anything).
 */

/** The spec defines a health check that is not `NONE`. */
export const hasHealthcheck = (spec: ServiceSpec): boolean =>
  spec.healthcheck !== undefined && spec.healthcheck.test[0] !== 'NONE';

/** Running and, where a health check applies (the spec's or the image's), reported healthy. */
export function isHealthyRunning(t: TaskObject): boolean {
  if (t.status.state !== 'running') return false;
  const health = t.status.health;
  if (health !== undefined) return health === 'healthy';
  return !hasHealthcheck(t.spec);
}

/** A running task the engine reports unhealthy: the restart policy replaces it as if it had failed. */
export const isUnhealthyRunning = (t: TaskObject): boolean =>
  t.status.state === 'running' && t.status.health === 'unhealthy';

/**
 * When a task became ready for traffic: when it started running, or, with a health check, when
 * it was reported healthy. A running container's status changes only with its health, so the
 * timestamp of a healthy status is the time it turned healthy.
 */
export function readySince(t: TaskObject): number {
  const running = ms(t.status.runningSince ?? t.status.timestamp);
  if (t.status.health === 'healthy') return Math.max(running, ms(t.status.timestamp));
  return running;
}
