import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { taskName } from '../../api/objects.js';
import type { DependencySpec } from '../../api/service-spec.js';
import { isHealthyRunning } from '../orchestrator/health.js';
import { groupBy } from '../orchestrator/task-index.js';
import type { ServiceDirectory } from './service-directory.js';

/**
 * compose's depends_on, applied when a task would be placed: a new task of a service waits
 * (pending, with the reason) until every service it depends on has reached its condition.
 *
 * - `started`: every desired replica of the dependency runs (or has run to completion);
 * - `healthy`: every desired replica runs and is healthy; one without a health check counts as
 *   healthy once it runs;
 * - `completed`: every desired replica ended with exit code 0 and is not being restarted.
 *
 * A dependency scaled to 0 replicas is not waited for (there is nothing to wait for), as
 * compose skips a dependency with scale 0. Only new tasks wait: a restart of a task that had
 * started is not held back, and nothing that runs is stopped when a dependency later turns
 * unhealthy, as in compose. Each dependency is checked directly, never by walking the graph,
 * so a cycle (which the compose parser refuses) only makes both sides wait.
 */
export function dependencyWait(task: TaskObject, directory: ServiceDirectory): string | undefined {
  if (task.restartOf !== undefined || task.spec.dependsOn.length === 0) return undefined;
  const unmet: string[] = [];
  for (const dep of task.spec.dependsOn) {
    const target = directory.find(task.env, dep.service);
    const reason = unmetDependency(dep, target, target ? directory.liveTasks(target.id) : []);
    if (reason) unmet.push(reason);
  }
  return unmet.length > 0 ? unmet.join('; ') : undefined;
}

/** Why the dependency is not met yet ("waiting for db to be healthy"), or undefined when it is. */
export function unmetDependency(
  dep: DependencySpec,
  target: ServiceObject | undefined,
  live: readonly TaskObject[],
): string | undefined {
  if (!target) return `waiting for ${dep.service}, which does not exist`;
  const slots = requiredSlots(target, live);
  if (slots === undefined) return undefined;
  switch (dep.condition) {
    case 'started':
      if (slots.length > 0 && slots.every((s) => s.some((t) => t.status.state === 'running' || t.status.state === 'complete'))) {
        return undefined;
      }
      return `waiting for ${dep.service} to start`;
    case 'healthy':
      if (slots.length > 0 && slots.every((s) => s.some(isHealthyRunning))) return undefined;
      return `waiting for ${dep.service} to be healthy`;
    case 'completed': {
      if (slots.length > 0 && slots.every((s) => s.some((t) => t.status.state === 'complete'))) return undefined;
      const failed = slots.flat().find((t) => t.status.state === 'failed' || t.status.state === 'rejected');
      const why = failed ? ` (task ${taskName(failed)} ${failed.status.state}${failed.status.error ? `: ${failed.status.error}` : ''})` : '';
      return `waiting for ${dep.service} to complete successfully${why}`;
    }
  }
}

/**
 * The desired-running tasks of each place the dependency must fill: its slots 1..replicas, or
 * one per node it has a task for (global). Undefined when it wants no task at all.
 */
function requiredSlots(target: ServiceObject, live: readonly TaskObject[]): TaskObject[][] | undefined {
  if (target.spec.mode === 'replicated') {
    if (target.spec.replicas === 0) return undefined;
    const bySlot = groupBy(live, (t) => String(t.slot));
    return Array.from({ length: target.spec.replicas }, (_, i) => bySlot.get(String(i + 1)) ?? []);
  }
  return [...groupBy(live, (t) => t.nodeId ?? '').values()];
}
