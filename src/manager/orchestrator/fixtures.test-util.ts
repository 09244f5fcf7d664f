import type { NodeObject, NodeState, ServiceObject, TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import type { TaskState } from '../../api/task-state.js';
import { iso } from '../../lib/clock.js';
import { schedule } from '../scheduler/schedule.js';
import { applyPlan } from './apply-plan.js';
import { reconcile } from './reconcile.js';
import type { ClusterView, Plan } from './view.js';

/** Test fixtures shared by the orchestrator and scheduler tests. */

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

export function idSource(prefix = 'task'): () => string {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(5, '0')}`;
}

export function makeNode(
  id: string,
  over: Partial<Omit<NodeObject, 'status'>> & { state?: NodeState } = {},
): NodeObject {
  const { state = 'ready', ...rest } = over;
  return {
    id,
    env: 'default',
    version: 1,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    hostname: id,
    role: 'worker',
    availability: 'active',
    labels: {},
    status: { state, message: '', address: '10.0.0.1', timestamp: iso(T0) },
    resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
    engine: { version: '27.0', os: 'linux', arch: 'x86_64' },
    ...rest,
  };
}

export function makeService(id: string, spec: ServiceSpecInput, over: Partial<ServiceObject> = {}): ServiceObject {
  return {
    id,
    env: 'default',
    version: 1,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    name: id,
    spec: serviceSpecSchema.parse(spec),
    specVersion: 1,
    ...over,
  };
}

let taskSeq = 0;

export function makeTask(
  service: ServiceObject,
  over: Partial<Omit<TaskObject, 'status'>> & { state?: TaskState; status?: Partial<TaskObject['status']>; at?: number } = {},
): TaskObject {
  const { state = 'running', status = {}, at = T0, ...rest } = over;
  const ts = iso(at);
  return {
    id: `t${String(++taskSeq).padStart(5, '0')}`,
    env: 'default',
    version: 1,
    createdAt: ts,
    updatedAt: ts,
    serviceId: service.id,
    serviceName: service.name,
    specVersion: service.specVersion,
    spec: service.spec,
    desiredState: 'running',
    status: {
      state,
      message: state,
      timestamp: ts,
      ...(state === 'running' ? { runningSince: ts } : {}),
      ...status,
    },
    ...rest,
  };
}

export function makeView(parts: Partial<Omit<ClusterView, 'newId'>> & { newId?: () => string } = {}): ClusterView {
  return {
    services: parts.services ?? [],
    nodes: parts.nodes ?? [],
    tasks: parts.tasks ?? [],
    now: parts.now ?? T0,
    newId: parts.newId ?? idSource(),
  };
}

/** A spec change as the control API makes it: new version, previous spec kept, update started. */
export function updatedService(service: ServiceObject, change: Partial<ServiceSpecInput>, now: number): ServiceObject {
  const specVersion = service.specVersion + 1;
  return {
    ...service,
    previousSpec: service.spec,
    spec: serviceSpecSchema.parse({ ...service.spec, ...change }),
    specVersion,
    updateStatus: { state: 'updating', startedAt: iso(now), message: 'update in progress', targetSpecVersion: specVersion },
  };
}

export interface AgentBehaviour {
  /** Return 'failed' or 'rejected' to end a starting task that way. */
  onStart?: (t: TaskObject) => 'failed' | 'rejected' | undefined;
  /** Return true to crash a running task. */
  crash?: (t: TaskObject) => boolean;
}

/** What agents would report: assigned tasks start, tasks told to stop stop. */
export function agentStep(view: ClusterView, behaviour: AgentBehaviour = {}): ClusterView {
  const ts = iso(view.now);
  const tasks = view.tasks.map((t): TaskObject => {
    const s = t.status.state;
    if (t.nodeId === undefined || ['new', 'pending', 'complete', 'failed', 'shutdown', 'rejected', 'orphaned'].includes(s)) return t;
    if (t.desiredState !== 'running') return { ...t, status: { ...t.status, state: 'shutdown', message: 'stopped', timestamp: ts } };
    if (s !== 'running') {
      const end = behaviour.onStart?.(t);
      if (end) return { ...t, status: { ...t.status, state: end, message: end, error: 'exit code 1', timestamp: ts } };
      return { ...t, status: { ...t.status, state: 'running', message: 'started', timestamp: ts, runningSince: ts } };
    }
    if (behaviour.crash?.(t)) {
      return { ...t, status: { ...t.status, state: 'failed', message: 'crashed', error: 'exit code 2', exitCode: 2, timestamp: ts } };
    }
    return t;
  });
  return { ...view, tasks };
}

/** One manager pass: reconcile, then schedule, each committed. */
export function managerStep(view: ClusterView): { view: ClusterView; reconciled: Plan; scheduled: Plan } {
  const reconciled = reconcile(view);
  const afterReconcile = applyPlan(view, reconciled);
  const scheduled = schedule(afterReconcile);
  return { view: applyPlan(afterReconcile, scheduled), reconciled, scheduled };
}

/** A manager pass, then the agents, then time moves on. */
export function round(view: ClusterView, stepMs = 1000, behaviour: AgentBehaviour = {}): ClusterView {
  const afterManager = managerStep(view).view;
  const afterAgents = agentStep(afterManager, behaviour);
  return { ...afterAgents, now: afterAgents.now + stepMs };
}

export const serviceOf = (view: ClusterView, id: string): ServiceObject => {
  const s = view.services.find((x) => x.id === id);
  if (!s) throw new Error(`no service ${id}`);
  return s;
};

export const liveTasks = (view: ClusterView, serviceId: string): TaskObject[] =>
  view.tasks.filter((t) => t.serviceId === serviceId && t.desiredState === 'running');

/** Slots 1..n that have a task actually running (desired state aside: it still serves). */
export function servingSlots(view: ClusterView, serviceId: string): number {
  const slots = new Set<number>();
  for (const t of view.tasks) {
    if (t.serviceId === serviceId && t.status.state === 'running' && t.slot !== undefined) slots.add(t.slot);
  }
  return slots.size;
}
