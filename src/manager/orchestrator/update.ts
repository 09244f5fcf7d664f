import type { NodeObject, ServiceObject, TaskObject, UpdateStatus } from '../../api/objects.js';
import type { UpdateConfig } from '../../api/service-spec.js';
import { isTerminal, stateRank } from '../../api/task-state.js';
import { iso, ms } from '../../lib/clock.js';
import { isHealthyRunning, readySince } from './health.js';
import { globalEligibility } from './node-eligibility.js';
import { PlanBuilder } from './plan-builder.js';
import { cleanChecker } from './spec-equality.js';
import { newTask, withDesired } from './task-factory.js';
import { byNewestFirst, indexBySlot } from './task-index.js';
import {
  activeConfig,
  collectFailures,
  describeFailure,
  exceedsRatio,
  isNewVersion,
  isRollback,
} from './update-failures.js';
import type { ClusterView, Plan } from './view.js';

/** One slot as the updater sees it: every task it has, and those desired running. */
interface Slot {
  key: string;
  all: TaskObject[];
  live: TaskObject[];
}

type SlotPhase = 'dirty' | 'in-flight' | 'done';

const runningRank = stateRank('running');
const isActive = (s: UpdateStatus | undefined): s is UpdateStatus =>
  s !== undefined && (s.state === 'updating' || s.state === 'rollback_started');

/**
 * Rolling updates and rollbacks. Each pass looks at every slot of a service with an active
 * update: a slot is dirty while its desired-running task runs another spec, in flight while its
 * new task has not reached `running` (with a health check: has not been reported healthy). A
 * batch of at most `parallelism` dirty slots starts only when nothing is in flight (and the
 * delay after the previous batch has passed); the update completes once no slot is dirty or in
 * flight and the newest task has been running (healthy) for the monitor period.
 */
export function reconcileUpdates(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const index = indexBySlot(view.tasks);
  const nodes = new Map<string, NodeObject>(view.nodes.map((n) => [n.id, n]));
  for (const service of view.services) {
    const clean = cleanChecker(service);
    const slots = settleStartFirst(view, plan, index.get(service.id) ?? new Map<string, TaskObject[]>(), clean);
    if (isActive(service.updateStatus)) advance(view, plan, service, service.updateStatus, slots, clean, nodes);
  }
  return plan.build();
}

/**
 * Once a start-first replacement runs, the task it replaces is stopped. This runs for every
 * service, paused or not: finishing a replacement that already runs costs no availability.
 */
function settleStartFirst(
  view: ClusterView,
  plan: PlanBuilder,
  slots: Map<string, TaskObject[]>,
  clean: (t: TaskObject) => boolean,
): Map<string, TaskObject[]> {
  const out = new Map<string, TaskObject[]>();
  for (const [key, tasks] of slots) {
    const live = tasks.filter((t) => t.desiredState === 'running');
    const keep = live.filter((t) => clean(t) && t.status.state === 'running').sort(byNewestFirst)[0];
    if (live.length < 2 || !keep) {
      out.set(key, tasks);
      continue;
    }
    out.set(
      key,
      tasks.map((t) => {
        if (t.desiredState !== 'running' || t === keep) return t;
        const stopped = withDesired(t, 'shutdown', view.now);
        plan.update(stopped);
        return stopped;
      }),
    );
  }
  return out;
}

function advance(
  view: ClusterView,
  plan: PlanBuilder,
  service: ServiceObject,
  status: UpdateStatus,
  slotMap: Map<string, TaskObject[]>,
  clean: (t: TaskObject) => boolean,
  nodes: Map<string, NodeObject>,
): void {
  const now = view.now;
  const config = activeConfig(service, status);
  const startedAt = ms(status.startedAt);
  const report = collectFailures([...slotMap.values()].flat(), clean, startedAt, config.monitorMs);
  if (config.failureAction !== 'continue' && exceedsRatio(report, config)) {
    const what = describeFailure(report.failures);
    if (config.failureAction === 'rollback' && !isRollback(status) && service.previousSpec) {
      plan.updateService(rolledBack(service, service.previousSpec, what, now));
      // The rolled-back spec is processed on the next pass, which the service change triggers anyway.
      plan.wake(now);
      return;
    }
    const state = isRollback(status) ? 'rollback_paused' : 'paused';
    setStatus(plan, service, { ...status, state, message: `${isRollback(status) ? 'rollback' : 'update'} paused: ${what}` });
    return;
  }

  const slots = updateSlots(service, slotMap, nodes);
  const phases = slots.map((s) => phaseOf(s, clean, startedAt));
  const inFlight = phases.filter((p) => p === 'in-flight').length;
  const dirty = slots.filter((_, i) => phases[i] === 'dirty');

  if (inFlight > 0) return;
  if (dirty.length === 0) {
    complete(plan, service, status, slots, clean, startedAt, config, now);
    return;
  }
  // The delay separates batches, so it applies once this update has placed something.
  if (report.updatedSlots > 0 && config.delayMs > 0) {
    if (status.nextBatchAt === undefined) {
      const at = now + config.delayMs;
      setStatus(plan, service, { ...status, nextBatchAt: iso(at) });
      plan.wake(at);
      return;
    }
    if (ms(status.nextBatchAt) > now) {
      plan.wake(ms(status.nextBatchAt));
      return;
    }
  }
  const size = config.parallelism === 0 ? dirty.length : config.parallelism;
  // Slots whose old task is not running anyway go first: replacing them costs no availability.
  const batch = [...dirty].sort((a, b) => Number(isServing(a)) - Number(isServing(b))).slice(0, size);
  for (const slot of batch) replaceSlot(view, plan, service, slot, config);
  if (status.nextBatchAt !== undefined) {
    const next = { ...status };
    delete next.nextBatchAt;
    setStatus(plan, service, next);
  }
}

/** Slots the update must visit: 1..replicas, or the nodes a global service may run on. */
function updateSlots(service: ServiceObject, slotMap: Map<string, TaskObject[]>, nodes: Map<string, NodeObject>): Slot[] {
  const slot = (key: string): Slot => {
    const all = slotMap.get(key) ?? [];
    return { key, all, live: all.filter((t) => t.desiredState === 'running') };
  };
  if (service.spec.mode === 'replicated') {
    return Array.from({ length: service.spec.replicas }, (_, i) => slot(`s${i + 1}`));
  }
  // A paused or unreachable node could not start a replacement: its task waits for a later update.
  return [...slotMap.keys()]
    .filter((key) => key.startsWith('n') && globalEligibility(nodes.get(key.slice(1)), service.spec) === 'eligible')
    .sort()
    .map(slot);
}

/**
 * A new task has started once it runs and, with a health check, is healthy. One reported
 * unhealthy has settled too: it is a failure the failure ratio counts (and the restart policy
 * replaces), not something to wait for.
 */
const hasStarted = (t: TaskObject): boolean =>
  stateRank(t.status.state) >= runningRank &&
  (t.status.state !== 'running' || isHealthyRunning(t) || t.status.health === 'unhealthy');

function phaseOf(slot: Slot, clean: (t: TaskObject) => boolean, startedAt: number): SlotPhase {
  const fresh = slot.live.filter(clean);
  if (fresh.some((t) => !hasStarted(t) && ms(t.createdAt) >= startedAt)) return 'in-flight';
  if (fresh.length === 0 && slot.live.length > 0) return 'dirty';
  return 'done';
}

const isServing = (slot: Slot): boolean => slot.live.some((t) => t.status.state === 'running');

/**
 * Stop-first asks the old task to stop and creates its successor in state `new`, which the
 * stop-first gate releases to the scheduler once the slot's other tasks have ended. Start-first
 * creates a schedulable successor next to the running task; settleStartFirst stops the old one
 * when the new one runs.
 */
function replaceSlot(view: ClusterView, plan: PlanBuilder, service: ServiceObject, slot: Slot, config: UpdateConfig): void {
  const where = slot.key.startsWith('s') ? { slot: Number(slot.key.slice(1)) } : { nodeId: slot.key.slice(1) };
  if (config.order === 'start-first' && isServing(slot)) {
    plan.create(newTask(view, service, { ...where, message: 'created by update (start-first)' }));
    return;
  }
  for (const old of slot.live) plan.update(withDesired(old, 'shutdown', view.now));
  const slotEmpty = slot.all.every((t) => isTerminal(t.status.state));
  plan.create(
    newTask(view, service, {
      ...where,
      state: slotEmpty ? 'pending' : 'new',
      message: slotEmpty ? 'created by update' : 'created by update, waiting for the previous task to stop',
    }),
  );
}

function complete(
  plan: PlanBuilder,
  service: ServiceObject,
  status: UpdateStatus,
  slots: Slot[],
  clean: (t: TaskObject) => boolean,
  startedAt: number,
  config: UpdateConfig,
  now: number,
): void {
  const started = slots
    .flatMap((s) => s.live)
    .filter((t) => t.status.state === 'running' && isNewVersion(t, clean, startedAt))
    .map(readySince);
  const monitorEnds = started.length > 0 ? Math.max(...started) + config.monitorMs : now;
  if (monitorEnds > now) {
    plan.wake(monitorEnds);
    return;
  }
  const rollback = isRollback(status);
  const next: UpdateStatus = {
    ...status,
    state: rollback ? 'rollback_completed' : 'completed',
    completedAt: iso(now),
    message: rollback ? 'rollback completed' : 'update completed',
  };
  delete next.nextBatchAt;
  setStatus(plan, service, next);
}

/** The failed spec becomes previousSpec, so a later rollback goes forward to it again. */
function rolledBack(service: ServiceObject, previousSpec: ServiceObject['spec'], what: string, now: number): ServiceObject {
  const specVersion = service.specVersion + 1;
  return {
    ...service,
    spec: previousSpec,
    previousSpec: service.spec,
    specVersion,
    updatedAt: iso(now),
    updateStatus: {
      state: 'rollback_started',
      startedAt: iso(now),
      message: `update rolled back: ${what}`,
      targetSpecVersion: specVersion,
    },
  };
}

function setStatus(plan: PlanBuilder, service: ServiceObject, status: UpdateStatus): void {
  if (JSON.stringify(status) === JSON.stringify(service.updateStatus)) return;
  plan.updateService({ ...service, updateStatus: status });
}
