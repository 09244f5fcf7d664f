import { stateRank } from '../../api/task-state.js';
import { PlanBuilder } from './plan-builder.js';
import { withState } from './task-factory.js';
import type { ClusterView, Plan } from './view.js';

/**
 * A task told to stop before the scheduler gave it to an agent has no one to report its end,
 * so the manager ends it here; otherwise stop-first replacements and the reaper would wait forever.
 */
export function reconcileUnassignedShutdown(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const assigned = stateRank('assigned');
  for (const t of view.tasks) {
    if (t.desiredState === 'running' || stateRank(t.status.state) >= assigned) continue;
    plan.update(withState(t, 'shutdown', 'shut down before it was assigned to a node', view.now));
  }
  return plan.build();
}
