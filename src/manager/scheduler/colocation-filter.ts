import type { Filter, ServiceRef } from './filter.js';
import { nodes, verb } from './filter.js';
import type { NodeInfo } from './node-info.js';

/** The node has a task of the service that is assigned or running and meant to keep running. */
export const runsTaskOf = (info: NodeInfo, ref: ServiceRef): boolean =>
  ref.serviceId !== undefined && (info.activeByService.get(ref.serviceId) ?? 0) > 0;

const names = (refs: readonly ServiceRef[]): string => refs.map((r) => r.name).join(', ');

/**
 * `placement.colocateWith`, fleet's MachineOf: only a node that already runs a task of every
 * named service. The rule is judged when a task is placed; a task already placed is not moved
 * when the other service's task later leaves its node.
 */
export const colocationFilter: Filter = {
  name: 'colocation',
  appliesTo: (ctx) => ctx.demand.colocateWith.length > 0,
  check: (info, _task, ctx) => ctx.demand.colocateWith.every((ref) => runsTaskOf(info, ref)),
  explain: (count, _task, ctx) => `${nodes(count)} ${verb(count, 'runs', 'run')} no task of ${names(ctx.demand.colocateWith)}`,
};

/**
 * The words a task shows when some service it must share a node with runs on no node of the
 * environment yet (or does not exist): the task waits for it rather than for a better node.
 */
export function colocationWait(refs: readonly ServiceRef[], infos: readonly NodeInfo[]): string | undefined {
  const missing = refs.filter((ref) => !infos.some((info) => runsTaskOf(info, ref)));
  if (missing.length === 0) return undefined;
  const unknown = missing.filter((r) => r.serviceId === undefined);
  const suffix = unknown.length > 0 ? ` (no service named ${names(unknown)})` : '';
  return `waiting for a node running ${names(missing)}${suffix}`;
}
