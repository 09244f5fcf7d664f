import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { Plan } from './view.js';

/**
 * Collects changes so that each task appears at most once in a plan: a task created and then
 * changed stays a creation, a task changed twice keeps its last content, and a task created
 * then deleted vanishes. Steps use it internally and reconcile uses it to merge step plans.
 */
export class PlanBuilder {
  private readonly created = new Map<string, TaskObject>();
  private readonly updated = new Map<string, TaskObject>();
  private readonly deleted = new Map<string, TaskObject>();
  private readonly services = new Map<string, ServiceObject>();
  private wakeAt: number | undefined;

  create(task: TaskObject): void {
    this.created.set(task.id, task);
  }

  update(task: TaskObject): void {
    if (this.created.has(task.id)) this.created.set(task.id, task);
    else this.updated.set(task.id, task);
  }

  delete(task: TaskObject): void {
    if (this.created.delete(task.id)) return;
    this.updated.delete(task.id);
    this.deleted.set(task.id, task);
  }

  updateService(service: ServiceObject): void {
    this.services.set(service.id, service);
  }

  wake(at: number): void {
    if (this.wakeAt === undefined || at < this.wakeAt) this.wakeAt = at;
  }

  merge(plan: Plan): void {
    for (const t of plan.createTasks) this.create(t);
    for (const t of plan.updateTasks) this.update(t);
    for (const t of plan.deleteTasks) this.delete(t);
    for (const s of plan.updateServices) this.updateService(s);
    if (plan.wakeAt !== undefined) this.wake(plan.wakeAt);
  }

  build(): Plan {
    const plan: Plan = {
      createTasks: [...this.created.values()],
      updateTasks: [...this.updated.values()],
      deleteTasks: [...this.deleted.values()],
      updateServices: [...this.services.values()],
    };
    if (this.wakeAt !== undefined) plan.wakeAt = this.wakeAt;
    return plan;
  }
}
