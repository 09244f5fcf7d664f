import { maskOf, overlaps, parseIpv4, type Cidr } from '../../lib/cidr.js';
import { shoalLabels, type EngineNetworkSpec, type NetworkConflict, type NetworkOwner } from './executor.js';

/** A network as the engine reports it. */
export interface EngineNetwork {
  id: string;
  name: string;
  /** Its IPv4 subnets (CIDR). */
  subnets: string[];
  labels: Record<string, string>;
  /** The Linux bridge device, when the engine says. */
  bridge?: string;
  /** Names (or ids) of the containers attached to it; absent: not looked at. */
  containers?: string[];
}

export interface NetworkSyncPlan {
  /** This node's own networks it no longer wants, or wants on another range (removed once empty). */
  removeOwn: EngineNetwork[];
  /** Left by another node or cluster, in the way of a wanted one, and used by no container. */
  removeLeftovers: EngineNetwork[];
  create: EngineNetworkSpec[];
  conflicts: NetworkConflict[];
}

/** Whether the network is Shoal's and inside the executor's scope (every scope label matches). */
export function isShoalNetwork(net: EngineNetwork, scope: Record<string, string>): boolean {
  return net.labels[shoalLabels.network] !== undefined && Object.entries(scope).every(([k, v]) => net.labels[k] === v);
}

/**
 * This node's: its node label, and its cluster label or none (networks made before clusters
 * were labelled; a node id is never reused by another cluster).
 */
export function isOwnNetwork(net: EngineNetwork, owner: NetworkOwner, scope: Record<string, string>): boolean {
  if (!isShoalNetwork(net, scope) || net.labels[shoalLabels.node] !== owner.nodeId) return false;
  const cluster = net.labels[shoalLabels.cluster];
  return cluster === undefined || cluster === owner.clusterId;
}

/**
 * What `syncNetworks` does, decided from the engine's networks. A wanted network another one is
 * in the way of (an overlapping range, the same name or the same bridge device) is not created:
 * a Shoal network of another node or cluster (of this executor's scope) that no container uses
 * is a leftover and goes first; one still used, or a network that is not Shoal's, is a
 * conflict. Another cluster's containers are never touched: that cluster may still be alive
 * (clusters can share an engine), and only its own agents may remove them. Shoal networks that
 * are in nobody's way are left alone for the same reason.
 *
 * `engine` must carry `containers` for every network that is in the way (the caller looks
 * only those up: `blockers`).
 */
export function planNetworkSync(wanted: readonly EngineNetworkSpec[], engine: readonly EngineNetwork[], owner: NetworkOwner, scope: Record<string, string>): NetworkSyncPlan {
  const byName = new Map(wanted.map((w) => [w.name, w]));
  const removeOwn: EngineNetwork[] = [];
  const kept = new Set<string>();
  for (const net of engine) {
    if (!isOwnNetwork(net, owner, scope)) continue;
    const want = byName.get(net.name);
    if (want && net.subnets[0] === want.subnet) kept.add(net.name);
    else removeOwn.push(net);
  }
  const others = engine.filter((n) => !isOwnNetwork(n, owner, scope));
  const removeLeftovers = new Map<string, EngineNetwork>();
  const create: EngineNetworkSpec[] = [];
  const conflicts: NetworkConflict[] = [];
  for (const w of wanted) {
    if (kept.has(w.name)) continue;
    const blocking = blockers(w, others);
    const held = blocking.filter((n) => !isShoalNetwork(n, scope) || (n.containers?.length ?? 0) > 0);
    for (const n of blocking) if (!held.includes(n)) removeLeftovers.set(n.id, n);
    if (held.length === 0) create.push(w);
    else conflicts.push({ name: w.name, message: held.map((n) => conflictMessage(w, n, owner, scope)).join('; ') });
  }
  return { removeOwn, removeLeftovers: [...removeLeftovers.values()], create, conflicts };
}

/** The networks that keep `w` from being made: the same name or bridge, or an overlapping range. */
export function blockers(w: EngineNetworkSpec, others: readonly EngineNetwork[]): EngineNetwork[] {
  const range = looseCidr(w.subnet);
  return others.filter((n) => n.name === w.name || (n.bridge !== undefined && n.bridge === w.bridge) || n.subnets.some((s) => {
    const other = looseCidr(s);
    return range !== undefined && other !== undefined && overlaps(range, other);
  }));
}

const range = (n: EngineNetwork): string => n.subnets.join(', ') || 'no range';

function conflictMessage(w: EngineNetworkSpec, n: EngineNetwork, owner: NetworkOwner, scope: Record<string, string>): string {
  const wants = `this node's range ${w.subnet} overlaps network ${n.name} (${range(n)})`;
  if (n.labels[shoalLabels.network] === undefined) {
    return `${wants}, which is not Shoal's: remove it, or start a new cluster with --cluster-cidr on a free block`;
  }
  if (!isShoalNetwork(n, scope)) return `${wants}, a Shoal network outside this agent's scope (${Object.keys(scope).join(', ')}), which it leaves alone`;
  const cluster = n.labels[shoalLabels.cluster];
  const node = n.labels[shoalLabels.node] ?? '?';
  const whose = cluster === undefined ? `Shoal node ${node} (of a cluster from before networks named their cluster)` : cluster === owner.clusterId ? `node ${node} of this cluster` : `another Shoal cluster (node ${node})`;
  const names = n.containers ?? [];
  return `${wants}, left by ${whose} and still used by container${names.length === 1 ? '' : 's'} ${names.join(', ')}: if that cluster is gone, remove them (docker rm -f ${names.join(' ')}); Shoal leaves another cluster's containers alone`;
}

/** A CIDR as an engine may write it (host bits set are dropped). */
function looseCidr(text: string): Cidr | undefined {
  const [ip = '', bits = ''] = text.split('/');
  const base = parseIpv4(ip);
  const prefix = Number(bits);
  if (base === undefined || !/^\d{1,2}$/.test(bits) || prefix > 32) return undefined;
  return { base: (base & maskOf(prefix)) >>> 0, prefix };
}
