import type { Filter } from './filter.js';
import { nodes } from './filter.js';

export const maxReplicasFilter: Filter = {
  name: 'max-replicas',
  appliesTo: (ctx) => ctx.demand.maxReplicasPerNode > 0,
  check: (info, _task, ctx) =>
    ctx.demand.maxReplicasPerNode === 0 ||
    (info.activeByService.get(ctx.demand.serviceId) ?? 0) < ctx.demand.maxReplicasPerNode,
  explain: (count, _task, ctx) => `max replicas per node (${ctx.demand.maxReplicasPerNode}) reached on ${nodes(count)}`,
};
