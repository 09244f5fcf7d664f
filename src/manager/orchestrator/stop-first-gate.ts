import { isTerminal } from '../../api/task-state.js';
import { PlanBuilder } from './plan-builder.js';
import { withState } from './task-factory.js';
import { indexBySlot, slotKey } from './task-index.js';
import type { ClusterView, Plan } from './view.js';

/**
 * Stop-first updates create the replacement at once, in state `new`, so the slot never looks
 * empty to the replicated step; the scheduler only takes `pending` tasks. This step releases a
 * `new` task once every other task of its slot has ended (or was written off on a down node),
 * which is what bounds the replicas down during an update to the update's parallelism.
 */
export function releaseWaitingTasks(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const waiting = view.tasks.filter((t) => t.status.state === 'new' && t.desiredState === 'running');
  if (waiting.length === 0) return plan.build();
  const index = indexBySlot(view.tasks);
  for (const t of waiting) {
    const siblings = index.get(t.serviceId)?.get(slotKey(t)) ?? [];
    if (siblings.every((o) => o.id === t.id || isTerminal(o.status.state))) {
      plan.update(withState(t, 'pending', 'previous task stopped', view.now));
    }
  }
  return plan.build();
}
