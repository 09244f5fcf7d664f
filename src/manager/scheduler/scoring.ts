import type { NodeInfo } from './node-info.js';

/**
 * A node's score for one service, as last computed. Within a leaf of the spread tree the best
 * node has the fewest tasks of the service, then the fewest tasks overall, then the smallest id
 * (so the same state always gives the same placement).
 */
export interface NodeScore {
  info: NodeInfo;
  serviceTasks: number;
  totalTasks: number;
}

export const scoreOf = (info: NodeInfo, serviceId: string): NodeScore => ({
  info,
  serviceTasks: info.activeByService.get(serviceId) ?? 0,
  totalTasks: info.totalTasks,
});

export function isBetter(a: NodeScore, b: NodeScore): boolean {
  if (a.serviceTasks !== b.serviceTasks) return a.serviceTasks < b.serviceTasks;
  if (a.totalTasks !== b.totalTasks) return a.totalTasks < b.totalTasks;
  return a.info.node.id < b.info.node.id;
}

/** Whether the stored score is still the node's score (placements only ever raise it). */
export const isCurrent = (s: NodeScore, serviceId: string): boolean =>
  s.totalTasks === s.info.totalTasks && s.serviceTasks === (s.info.activeByService.get(serviceId) ?? 0);
