import type { Filter } from './filter.js';
import { nodes, verb } from './filter.js';

/** Reservations are promises: the sum over tasks holding a node must fit what the node has. */
export const cpuFilter: Filter = {
  name: 'cpu',
  appliesTo: (ctx) => ctx.demand.nanoCpus > 0,
  check: (info, _task, ctx) =>
    ctx.demand.nanoCpus === 0 || info.reservedNanoCpus + ctx.demand.nanoCpus <= info.node.resources.nanoCpus,
  explain: (count) => `${nodes(count)} ${verb(count, 'has', 'have')} insufficient CPU`,
};

export const memoryFilter: Filter = {
  name: 'memory',
  appliesTo: (ctx) => ctx.demand.memoryBytes > 0,
  check: (info, _task, ctx) =>
    ctx.demand.memoryBytes === 0 ||
    info.reservedMemoryBytes + ctx.demand.memoryBytes <= info.node.resources.memoryBytes,
  explain: (count) => `${nodes(count)} ${verb(count, 'has', 'have')} insufficient memory`,
};
