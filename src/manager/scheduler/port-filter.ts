import type { Filter } from './filter.js';
import { nodes } from './filter.js';

/** A host port (per protocol) can be bound by one task per node. */
export const portFilter: Filter = {
  name: 'ports',
  appliesTo: (ctx) => ctx.demand.ports.length > 0,
  check: (info, _task, ctx) => ctx.demand.ports.every((p) => !info.ports.has(p)),
  explain: (count, _task, ctx) => {
    const ports = ctx.demand.ports;
    return `host port${ports.length === 1 ? '' : 's'} ${ports.join(', ')} in use on ${nodes(count)}`;
  },
};
