import type { TaskObject } from '../../api/objects.js';
import { PlanBuilder } from './plan-builder.js';
import { newTask, withDesired } from './task-factory.js';
import { indexBySlot } from './task-index.js';
import type { ClusterView, Plan } from './view.js';

/**
 * Slots 1..replicas each hold one desired-running task. A dead task that its restart policy
 * keeps dead still holds its slot (as in swarmkit), otherwise `restart: none` would be ignored.
 * Slots above the replica count are shut down, so scaling down removes the highest slots.
 */
export function reconcileReplicated(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const index = indexBySlot(view.tasks.filter((t) => t.desiredState === 'running' && t.slot !== undefined));
  for (const service of view.services) {
    if (service.spec.mode !== 'replicated') continue;
    const slots = index.get(service.id) ?? new Map<string, TaskObject[]>();
    const replicas = service.spec.replicas;
    for (let slot = 1; slot <= replicas; slot++) {
      if (!slots.has(`s${slot}`)) plan.create(newTask(view, service, { slot, message: 'created' }));
    }
    for (const tasks of slots.values()) {
      for (const t of tasks) {
        if ((t.slot ?? 0) > replicas) plan.update(withDesired(t, 'shutdown', view.now));
      }
    }
  }
  return plan.build();
}
