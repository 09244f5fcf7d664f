import type { DnsServiceView, DnsView } from '../../api/dns-view.js';
import { deriveVtepMac } from '../../agent/overlay/vtep-mac.js';
import { taskName, type NodeObject, type ServiceObject, type TaskObject } from '../../api/objects.js';
import {
  canCarryOverlay,
  defaultNetworkName,
  dockerNetworkName,
  type IngressRule,
  type NetworkObject,
  type NodeNetworkPlan,
  type OverlayPeerPlan,
  type PlannedNetwork,
  type TaskNetworkAttachment,
} from '../../api/networks.js';
import { isTerminal } from '../../api/task-state.js';
import { isHealthyRunning } from '../orchestrator/health.js';
import { groupBy } from '../orchestrator/task-index.js';
import type { Change } from '../store/store.js';

export interface PlanNodeSubnet {
  nodeId: string;
  subnet: string;
  nodeAddress: string;
}

export interface PlanRange {
  networkId: string;
  nodeId: string;
  range: string;
  gateway: string;
}

/** One consistent read of what the plans are made from. */
export interface NetworkPlanInput {
  clusterCidr: string;
  vni: number;
  nodes: NodeObject[];
  subnets: PlanNodeSubnet[];
  ranges: PlanRange[];
  networks: NetworkObject[];
  services: ServiceObject[];
  tasks: TaskObject[];
}

/** The kinds whose changes can change a node's plan (node addresses, IPAM blocks, names, ...). */
const planKinds = new Set<string>(['task', 'service', 'network', 'node', 'ipam']);

/**
 * Whether a store change can change any node's plan. Tasks change state many times on their
 * way to running; only what a plan reads of them counts (where, whether it holds a container,
 * runs and is healthy, and its addresses), so most transitions cost no re-planning.
 */
export function changesNetworkPlans(change: Change): boolean {
  if (!planKinds.has(change.kind)) return false;
  if (change.kind === 'node') return nodeChangeCounts(change.prev as NodeObject | undefined, change.value as NodeObject | undefined);
  if (change.kind !== 'task') return true;
  const a = change.prev as TaskObject | undefined;
  const b = change.value as TaskObject | undefined;
  if (!a || !b) return true;
  const seen = (t: TaskObject): string =>
    JSON.stringify([t.nodeId, holdsContainer(t), liveness(t), t.status.addresses ?? []]);
  return seen(a) !== seen(b);
}

/** A node's own ingress report follows a plan; it changes none (nor does the time of a status). */
function nodeChangeCounts(a: NodeObject | undefined, b: NodeObject | undefined): boolean {
  if (!a || !b) return true;
  const seen = (n: NodeObject): string => JSON.stringify({ ...n, version: 0, updatedAt: '', status: { ...n.status, timestamp: '', ingress: undefined } });
  return seen(a) !== seen(b);
}

/** A task whose container may exist on its node: it needs its networks there. */
export function holdsContainer(task: TaskObject): boolean {
  return task.nodeId !== undefined && (!isTerminal(task.status.state) || task.keepContainer === true);
}

/**
 * The networks a task's container joins, primary first: its environment's `default` network,
 * which every task joins (so any task can reach `SERVICE.STACK` of its environment, as on
 * Rancher's managed network), then each network of its spec. A network that no longer exists
 * is left out (its removal is refused while a service names it, so only a race gets here).
 */
export function taskAttachments(task: TaskObject, byName: ReadonlyMap<string, NetworkObject>): TaskNetworkAttachment[] {
  const out: TaskNetworkAttachment[] = [];
  const add = (name: string, aliases: string[]): void => {
    const net = byName.get(`${task.env}/${name}`);
    if (!net) return;
    const existing = out.find((a) => a.networkId === net.id);
    if (existing) existing.aliases = [...new Set([...existing.aliases, ...aliases])];
    else out.push({ networkId: net.id, aliases });
  };
  add(defaultNetworkName, []);
  for (const n of task.spec.networks ?? []) add(n.target, n.aliases ?? []);
  return out;
}

export function networksByName(networks: readonly NetworkObject[]): Map<string, NetworkObject> {
  return new Map(networks.map((n) => [`${n.env}/${n.name}`, n]));
}

/** The (network, node) ranges every node needs for the tasks it holds. */
export function rangesNeeded(input: Pick<NetworkPlanInput, 'networks' | 'tasks'>): { networkId: string; nodeId: string }[] {
  const byName = networksByName(input.networks);
  const out = new Map<string, { networkId: string; nodeId: string }>();
  for (const t of input.tasks) {
    if (!holdsContainer(t) || !t.nodeId) continue;
    for (const a of taskAttachments(t, byName)) out.set(`${a.networkId}/${t.nodeId}`, { networkId: a.networkId, nodeId: t.nodeId });
  }
  return [...out.values()];
}

/** The address other tasks and the ingress use for a task: the one on its primary network. */
export function primaryAddress(task: TaskObject, byName: ReadonlyMap<string, NetworkObject>): string | undefined {
  const addresses = task.status.addresses ?? [];
  const primary = byName.get(`${task.env}/${defaultNetworkName}`);
  const docker = primary ? dockerNetworkName(primary.id) : undefined;
  return addresses.find((a) => a.network === docker)?.ip;
}

/** What the manager saw as the node's address, as a bare IPv4 (`::ffff:10.0.0.2` → `10.0.0.2`). */
export function underlayAddress(node: NodeObject): string {
  return node.status.address.replace(/^::ffff:/, '');
}


/** What names and the ingress may point at: running, meant to run, and healthy where a check applies. */
function liveness(task: TaskObject): { running: boolean; healthy: boolean } {
  return { running: task.status.state === 'running' && task.desiredState === 'running', healthy: isHealthyRunning(task) };
}

/** The names of one environment, as every agent of that environment answers them. */
export function dnsViewFor(env: string, input: Pick<NetworkPlanInput, 'services' | 'tasks' | 'networks'>): DnsView {
  const byName = networksByName(input.networks);
  const services = input.services.filter((s) => s.env === env);
  const tasksOf = groupBy(input.tasks.filter((t) => t.env === env && holdsContainer(t)), (t) => t.serviceId);
  const views: DnsServiceView[] = services.map((s) => {
    const aliases = new Set<string>();
    for (const n of s.spec.networks ?? []) for (const a of n.aliases ?? []) aliases.add(a);
    const view: DnsServiceView = {
      name: s.stack && s.name.startsWith(`${s.stack}_`) ? s.name.slice(s.stack.length + 1) : s.name,
      env,
      aliases: [...aliases],
      tasks: (tasksOf.get(s.id) ?? []).map((t) => {
        const ip = primaryAddress(t, byName);
        return { id: t.id, name: taskName(t), ...(ip !== undefined ? { ip } : {}), ...liveness(t) };
      }),
    };
    if (s.stack) view.stack = s.stack;
    return view;
  });
  return { services: views };
}

/** Ports published in ingress mode by the environment's services, with their live backends. */
export function ingressRulesFor(env: string, input: Pick<NetworkPlanInput, 'services' | 'tasks' | 'networks'>): IngressRule[] {
  const byName = networksByName(input.networks);
  const tasksOf = groupBy(input.tasks.filter((t) => t.env === env), (t) => t.serviceId);
  const rules: IngressRule[] = [];
  for (const s of input.services) {
    if (s.env !== env) continue;
    const ports = (s.spec.ports ?? []).filter((p) => p.mode === 'ingress' && p.published !== undefined);
    if (ports.length === 0) continue;
    const backends: string[] = [];
    for (const t of tasksOf.get(s.id) ?? []) {
      const { running, healthy } = liveness(t);
      const ip = primaryAddress(t, byName);
      if (running && healthy && ip) backends.push(ip);
    }
    backends.sort();
    for (const p of ports) {
      rules.push({ serviceId: s.id, serviceName: s.name, protocol: p.protocol, port: p.published ?? p.target, targetPort: p.target, backends });
    }
  }
  return rules.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/**
 * The plans of the given nodes, from one read of the cluster. Pure: the loop that calls it has
 * allocated the nodes' subnets and the ranges `rangesNeeded` asked for; a node without a subnet
 * yet gets no plan. What is the same for every node of an environment (its names and ingress
 * rules) is made once per environment.
 */
export function planNodeNetworks(nodeIds: readonly string[], input: NetworkPlanInput): Map<string, NodeNetworkPlan> {
  const byName = networksByName(input.networks);
  const networkById = new Map(input.networks.map((n) => [n.id, n]));
  const rangeOf = new Map(input.ranges.map((r) => [`${r.networkId}@${r.nodeId}`, r]));
  const tasksByNode = groupBy(input.tasks.filter(holdsContainer), (t) => t.nodeId ?? '');
  const perEnv = new Map<string, { dns: DnsView; ingress: IngressRule[] }>();
  const envParts = (env: string): { dns: DnsView; ingress: IngressRule[] } => {
    let parts = perEnv.get(env);
    if (!parts) perEnv.set(env, (parts = { dns: dnsViewFor(env, input), ingress: ingressRulesFor(env, input) }));
    return parts;
  };
  const peersOf = (nodeId: string): OverlayPeerPlan[] => {
    const peers: OverlayPeerPlan[] = [];
    for (const s of input.subnets) {
      const peer = s.nodeId === nodeId ? undefined : input.nodes.find((n) => n.id === s.nodeId);
      if (!peer || !canCarryOverlay(underlayAddress(peer))) continue;
      peers.push({ nodeId: s.nodeId, underlayIp: underlayAddress(peer), subnet: s.subnet, nodeAddress: s.nodeAddress, vtepMac: deriveVtepMac(s.nodeId) });
    }
    return peers.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  };

  const plans = new Map<string, NodeNetworkPlan>();
  for (const nodeId of nodeIds) {
    const node = input.nodes.find((n) => n.id === nodeId);
    const own = input.subnets.find((s) => s.nodeId === nodeId);
    if (!node || !own) continue;
    const tasks: Record<string, TaskNetworkAttachment[]> = {};
    const used = new Set<string>();
    for (const t of tasksByNode.get(nodeId) ?? []) {
      const attachments = taskAttachments(t, byName).filter((a) => rangeOf.has(`${a.networkId}@${nodeId}`));
      tasks[t.id] = attachments;
      for (const a of attachments) used.add(a.networkId);
    }
    const networks: PlannedNetwork[] = [];
    for (const id of [...used].sort()) {
      const net = networkById.get(id);
      const range = rangeOf.get(`${id}@${nodeId}`);
      if (!net || !range) continue;
      const planned: PlannedNetwork = {
        id,
        name: net.name,
        env: net.env,
        range: range.range,
        gateway: range.gateway,
        // The environment's ranges, not only this network's: a container on several networks
        // leaves through whichever one the engine made its default route, and every task of an
        // environment shares its `default` network anyway. Environments stay apart.
        peerRanges: input.ranges.filter((r) => r.nodeId !== nodeId && networkById.get(r.networkId)?.env === net.env).map((r) => r.range).sort(),
      };
      if (net.stack) planned.stack = net.stack;
      networks.push(planned);
    }
    const { dns, ingress } = envParts(node.env);
    plans.set(nodeId, {
      clusterCidr: input.clusterCidr,
      nodeSubnet: own.subnet,
      nodeAddress: own.nodeAddress,
      underlayIp: underlayAddress(node),
      vni: input.vni,
      peers: peersOf(nodeId),
      networks,
      tasks,
      dns,
      ingress,
    });
  }
  return plans;
}

/** One node's plan (see `planNodeNetworks`). */
export function planNodeNetwork(nodeId: string, input: NetworkPlanInput): NodeNetworkPlan | undefined {
  return planNodeNetworks([nodeId], input).get(nodeId);
}
