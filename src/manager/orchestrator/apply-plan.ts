import type { ClusterView, Plan } from './view.js';

/**
 * The view a store would hold after committing the plan. Reconcile uses it between steps and
 * tests use it to simulate several rounds; it never mutates its inputs.
 */
export function applyPlan(view: ClusterView, plan: Plan): ClusterView {
  const touched = plan.updateTasks.length + plan.deleteTasks.length + plan.createTasks.length;
  let tasks = view.tasks;
  if (touched > 0) {
    const updates = new Map(plan.updateTasks.map((t) => [t.id, t]));
    const deletes = new Set(plan.deleteTasks.map((t) => t.id));
    tasks = [];
    for (const t of view.tasks) {
      if (deletes.has(t.id)) continue;
      tasks.push(updates.get(t.id) ?? t);
    }
    tasks.push(...plan.createTasks);
  }
  let services = view.services;
  if (plan.updateServices.length > 0) {
    const updates = new Map(plan.updateServices.map((s) => [s.id, s]));
    services = view.services.map((s) => updates.get(s.id) ?? s);
  }
  return { ...view, tasks, services };
}
