import type { TaskObject } from '../../api/objects.js';
import { availabilityFilter } from './availability-filter.js';
import { avoidFilter } from './avoid-filter.js';
import { colocationFilter } from './colocation-filter.js';
import { constraintFilter } from './constraint-filter.js';
import { noNodeInEnvironment } from './environment-pool.js';
import type { Filter, FilterContext } from './filter.js';
import { maxReplicasFilter } from './max-replicas-filter.js';
import type { NodeInfo } from './node-info.js';
import { portFilter } from './port-filter.js';
import { readyFilter } from './ready-filter.js';
import { cpuFilter, memoryFilter } from './resource-filters.js';

/** Filters whose answer does not change while a pass places tasks: run once per service version. */
export const staticFilters: readonly Filter[] = [readyFilter, availabilityFilter, constraintFilter, colocationFilter];

/** Filters that earlier placements of the same pass can turn from yes to no. */
export const dynamicFilters: readonly Filter[] = [maxReplicasFilter, avoidFilter, cpuFilter, memoryFilter, portFilter];

export const allFilters: readonly Filter[] = [...staticFilters, ...dynamicFilters];

/** The first filter (in pipeline order) that rejects the node, if any. */
export function firstRejection(
  filters: readonly Filter[],
  info: NodeInfo,
  task: TaskObject,
  ctx: FilterContext,
): Filter | undefined {
  for (const f of filters) if (!f.check(info, task, ctx)) return f;
  return undefined;
}

/** Counts of nodes each filter rejected first; a node is charged to one filter only. */
export type Rejections = Map<Filter, number>;

export function countRejections(
  filters: readonly Filter[],
  infos: Iterable<NodeInfo>,
  task: TaskObject,
  ctx: FilterContext,
  into: Rejections = new Map(),
): Rejections {
  for (const info of infos) {
    const f = firstRejection(filters, info, task, ctx);
    if (f) into.set(f, (into.get(f) ?? 0) + 1);
  }
  return into;
}

/** "no suitable node (1 node not available for new tasks; 2 nodes have insufficient memory)". */
export function pendingReason(rejections: Rejections, task: TaskObject, ctx: FilterContext): string {
  if (ctx.nodeCount === 0) return `no suitable node (${noNodeInEnvironment(ctx.env)})`;
  const parts = allFilters
    .filter((f) => (rejections.get(f) ?? 0) > 0)
    .map((f) => f.explain(rejections.get(f) ?? 0, task, ctx));
  return `no suitable node (${parts.length > 0 ? parts.join('; ') : 'no node accepted the task'})`;
}
