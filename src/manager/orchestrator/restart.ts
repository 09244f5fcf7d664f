import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { RestartPolicy } from '../../api/service-spec.js';
import { isTerminal } from '../../api/task-state.js';
import { iso, ms } from '../../lib/clock.js';
import { isUnhealthyRunning } from './health.js';
import { globalEligibility } from './node-eligibility.js';
import { PlanBuilder } from './plan-builder.js';
import { newTask, withDesired } from './task-factory.js';
import { byNewestFirst, indexBySlot } from './task-index.js';
import type { ClusterView, Plan } from './view.js';

/** Restart times kept per slot; enough for any sensible maxAttempts without growing forever. */
const historyCap = 100;

/**
 * Restart times of the slot that count against maxAttempts now. The history carried on the
 * task survives the reaper; following restartOf links covers tasks made without it.
 */
export function recentRestarts(dead: TaskObject, slotTasks: readonly TaskObject[], policy: RestartPolicy, now: number): string[] {
  const inWindow = (at: string): boolean => policy.windowMs === 0 || ms(at) > now - policy.windowMs;
  const carried = (dead.restartHistory ?? []).filter(inWindow);
  const byId = new Map(slotTasks.map((t) => [t.id, t]));
  const linked: string[] = [];
  for (let t: TaskObject | undefined = dead; t?.restartOf !== undefined; t = byId.get(t.restartOf)) {
    if (inWindow(t.createdAt)) linked.unshift(t.createdAt);
    if (linked.length > historyCap) break;
  }
  return linked.length > carried.length ? linked : carried;
}

/** Whether the policy lets a slot whose task ended in `dead` get a new task. */
export function restartAllowed(dead: TaskObject, slotTasks: readonly TaskObject[], policy: RestartPolicy, now: number): boolean {
  if (policy.condition === 'none') return false;
  if (policy.condition === 'on-failure' && dead.status.state === 'complete') return false;
  if (policy.maxAttempts > 0 && recentRestarts(dead, slotTasks, policy, now).length >= policy.maxAttempts) return false;
  return true;
}

/**
 * Dead tasks that are still desired running get a successor in the same slot (same node for
 * global services) made from the CURRENT spec, after the policy's delay. Dead tasks the policy
 * keeps dead stay desired running so that they keep holding their slot.
 *
 * A running task the engine reports unhealthy counts as failed, as in Swarm: it is stopped and
 * its successor waits (state `new`, released by the stop-first gate) until it has ended. When
 * the policy would not restart a failure (`none`, attempts used up) it is left running, since
 * stopping it would leave the slot with nothing at all.
 */
export function reconcileRestarts(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const services = new Map<string, ServiceObject>(view.services.map((s) => [s.id, s]));
  const nodes = new Map<string, NodeObject>(view.nodes.map((n) => [n.id, n]));
  const index = indexBySlot(view.tasks);
  for (const [serviceId, slots] of index) {
    const service = services.get(serviceId);
    if (!service) continue;
    for (const slotTasks of slots.values()) {
      const live = slotTasks.filter((t) => t.desiredState === 'running');
      const dead = live.filter((t) => isTerminal(t.status.state)).sort(byNewestFirst);
      const latest = dead[0];
      if (!latest) {
        replaceUnhealthy(view, plan, service, slotTasks, live, nodes);
        continue;
      }
      // Another task already serves the slot (start-first update): the dead one just steps aside.
      const othersDead = live.length > dead.length ? dead : dead.slice(1);
      for (const t of othersDead) plan.update(withDesired(t, 'shutdown', view.now));
      if (live.length > dead.length) continue;
      if (!slotStillWanted(service, latest, nodes)) continue;
      const policy = service.spec.restartPolicy;
      if (!restartAllowed(latest, slotTasks, policy, view.now)) continue;
      restart(view, plan, service, latest, recentRestarts(latest, slotTasks, policy, view.now));
    }
  }
  return plan.build();
}

function replaceUnhealthy(
  view: ClusterView,
  plan: PlanBuilder,
  service: ServiceObject,
  slotTasks: readonly TaskObject[],
  live: readonly TaskObject[],
  nodes: Map<string, NodeObject>,
): void {
  // With two live tasks a start-first update is under way: its own settling decides which stays.
  const [sick] = live;
  if (live.length !== 1 || !sick || !isUnhealthyRunning(sick)) return;
  if (!slotStillWanted(service, sick, nodes)) return;
  const policy = service.spec.restartPolicy;
  if (!restartAllowed(sick, slotTasks, policy, view.now)) return;
  restart(view, plan, service, sick, recentRestarts(sick, slotTasks, policy, view.now), 'unhealthy');
}

function slotStillWanted(service: ServiceObject, task: TaskObject, nodes: Map<string, NodeObject>): boolean {
  if (task.slot !== undefined) return service.spec.mode === 'replicated' && task.slot <= service.spec.replicas;
  if (task.nodeId === undefined) return false;
  return globalEligibility(nodes.get(task.nodeId), service.spec) === 'eligible';
}

function restart(
  view: ClusterView,
  plan: PlanBuilder,
  service: ServiceObject,
  dead: TaskObject,
  history: string[],
  why?: 'unhealthy',
): void {
  // An unhealthy task ends only now; a dead one ended when it last reported.
  const endedAt = why === 'unhealthy' ? view.now : ms(dead.status.timestamp) || view.now;
  const notBefore = endedAt + service.spec.restartPolicy.delayMs;
  const stopped = withDesired(dead, 'shutdown', view.now);
  if (why === 'unhealthy') stopped.stoppedUnhealthyAt = iso(view.now);
  plan.update(stopped);
  plan.create(
    newTask(view, service, {
      message:
        why === 'unhealthy'
          ? `replaces task ${dead.id}, which is unhealthy; waiting for it to stop`
          : `restarted after task ${dead.id} ended (${dead.status.state})`,
      ...(why === 'unhealthy' ? { state: 'new' as const } : {}),
      restartOf: dead.id,
      notBefore,
      restartHistory: [...history, iso(view.now)].slice(-historyCap),
      ...(dead.slot !== undefined ? { slot: dead.slot } : { nodeId: dead.nodeId ?? '' }),
    }),
  );
  if (notBefore > view.now) plan.wake(notBefore);
}
