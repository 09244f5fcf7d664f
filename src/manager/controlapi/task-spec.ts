import { isDeepStrictEqual } from 'node:util';
import type { ServiceSpec } from '../../api/service-spec.js';

/**
 * Fields that change how tasks run. A change to any other field (replicas, update and rollback
 * settings, history limit, which env values views hide) takes effect without replacing running tasks.
 */
export function taskSpecOf(spec: ServiceSpec): Omit<ServiceSpec, 'replicas' | 'updateConfig' | 'rollbackConfig' | 'taskHistoryLimit' | 'secretEnv'> {
  const { replicas: _r, updateConfig: _u, rollbackConfig: _rb, taskHistoryLimit: _h, secretEnv: _s, ...rest } = spec;
  return rest;
}

/** Whether going from `before` (none: a new service) to `after` changes what the tasks run. */
export function changesTasks(before: ServiceSpec | undefined, after: ServiceSpec): boolean {
  return before === undefined || !isDeepStrictEqual(taskSpecOf(before), taskSpecOf(after));
}
