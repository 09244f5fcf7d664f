import { isTerminal } from '../../api/task-state.js';
import { PlanBuilder } from './plan-builder.js';
import { withDesired } from './task-factory.js';
import type { ClusterView, Plan } from './view.js';

/** Tasks whose service is gone: live ones are told to go away, dead ones are forgotten. */
export function reconcileRemovedServices(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const serviceIds = new Set(view.services.map((s) => s.id));
  for (const t of view.tasks) {
    if (serviceIds.has(t.serviceId)) continue;
    if (isTerminal(t.status.state)) plan.delete(t);
    else if (t.desiredState !== 'remove') plan.update(withDesired(t, 'remove', view.now));
  }
  return plan.build();
}
