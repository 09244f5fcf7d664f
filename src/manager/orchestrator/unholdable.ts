import { limits } from '../../api/limits.js';
import type { ServiceObject } from '../../api/objects.js';
import type { ClusterView, Plan } from './view.js';

/**
 * A stored service the control loops must not act on: one whose counts exceed the hard limits
 * (`api/limits.ts`), as a store written before those limits, by hand or by another tool may
 * hold. Acting on `replicas: 1e9` would create a billion tasks and take the manager down on
 * every start. Such a service is left out of every loop's view (with its tasks, which keep
 * running as they are), logged once, and marked (`refused`) so `service inspect` says why;
 * `service update` or `scale` to values within the limits brings it back.
 */
export interface RefusedService {
  service: ServiceObject;
  reason: string;
}

export interface ScreenedView {
  /** The view without refused services and their tasks; held services lose a stale `refused` mark. */
  view: ClusterView;
  refused: RefusedService[];
  /** Held services whose stored object still carries a `refused` mark, as they are once it is cleared. */
  cleared: ServiceObject[];
}

export function screenUnholdable(view: ClusterView): ScreenedView {
  const refused: RefusedService[] = [];
  const cleared: ServiceObject[] = [];
  const held: ServiceObject[] = [];
  for (const service of view.services) {
    const reason = storedServiceProblem(service);
    if (reason !== undefined) {
      refused.push({ service, reason });
      continue;
    }
    if (service.refused) {
      const { refused: _gone, ...rest } = service;
      cleared.push(rest);
      held.push(rest);
    } else {
      held.push(service);
    }
  }
  if (refused.length === 0 && cleared.length === 0) return { view, refused, cleared };
  const refusedIds = new Set(refused.map((r) => r.service.id));
  return { view: { ...view, services: held, tasks: view.tasks.filter((t) => !refusedIds.has(t.serviceId)) }, refused, cleared };
}

/**
 * The plan plus the marks: refused services get (or keep) their reason, held ones lose a stale
 * one unless the plan already writes them (then from the cleared copy). Only the orchestrator
 * loop marks; the scheduler only leaves them out.
 */
export function withRefusalMarks(plan: Plan, screened: ScreenedView, now: number): Plan {
  const written = new Set(plan.updateServices.map((s) => s.id));
  const marks = screened.refused
    .filter((r) => r.service.refused?.reason !== r.reason)
    .map((r): ServiceObject => ({ ...r.service, refused: { reason: r.reason, since: new Date(now).toISOString() } }));
  const clears = screened.cleared.filter((s) => !written.has(s.id));
  if (marks.length === 0 && clears.length === 0) return plan;
  return { ...plan, updateServices: [...plan.updateServices, ...marks, ...clears] };
}

const isCount = (n: unknown, max: number): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max;
const listTooLong = (l: unknown, max: number): boolean => l !== undefined && (!Array.isArray(l) || l.length > max);
const mapTooLarge = (m: unknown, max: number): boolean => m !== undefined && (typeof m !== 'object' || m === null || Object.keys(m).length > max);

/**
 * Why the loops cannot act on this stored service, or undefined. Checks what the loops iterate
 * or wait on (replicas, lists, delays), not everything the API refuses today: a service stored
 * under older, looser rules (an image name Docker would refuse, say) still runs.
 */
export function storedServiceProblem(service: ServiceObject): string | undefined {
  const spec = service.spec as Partial<ServiceObject['spec']> | undefined;
  if (typeof spec !== 'object' || spec === null) return 'spec: is missing';
  if (spec.mode !== 'replicated' && spec.mode !== 'global') return `spec.mode: ${JSON.stringify(spec.mode)} is neither replicated nor global`;
  if (spec.mode === 'replicated' && !isCount(spec.replicas, limits.replicasPerService)) {
    return `spec.replicas: ${String(spec.replicas)} is not a whole number from 0 to ${limits.replicasPerService} (a hard limit)`;
  }
  const lists: [string, unknown, number][] = [
    ['ports', spec.ports, limits.ports],
    ['mounts', spec.mounts, limits.mounts],
    ['secrets', spec.secrets, limits.fileRefs],
    ['configs', spec.configs, limits.fileRefs],
    ['networks', spec.networks, limits.networks],
    ['dependsOn', spec.dependsOn, limits.serviceRefs],
    ['placement.constraints', spec.placement?.constraints, limits.constraints],
    ['placement.preferences', spec.placement?.preferences, limits.preferences],
    ['placement.colocateWith', spec.placement?.colocateWith, limits.serviceRefs],
    ['placement.avoid', spec.placement?.avoid, limits.serviceRefs],
  ];
  for (const [field, list, max] of lists) {
    if (listTooLong(list, max)) return `spec.${field}: more than ${max} entries (a hard limit)`;
  }
  for (const [field, map, max] of [['env', spec.env, limits.envEntries], ['labels', spec.labels, limits.labels]] as const) {
    if (mapTooLarge(map, max)) return `spec.${field}: more than ${max} entries (a hard limit)`;
  }
  const counts: [string, unknown, number][] = [
    ['restartPolicy.delayMs', spec.restartPolicy?.delayMs, limits.durationMs],
    ['restartPolicy.windowMs', spec.restartPolicy?.windowMs, limits.durationMs],
    ['restartPolicy.maxAttempts', spec.restartPolicy?.maxAttempts, limits.restartAttempts],
    ['updateConfig.delayMs', spec.updateConfig?.delayMs, limits.durationMs],
    ['updateConfig.monitorMs', spec.updateConfig?.monitorMs, limits.durationMs],
    ['updateConfig.parallelism', spec.updateConfig?.parallelism, limits.replicasPerService],
    ['rollbackConfig.delayMs', spec.rollbackConfig?.delayMs, limits.durationMs],
    ['rollbackConfig.monitorMs', spec.rollbackConfig?.monitorMs, limits.durationMs],
    ['rollbackConfig.parallelism', spec.rollbackConfig?.parallelism, limits.replicasPerService],
    ['placement.maxReplicasPerNode', spec.placement?.maxReplicasPerNode, limits.replicasPerService],
    ['taskHistoryLimit', spec.taskHistoryLimit, 100],
  ];
  for (const [field, value, max] of counts) {
    if (value !== undefined && !isCount(value, max)) return `spec.${field}: ${JSON.stringify(value)} is not a whole number from 0 to ${max} (a hard limit)`;
  }
  return undefined;
}
