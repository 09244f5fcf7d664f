import type { ServicePortsReadiness } from '../../api/ingress-status.js';
import type { ServiceObject, TaskObject, UpdateStatus } from '../../api/objects.js';
import { assessConvergence, type Convergence, type Operation } from '../progress/convergence.js';
import { summaryLine, taskErrorLine } from '../progress/render.js';

export interface StackServiceInput {
  service: ServiceObject;
  /** The service's tasks (all of them: history included). */
  tasks: readonly TaskObject[];
  operation: Operation;
  /** The update status the service had before the deploy, if that update had finished. */
  baseline?: UpdateStatus | undefined;
  /** Failed tasks that existed before the deploy: not this deploy's failures. */
  knownFailures: ReadonlySet<string>;
  allowEmpty: boolean;
  /** Where the service's ingress ports answer (`ServiceView.ports`). */
  ports?: ServicePortsReadiness | undefined;
}

export interface StackServiceState {
  phase: 'converging' | 'converged' | 'completed' | 'failed';
  /** One line for the progress display. */
  line: string;
  /** Why it failed. */
  message?: string;
}

/**
 * Whether one service of a stack has reached what the deploy asked for. As `service create`
 * waits, plus what a stack needs: a one-shot service (its policy does not restart a task that
 * exits 0) is done when each of its tasks completed with exit 0, and any failed or rejected task
 * of the new spec fails the wait, naming it, instead of being waited out.
 */
export function assessStackService(input: StackServiceInput): StackServiceState {
  const { service, tasks } = input;
  const c = assessConvergence({ service, tasks, operation: input.operation, baseline: input.baseline, allowEmpty: input.allowEmpty, ports: input.ports });
  const summary = summaryLine(service, c);
  if (c.phase === 'failed') return { phase: 'failed', line: summary, message: c.message ?? 'did not converge' };
  const failed = c.failedTasks.filter((t) => !input.knownFailures.has(t.id)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const firstFailure = failed[0];
  if (firstFailure) return { phase: 'failed', line: summary, message: taskErrorLine(firstFailure) };
  if (!isOneShot(service)) {
    if (c.phase === 'converged') return { phase: 'converged', line: summary };
    // A replica the scheduler cannot place waits forever: say why on the service's own line.
    const why = c.pending.reasons[0];
    const port = c.portsWaiting?.waiting[0];
    if (why) return { phase: 'converging', line: `${summary} (${why.count} pending: ${why.reason})` };
    return { phase: 'converging', line: port ? `${summary} (${port.reason} on node ${port.hostname})` : summary };
  }
  return oneShot(service, tasks, c, input.allowEmpty);
}

/** A policy that never restarts a task that exited 0: such a service may be meant to finish. */
const isOneShot = (service: ServiceObject): boolean => service.spec.restartPolicy.condition !== 'any';

const succeeded = (t: TaskObject): boolean => t.status.state === 'complete' && (t.status.exitCode ?? 0) === 0;

/**
 * Restart policy `none` marks a job: it is done only when its tasks completed (a migration that
 * is still running is not done). `on-failure` also serves long-running services: a running task
 * counts, as does one that completed with exit 0.
 */
function oneShot(service: ServiceObject, tasks: readonly TaskObject[], c: Convergence, allowEmpty: boolean): StackServiceState {
  const current = newestPerSlot(tasks.filter((t) => t.desiredState === 'running' && t.specVersion === service.specVersion));
  const completed = current.filter(succeeded).length;
  const running = current.filter((t) => t.status.state === 'running').length;
  const job = service.spec.restartPolicy.condition === 'none';
  const done = completed + (job ? 0 : running);
  const desired = service.spec.mode === 'replicated' ? service.spec.replicas : current.length;
  const updateDone = !c.update || c.update.state === 'completed' || c.update.state === 'rollback_completed';
  const enough = done >= desired && (desired > 0 || service.spec.mode === 'replicated' || allowEmpty);
  const line = `${service.name}: ${completed}/${desired} completed${running > 0 ? `, ${running} running` : ''}${job && running > 0 ? ' (restart policy none: waiting for it to finish)' : ''}`;
  if (!enough || !updateDone) return { phase: 'converging', line };
  const port = c.portsWaiting?.waiting[0];
  if (port) return { phase: 'converging', line: `${line} (${port.reason} on node ${port.hostname})` };
  return { phase: running === 0 && completed > 0 ? 'completed' : 'converged', line };
}

/** The newest task of each slot (or node, for global services). */
function newestPerSlot(tasks: readonly TaskObject[]): TaskObject[] {
  const newest = new Map<string, TaskObject>();
  for (const t of tasks) {
    const key = t.slot !== undefined ? `s${t.slot}` : `n${t.nodeId ?? t.id}`;
    const seen = newest.get(key);
    if (!seen || seen.createdAt < t.createdAt) newest.set(key, t);
  }
  return [...newest.values()];
}
