import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { TaskState } from '../../api/task-state.js';
import { iso } from '../../lib/clock.js';
import type { ClusterView } from './view.js';

export interface NewTaskOptions {
  message: string;
  slot?: number;
  /** Global tasks are made for one node; the scheduler only validates it. */
  nodeId?: string;
  restartOf?: string;
  notBefore?: number;
  restartHistory?: string[];
  /** 'new' holds a stop-first replacement back from the scheduler until its slot is empty. */
  state?: Extract<TaskState, 'new' | 'pending'>;
}

/** A task made from the service's current spec, so restarts and replacements never run stale specs. */
export function newTask(view: Pick<ClusterView, 'now' | 'newId'>, service: ServiceObject, opts: NewTaskOptions): TaskObject {
  const now = iso(view.now);
  const task: TaskObject = {
    id: view.newId(),
    env: service.env,
    version: 0,
    createdAt: now,
    updatedAt: now,
    serviceId: service.id,
    serviceName: service.name,
    specVersion: service.specVersion,
    spec: structuredClone(service.spec),
    desiredState: 'running',
    status: { state: opts.state ?? 'pending', message: opts.message, timestamp: now },
  };
  if (opts.slot !== undefined) task.slot = opts.slot;
  if (opts.nodeId !== undefined) task.nodeId = opts.nodeId;
  if (opts.restartOf !== undefined) task.restartOf = opts.restartOf;
  if (opts.notBefore !== undefined) task.notBefore = iso(opts.notBefore);
  if (opts.restartHistory !== undefined && opts.restartHistory.length > 0) task.restartHistory = opts.restartHistory;
  // The secret and config versions the service pins now: a rotation re-pins the service and
  // rolls it, so replacements get the new content while running tasks keep theirs.
  if (service.fileVersions && Object.keys(service.fileVersions).length > 0) task.fileVersions = { ...service.fileVersions };
  return task;
}

/** A copy with a new desired state; the observed status is the agent's to change. */
export function withDesired(task: TaskObject, desiredState: TaskObject['desiredState'], now: number): TaskObject {
  return { ...task, desiredState, updatedAt: iso(now) };
}

/** A copy moved to another observed state by the manager itself (never reached or lost its agent). */
export function withState(task: TaskObject, state: TaskState, message: string, now: number): TaskObject {
  const status = { ...task.status, state, message, timestamp: iso(now) };
  delete status.pendingReason;
  return { ...task, status, updatedAt: iso(now) };
}
