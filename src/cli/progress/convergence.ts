import type { ServicePortsReadiness } from '../../api/ingress-status.js';
import type { ServiceObject, TaskObject, UpdateStatus } from '../../api/objects.js';

/** The write whose effect is being watched; it decides which end of an update is success. */
export type Operation = 'create' | 'update' | 'scale' | 'rollback';

export interface ConvergenceInput {
  service: ServiceObject;
  tasks: readonly TaskObject[];
  operation: Operation;
  /**
   * An update status that had already finished when the write returned. A write that replaces
   * no task (a scale) leaves it in place, and its outcome ("paused" from an older update) is
   * not this operation's.
   */
  baseline?: UpdateStatus | undefined;
  /** A global service with no tasks counts as converged only once the orchestrator had time to place some. */
  allowEmpty?: boolean;
  /** Where the service's ingress ports answer (`ServiceView.ports`; absent: it publishes none). */
  ports?: ServicePortsReadiness | undefined;
}

export interface Convergence {
  phase: 'converging' | 'converged' | 'failed';
  /** Tasks of the current spec that should run and do. */
  running: number;
  /** One-shot tasks of the current spec that ended with exit 0 and are not restarted: done. */
  completed: number;
  desired: number;
  /** Tasks that should run but wait for the scheduler, with the scheduler's reasons counted. */
  pending: { count: number; reasons: { reason: string; count: number }[] };
  /** The update or rollback this operation started (or that is still running), if any. */
  update?: UpdateStatus;
  /** Why it failed, when phase is 'failed'. */
  message?: string;
  /** Tasks of the current spec that ended in failure; they explain slow convergence. */
  failedTasks: TaskObject[];
  /** Running tasks' published ports that do not answer on every node yet. */
  portsWaiting?: ServicePortsReadiness;
}

const finishedStates = new Set<UpdateStatus['state']>(['completed', 'paused', 'rollback_completed', 'rollback_paused']);

export const isUpdateFinished = (u: UpdateStatus | undefined): boolean => u !== undefined && finishedStates.has(u.state);

/**
 * Whether a service has reached what the operation asked for. Replicated: as many running (or,
 * for one-shot services, successfully completed) tasks of the current spec version as replicas;
 * global: every task that should run is running or completed. Either way an update or rollback
 * in progress must have completed as well. A task that failed and that its restart policy will
 * not restart fails the wait: the service can no longer converge.
 */
export function assessConvergence(input: ConvergenceInput): Convergence {
  const { service, tasks, operation } = input;
  const live = tasks.filter((t) => t.desiredState === 'running');
  const current = live.filter((t) => t.specVersion === service.specVersion);
  const running = current.filter((t) => t.status.state === 'running').length;
  // The orchestrator keeps a task desired running after it ended only when its restart policy keeps it ended.
  const completed = current.filter((t) => t.status.state === 'complete').length;
  const desired = service.spec.mode === 'replicated' ? service.spec.replicas : live.length;
  const pending = pendingSummary(live);
  const failedTasks = tasks.filter(
    (t) => t.specVersion === service.specVersion && (t.status.state === 'failed' || t.status.state === 'rejected'),
  );
  const update = relevantUpdate(service.updateStatus, input.baseline);
  const base = { running, completed, desired, pending, failedTasks, ...(update ? { update } : {}) };

  const failure = (update ? updateFailure(update, operation) : undefined) ?? endedForGood(service, current);
  if (failure) return { ...base, phase: 'failed', message: failure };

  const countsReached =
    running + completed === desired && (service.spec.mode === 'replicated' || desired > 0 || input.allowEmpty === true);
  const updateDone = !update || update.state === 'completed' || update.state === 'rollback_completed';
  // Running tasks are there to be reached: converged also means their published ports answer
  // on every node, or a client right after the wait could find a port not routed yet.
  const ports = input.ports;
  if (!ports || running === 0 || ports.ready >= ports.nodes) return { ...base, phase: countsReached && updateDone ? 'converged' : 'converging' };
  const blocked = ports.waiting.find((w) => w.failed);
  if (countsReached && updateDone && blocked) return { ...base, portsWaiting: ports, phase: 'failed', message: `${blocked.reason} on node ${blocked.hostname}` };
  return { ...base, portsWaiting: ports, phase: 'converging' };
}

/**
 * "task migrate.1 failed: exit code 1, and restart policy none does not restart it". Only what
 * is sure from the task alone: condition none, or every allowed attempt (counted over the
 * slot's whole life) already made; a task the orchestrator is about to restart is not final.
 */
function endedForGood(service: ServiceObject, current: readonly TaskObject[]): string | undefined {
  const policy = service.spec.restartPolicy;
  const final = current.find((t) => {
    if (t.status.state !== 'failed' && t.status.state !== 'rejected') return false;
    if (policy.condition === 'none') return true;
    return policy.maxAttempts > 0 && policy.windowMs === 0 && (t.restartHistory?.length ?? 0) >= policy.maxAttempts;
  });
  if (!final) return undefined;
  const where = `${final.serviceName}.${final.slot ?? final.nodeId ?? final.id}`;
  const why = final.status.error || final.status.message;
  const rule = policy.condition === 'none' ? 'restart policy none does not restart it' : `no restart attempts left (${policy.maxAttempts})`;
  return `task ${where} ${final.status.state}${why ? `: ${why}` : ''}, and ${rule}`;
}

function relevantUpdate(status: UpdateStatus | undefined, baseline: UpdateStatus | undefined): UpdateStatus | undefined {
  if (!status) return undefined;
  if (
    baseline &&
    status.state === baseline.state &&
    status.startedAt === baseline.startedAt &&
    status.targetSpecVersion === baseline.targetSpecVersion
  ) {
    return undefined;
  }
  return status;
}

function updateFailure(update: UpdateStatus, operation: Operation): string | undefined {
  switch (update.state) {
    case 'paused':
      return explain('update paused', update.message);
    case 'rollback_paused':
      return explain('rollback paused', update.message);
    case 'rollback_completed':
      // For a rollback the user asked for, this is success; after an update, it means the update failed.
      return operation === 'rollback' ? undefined : explain('update rolled back', update.message);
    default:
      return undefined;
  }
}

/** "update paused: why", without saying "update paused" twice when the manager's message does. */
function explain(what: string, message: string): string {
  if (!message) return what;
  return message.toLowerCase().startsWith(what) ? message : `${what}: ${message}`;
}

function pendingSummary(live: readonly TaskObject[]): Convergence['pending'] {
  const waiting = live.filter((t) => t.status.state === 'new' || t.status.state === 'pending');
  const counts = new Map<string, number>();
  // Only the scheduler's explanations: a task that merely waits out its restart delay is not news.
  for (const t of waiting) {
    const reason = t.status.pendingReason;
    if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const reasons = [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  return { count: waiting.length, reasons };
}
