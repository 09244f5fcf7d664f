import type { Filter } from './filter.js';
import { nodes, verb } from './filter.js';
import { satisfiesAll } from './placement.js';

export const constraintFilter: Filter = {
  name: 'constraints',
  check: (info, _task, ctx) => satisfiesAll(info.node, ctx.demand.constraints),
  explain: (count, _task, ctx) => {
    const list = ctx.demand.constraints.map((c) => c.text).join(', ');
    const noun = ctx.demand.constraints.length === 1 ? 'constraint' : 'constraints';
    if (count >= ctx.nodeCount) return `no node satisfies ${noun} ${list}`;
    return `${nodes(count)} ${verb(count, 'does', 'do')} not satisfy ${noun} ${list}`;
  },
};
