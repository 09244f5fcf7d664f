import type { TaskObject } from '../../api/objects.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { resolveNode, resolveService } from './refs.js';

export class TaskApi {
  constructor(private readonly store: Store) {}

  async list(ctx: RequestContext, filter: { service?: string; node?: string } = {}): Promise<TaskObject[]> {
    const where: { serviceId?: string; nodeId?: string } = {};
    if (filter.service) where.serviceId = (await resolveService(this.store, ctx.env, filter.service)).id;
    if (filter.node) where.nodeId = (await resolveNode(this.store, ctx.env, filter.node)).id;
    const tasks = await this.store.list<TaskObject>('task', { env: ctx.env, where });
    return tasks.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || (a.slot ?? 0) - (b.slot ?? 0) || b.createdAt.localeCompare(a.createdAt));
  }
}
