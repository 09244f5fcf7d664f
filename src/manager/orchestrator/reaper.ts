import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import { isTerminal } from '../../api/task-state.js';
import { PlanBuilder } from './plan-builder.js';
import { byNewestFirst, indexBySlot } from './task-index.js';
import type { ClusterView, Plan } from './view.js';

/**
 * Task history: per slot (per node for global services) the newest `taskHistoryLimit` ended
 * tasks are kept besides the current one. Slots that no longer exist (scaled away, node
 * removed) and services that are gone keep no history. Tasks kept by an in-service upgrade wait for it.
 */
export function reapTasks(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const services = new Map<string, ServiceObject>(view.services.map((s) => [s.id, s]));
  const nodes = new Map<string, NodeObject>(view.nodes.map((n) => [n.id, n]));
  for (const [serviceId, slots] of indexBySlot(view.tasks)) {
    const service = services.get(serviceId);
    for (const tasks of slots.values()) {
      // A task whose container an in-service upgrade keeps is not history until confirm or rollback.
      const history = tasks.filter((t) => isTerminal(t.status.state) && t.desiredState !== 'running' && !t.keepContainer);
      if (history.length === 0) continue;
      const limit = service && slotExists(service, tasks[0], nodes) ? service.spec.taskHistoryLimit : 0;
      history.sort(byNewestFirst);
      history.forEach((t, i) => {
        if (t.desiredState === 'remove' || i >= limit) plan.delete(t);
      });
    }
  }
  return plan.build();
}

function slotExists(service: ServiceObject, sample: TaskObject | undefined, nodes: Map<string, NodeObject>): boolean {
  if (!sample) return false;
  if (sample.slot !== undefined) return service.spec.mode === 'replicated' && sample.slot <= service.spec.replicas;
  return sample.nodeId !== undefined && nodes.has(sample.nodeId);
}
