import type { Filter } from './filter.js';
import { nodes, verb } from './filter.js';
import { runsTaskOf } from './colocation-filter.js';

/**
 * `placement.avoid`: never a node with a task (assigned or running, meant to keep running) of
 * a service this one avoids. The rule holds both ways, so it does not matter which of the two
 * services is placed first. Placing a task can only turn this filter's answer from yes to no,
 * which is what a dynamic filter must guarantee.
 */
export const avoidFilter: Filter = {
  name: 'avoid',
  appliesTo: (ctx) => ctx.demand.avoid.length > 0,
  check: (info, _task, ctx) => !ctx.demand.avoid.some((ref) => runsTaskOf(info, ref)),
  explain: (count, _task, ctx) =>
    `${nodes(count)} ${verb(count, 'runs', 'run')} a task of ${ctx.demand.avoid.map((r) => r.name).join(', ')} (anti-affinity)`,
};
