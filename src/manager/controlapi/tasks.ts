import { specForView } from '../../api/hidden-env.js';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { resolveNode, resolveService } from './refs.js';

/**
 * Tasks as the API shows them: hidden env values replaced (api/hidden-env.ts), by the task's
 * spec and by its service's current one, since listing an entry in `secretEnv` replaces no task.
 */
export function taskViews(tasks: TaskObject[], services: readonly ServiceObject[]): TaskObject[] {
  const hidden = new Map(services.map((s) => [s.id, s.spec.secretEnv ?? []]));
  return tasks.map((t) => ({ ...t, spec: specForView(t.spec, hidden.get(t.serviceId)) }));
}

export class TaskApi {
  constructor(private readonly store: Store) {}

  async list(ctx: RequestContext, filter: { service?: string; node?: string } = {}): Promise<TaskObject[]> {
    const where: { serviceId?: string; nodeId?: string } = {};
    if (filter.service) where.serviceId = (await resolveService(this.store, ctx.env, filter.service)).id;
    if (filter.node) where.nodeId = (await resolveNode(this.store, ctx.env, filter.node)).id;
    const tasks = taskViews(await this.store.list<TaskObject>('task', { env: ctx.env, where }), await this.store.list<ServiceObject>('service', { env: ctx.env }));
    return tasks.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || (a.slot ?? 0) - (b.slot ?? 0) || b.createdAt.localeCompare(a.createdAt));
  }
}
