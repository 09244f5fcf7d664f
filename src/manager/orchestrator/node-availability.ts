import type { NodeObject, TaskObject } from '../../api/objects.js';
import { isTerminal } from '../../api/task-state.js';
import { isNodeGone } from './node-eligibility.js';
import { PlanBuilder } from './plan-builder.js';
import { withDesired, withState } from './task-factory.js';
import type { ClusterView, Plan } from './view.js';

/**
 * Moves work off nodes that cannot keep it. Tasks on a down (or deleted) node are written off
 * as orphaned since no agent will ever report them; replicated tasks on a drained node are
 * asked to stop. Either way the slot is left without a desired-running task, so the replicated
 * step creates the replacement in the same pass. Global tasks on drained nodes are the global
 * step's business.
 */
export function reconcileNodeAvailability(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const nodes = new Map<string, NodeObject>(view.nodes.map((n) => [n.id, n]));
  for (const t of view.tasks) {
    if (t.nodeId === undefined) continue;
    const node = nodes.get(t.nodeId);
    let next: TaskObject = t;
    if (isNodeGone(node)) {
      if (!isTerminal(t.status.state)) next = withState(next, 'orphaned', 'node down', view.now);
      if (next.desiredState === 'running') next = withDesired(next, 'shutdown', view.now);
    } else if (node?.availability === 'drain' && t.slot !== undefined && t.desiredState === 'running') {
      next = withDesired(next, 'shutdown', view.now);
    }
    if (next !== t) plan.update(next);
  }
  return plan.build();
}
