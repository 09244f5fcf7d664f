import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { ServiceSpec } from '../../api/service-spec.js';

/** JSON with sorted keys, so specs read back from a store in another key order compare equal. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The part of a spec that decides what a task runs. Scaling, update settings, restart policy,
 * history limit, service labels and which env values views hide are manager-side only: changing them must not restart
 * every task (a `service scale` bumps specVersion too).
 */
export function taskSpecKey(spec: ServiceSpec): string {
  const {
    replicas: _replicas,
    updateConfig: _update,
    rollbackConfig: _rollback,
    restartPolicy: _restart,
    taskHistoryLimit: _history,
    labels: _labels,
    secretEnv: _secretEnv,
    ...rest
  } = spec;
  return stableStringify(rest);
}

/**
 * Whether a task already runs what the service asks for. Tasks of one specVersion share one
 * spec, so the comparison is made once per version. A rollback thus leaves the slots that were
 * never updated alone.
 */
export function cleanChecker(service: ServiceObject): (t: TaskObject) => boolean {
  let current: string | undefined;
  const byVersion = new Map<number, boolean>();
  return (t) => {
    if (t.specVersion === service.specVersion) return true;
    let clean = byVersion.get(t.specVersion);
    if (clean === undefined) {
      current ??= taskSpecKey(service.spec);
      clean = taskSpecKey(t.spec) === current;
      byVersion.set(t.specVersion, clean);
    }
    return clean;
  };
}
