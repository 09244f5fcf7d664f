import type { NodeObject, TaskObject } from '../../api/objects.js';
import type { PortSpec } from '../../api/service-spec.js';
import { holdsResources } from '../../api/task-state.js';

/** What is already taken on a node, built once per pass and bumped as tasks are placed. */
export interface NodeInfo {
  node: NodeObject;
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
  /** `8080/tcp` for every host port a task on the node binds. */
  ports: Set<string>;
  /** Tasks meant to keep running here, per service (for spread and max replicas). */
  activeByService: Map<string, number>;
  /** Every task holding resources here. */
  totalTasks: number;
}

/** Host ports a spec binds; ingress also binds on the host in Shoal's single-host routing. */
export const publishedPorts = (ports: readonly PortSpec[]): string[] =>
  ports.filter((p) => p.published !== undefined && p.mode === 'host').map((p) => `${p.published}/${p.protocol}`);

export function reserve(info: NodeInfo, task: TaskObject): void {
  info.reservedNanoCpus += task.spec.resources.reservations.nanoCpus;
  info.reservedMemoryBytes += task.spec.resources.reservations.memoryBytes;
  for (const p of publishedPorts(task.spec.ports)) info.ports.add(p);
  info.totalTasks++;
  if (task.desiredState === 'running') {
    info.activeByService.set(task.serviceId, (info.activeByService.get(task.serviceId) ?? 0) + 1);
  }
}

/** One scan over the tasks, so a pass costs O(tasks + nodes × pending tasks), never O(tasks²). */
export function buildNodeInfos(nodes: readonly NodeObject[], tasks: readonly TaskObject[]): Map<string, NodeInfo> {
  const infos = new Map<string, NodeInfo>();
  for (const node of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    infos.set(node.id, {
      node,
      reservedNanoCpus: 0,
      reservedMemoryBytes: 0,
      ports: new Set(),
      activeByService: new Map(),
      totalTasks: 0,
    });
  }
  for (const t of tasks) {
    if (t.nodeId === undefined || !holdsResources(t.status.state)) continue;
    const info = infos.get(t.nodeId);
    if (info) reserve(info, t);
  }
  return infos;
}
