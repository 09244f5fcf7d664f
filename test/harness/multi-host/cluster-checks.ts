import type Docker from 'dockerode';
import type { NodeObject, NodeState, TaskObject } from '../../../src/api/objects.js';
import { waitFor } from '../wait.js';
import type { MultiHostCluster } from './cluster.js';

/** Read-only views over a multi-host cluster that the tests assert on. */

export async function serviceTasks(c: MultiHostCluster, service: string): Promise<TaskObject[]> {
  return c.client.listTasks({ service });
}

export async function runningTasks(c: MultiHostCluster, service: string): Promise<TaskObject[]> {
  return (await serviceTasks(c, service)).filter((t) => t.desiredState === 'running' && t.status.state === 'running');
}

/** Index of the node a task runs on (-1 for none or an unknown node). */
export function nodeIndexOf(c: MultiHostCluster, nodeId: string | undefined): number {
  return c.nodes.findIndex((n) => n.nodeId === nodeId);
}

/** Tasks per node, in node order. */
export function tasksPerNode(c: MultiHostCluster, tasks: TaskObject[]): number[] {
  return c.nodes.map((n) => tasks.filter((t) => t.nodeId === n.nodeId).length);
}

/** Slots that more than one of these tasks hold, e.g. [[3, ['id1', 'id2']]]. */
export function duplicateSlots(tasks: { slot?: number | undefined; id: string }[]): [number, string[]][] {
  const bySlot = new Map<number, string[]>();
  for (const t of tasks) if (t.slot !== undefined) bySlot.set(t.slot, [...(bySlot.get(t.slot) ?? []), t.id]);
  return [...bySlot].filter(([, ids]) => ids.length > 1);
}

/** This node's containers (by its node id label, so nothing else on a shared engine), optionally of one service. */
export async function containersOn(c: MultiHostCluster, i: number, service?: string): Promise<Docker.ContainerInfo[]> {
  const n = c.node(i);
  const label = [`io.shoal.node.id=${n.nodeId}`];
  if (service) label.push(`io.shoal.service.name=${service}`);
  return n.docker.listContainers({ all: true, filters: { label } });
}

/**
 * Every Shoal container on a node's engine: on an engine of the run's own, any container with a
 * task label (whichever node id it carries); on the host's engine, only node-0's.
 */
export async function shoalContainersOn(c: MultiHostCluster, i: number): Promise<Docker.ContainerInfo[]> {
  const n = c.node(i);
  const label = n.engine ? ['io.shoal.task.id'] : [`io.shoal.node.id=${n.nodeId}`];
  return n.docker.listContainers({ all: true, filters: { label } });
}

export async function runningContainersOn(c: MultiHostCluster, i: number, service: string): Promise<Docker.ContainerInfo[]> {
  return (await containersOn(c, i, service)).filter((x) => x.State === 'running');
}

export interface EngineContainer {
  node: number;
  containerId: string;
  taskId: string;
  slot: number | undefined;
}

/** What really runs, engine by engine: running containers of the service on every node. */
export async function runningInEngines(c: MultiHostCluster, service: string): Promise<EngineContainer[]> {
  const out: EngineContainer[] = [];
  for (const n of c.nodes) {
    for (const x of await runningContainersOn(c, n.index, service)) {
      const slot = x.Labels['io.shoal.task.slot'];
      out.push({ node: n.index, containerId: x.Id, taskId: x.Labels['io.shoal.task.id'] ?? '', slot: slot === undefined ? undefined : Number(slot) });
    }
  }
  return out;
}

export async function nodeObject(c: MultiHostCluster, i: number): Promise<NodeObject> {
  return c.client.getNode(c.node(i).nodeId);
}

export async function waitNodeState(c: MultiHostCluster, i: number, state: NodeState, timeoutMs = 30_000): Promise<NodeObject> {
  return waitFor(`${c.node(i).name} to be ${state}`, async () => {
    const n = await nodeObject(c, i);
    return n.status.state === state ? n : undefined;
  }, timeoutMs, 50);
}

/** Waits until exactly `n` tasks run, none on the excluded nodes; returns them. */
export async function waitRunning(c: MultiHostCluster, service: string, n: number, opts: { notOn?: number[]; timeoutMs?: number } = {}): Promise<TaskObject[]> {
  const excluded = new Set((opts.notOn ?? []).map((i) => c.node(i).nodeId));
  return waitFor(`${n} running tasks of ${service}${excluded.size ? ` off nodes ${opts.notOn?.join(',')}` : ''}`, async () => {
    const r = await runningTasks(c, service);
    return r.length === n && r.every((t) => !excluded.has(t.nodeId ?? '')) ? r : undefined;
  }, opts.timeoutMs ?? 30_000, 50);
}

/** Removes a service and waits until no container of it is left on any engine. */
export async function removeServiceEverywhere(c: MultiHostCluster, service: string): Promise<void> {
  await c.client.removeService(service);
  await waitFor(`the containers of ${service} to be removed`, async () => {
    for (const n of c.nodes) if ((await containersOn(c, n.index, service)).length > 0) return false;
    return true;
  }, 30_000);
}
