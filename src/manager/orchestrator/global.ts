import { globalEligibility } from './node-eligibility.js';
import { PlanBuilder } from './plan-builder.js';
import { newTask, withDesired } from './task-factory.js';
import { indexBySlot } from './task-index.js';
import type { ClusterView, Plan } from './view.js';

/**
 * One task per eligible node for each global service. A node's slot is occupied by any
 * desired-running task, dead or alive, so the restart step stays in charge of dead ones.
 */
export function reconcileGlobal(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const index = indexBySlot(view.tasks.filter((t) => t.desiredState === 'running'));
  for (const service of view.services) {
    if (service.spec.mode !== 'global') continue;
    const slots = index.get(service.id);
    for (const node of view.nodes) {
      const live = slots?.get(`n${node.id}`) ?? [];
      // Environments never share nodes: another environment's node is never eligible.
      const eligibility = node.env === service.env ? globalEligibility(node, service.spec) : 'shutdown';
      if (eligibility === 'shutdown') {
        for (const t of live) plan.update(withDesired(t, 'shutdown', view.now));
      } else if (eligibility === 'eligible' && live.length === 0) {
        plan.create(newTask(view, service, { nodeId: node.id, message: 'created' }));
      }
    }
  }
  return plan.build();
}
