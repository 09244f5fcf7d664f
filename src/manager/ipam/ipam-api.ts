import { ShoalError, invalidArgument } from '../../api/errors.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import { addressAt, childAt, childCount, childIndex, formatCidr, formatIpv4, freeIndices, parseCidr, type Cidr } from '../../lib/cidr.js';
import { resolveIpamConfig, type IpamConfig } from './ipam-config.js';
import {
  configId,
  ipamScope,
  nodeOwnerId,
  nodeOwners,
  poolKey,
  rangeClaimId,
  rangeOwnerId,
  rangeOwners,
  subnetClaimId,
  type ClaimObject,
  type IpamConfigObject,
  type NetworkRangeObject,
  type NodeSubnetObject,
} from './ipam-objects.js';

export interface NodeSubnet {
  nodeId: string;
  /** The node's whole subnet: the route other nodes send over the overlay to reach it. */
  subnet: string;
  /** The node's own overlay address (its VXLAN device), the subnet's first address. */
  nodeAddress: string;
}

export interface NetworkRange {
  networkId: string;
  nodeId: string;
  /** The subnet of this network's bridge on this node. */
  range: string;
  /** The bridge's own address on this node. */
  gateway: string;
}

export interface IpamOptions {
  /** The address plan for a new cluster; once stored, a different one is refused. */
  config?: Partial<IpamConfig>;
  /** The actor recorded on IPAM commits. */
  actor?: string;
  /** Attempts before giving up when other managers keep taking the blocks tried. */
  maxAttempts?: number;
}

/**
 * Address management: node subnets and (network, node) ranges, all claims in the store (see `ipam-objects.ts`), so allocations survive restarts and any number of managers
 * can allocate at once. Each allocation reads what its pool has given out, picks a free block
 * and commits the claim's `create` with its owner record; a `ConflictError` means another
 * manager got there first, and the allocation reads again and tries another block. After a
 * first conflict the block is picked at random among the free ones, so many concurrent
 * allocators spread out instead of all racing for the lowest.
 *
 * An allocation also rewrites its parent's owner record (expecting its version): a release of
 * that parent checks the same version, so a node subnet is never released while a range is
 * being taken from it. Addresses inside a range are the node's engine's to hand out: the range
 * is the bridge network's subnet there, so no two nodes or networks ever share one.
 */
export class IpamApi {
  private configLoad: Promise<IpamConfig> | undefined;
  private readonly actor: string;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: Store,
    private readonly options: IpamOptions = {},
  ) {
    this.actor = options.actor ?? 'ipam';
    this.maxAttempts = options.maxAttempts ?? 500;
  }

  /** The cluster's address plan: the stored one, or the configured one stored on first use. */
  config(): Promise<IpamConfig> {
    this.configLoad ??= this.loadConfig().catch((err: unknown) => {
      this.configLoad = undefined;
      throw err;
    });
    return this.configLoad;
  }

  /** The node's subnet, allocated on first call; the same one on every later call, restarts included. */
  async allocateNodeSubnet(nodeId: string): Promise<NodeSubnet> {
    requireId('nodeId', nodeId);
    const config = await this.config();
    const cluster = cidrOf(config.clusterCidr);
    for (let attempt = 0; ; attempt++) {
      const held = await this.store.get<NodeSubnetObject>('ipam', nodeOwnerId(nodeId));
      if (held) return nodeSubnetView(held);
      this.checkAttempts(attempt, `subnet for node ${nodeId}`);
      const subnet = await this.pickFree(cluster, config.nodeSubnetPrefix, 0, childCount(cluster, config.nodeSubnetPrefix), attempt, () => `cluster CIDR ${config.clusterCidr} has no free /${config.nodeSubnetPrefix} subnet left for node ${nodeId}`);
      const text = formatCidr(subnet);
      const claim: ClaimObject = { id: subnetClaimId(text), env: ipamScope, version: 0, type: 'subnet-claim', name: poolKey(config.clusterCidr), cidr: text, nodeId };
      const owner: NodeSubnetObject = { id: nodeOwnerId(nodeId), env: ipamScope, version: 0, type: 'node-subnet', name: nodeOwners, nodeId, subnet: text, nodeAddress: formatIpv4(subnet.base) };
      if (await this.tryCommit([{ op: 'create', kind: 'ipam', value: claim }, { op: 'create', kind: 'ipam', value: owner }])) return nodeSubnetView(owner);
    }
  }

  /**
   * Gives back everything the node holds: its subnet and its ranges. Only for a node that is
   * removed: nothing on it can be using them any more.
   */
  async releaseNodeSubnet(nodeId: string): Promise<boolean> {
    requireId('nodeId', nodeId);
    return retryOnConflict(async () => {
      const objects = await this.store.list('ipam', { where: { nodeId } });
      if (objects.length === 0) return false;
      await this.store.commit(objects.map((o): Op => ({ op: 'delete', kind: 'ipam', id: o.id, expectVersion: o.version })), { actor: this.actor });
      return true;
    }, this.maxAttempts);
  }

  /** The range of a network on a node (the node's subnet is allocated first if need be). */
  async allocateNetworkRange(networkId: string, nodeId: string): Promise<NetworkRange> {
    requireId('networkId', networkId);
    requireId('nodeId', nodeId);
    const config = await this.config();
    await this.allocateNodeSubnet(nodeId);
    for (let attempt = 0; ; attempt++) {
      const held = await this.store.get<NetworkRangeObject>('ipam', rangeOwnerId(networkId, nodeId));
      if (held) return networkRangeView(held);
      this.checkAttempts(attempt, `range for network ${networkId} on node ${nodeId}`);
      const node = await this.store.get<NodeSubnetObject>('ipam', nodeOwnerId(nodeId));
      if (!node) throw new ShoalError('failed_precondition', `node ${nodeId} has no subnet: it was released while a range was being allocated`, 'nodeId');
      const subnet = cidrOf(node.subnet);
      // Block 0 of the node's subnet is the node's own (its overlay address).
      const range = await this.pickFree(subnet, config.networkRangePrefix, 1, childCount(subnet, config.networkRangePrefix), attempt, () => `node subnet ${node.subnet} of node ${nodeId} has no free /${config.networkRangePrefix} range left for network ${networkId}`);
      const text = formatCidr(range);
      const claim: ClaimObject = { id: rangeClaimId(text), env: ipamScope, version: 0, type: 'range-claim', name: poolKey(node.subnet), cidr: text, nodeId, networkId };
      const owner: NetworkRangeObject = { id: rangeOwnerId(networkId, nodeId), env: ipamScope, version: 0, type: 'network-range', name: rangeOwners, networkId, nodeId, range: text, gateway: formatIpv4(addressAt(range, 1)) };
      const ops: Op[] = [
        { op: 'create', kind: 'ipam', value: claim },
        { op: 'create', kind: 'ipam', value: owner },
        { op: 'put', kind: 'ipam', value: node, expectVersion: node.version },
      ];
      if (await this.tryCommit(ops)) return networkRangeView(owner);
    }
  }

  /** The network's range on every node that has one, ordered by node id. */
  async listNetworkRanges(networkId: string): Promise<NetworkRange[]> {
    requireId('networkId', networkId);
    const owners = await this.store.list<NetworkRangeObject>('ipam', { where: { name: rangeOwners } });
    return owners.filter((o) => o.networkId === networkId).map(networkRangeView).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /**
   * Gives back the network's ranges on every node: for a network that was removed (no service
   * may list it, so no task uses them; the engines hand out the addresses inside a range).
   * Returns the ranges released.
   */
  async releaseNetworkRanges(networkId: string): Promise<NetworkRange[]> {
    requireId('networkId', networkId);
    return retryOnConflict(async () => {
      const owners = (await this.store.list<NetworkRangeObject>('ipam', { where: { name: rangeOwners } })).filter((o) => o.networkId === networkId);
      if (owners.length === 0) return [];
      const ops: Op[] = [];
      for (const owner of owners) {
        ops.push({ op: 'delete', kind: 'ipam', id: owner.id, expectVersion: owner.version });
        const claim = await this.store.get<ClaimObject>('ipam', rangeClaimId(owner.range));
        if (claim) ops.push({ op: 'delete', kind: 'ipam', id: claim.id, expectVersion: claim.version });
      }
      await this.store.commit(ops, { actor: this.actor });
      return owners.map(networkRangeView).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    }, this.maxAttempts);
  }

  async nodeSubnet(nodeId: string): Promise<NodeSubnet | undefined> {
    const held = await this.store.get<NodeSubnetObject>('ipam', nodeOwnerId(nodeId));
    return held ? nodeSubnetView(held) : undefined;
  }

  /** Every node's subnet: what the overlay routes. */
  async listNodeSubnets(): Promise<NodeSubnet[]> {
    return (await this.store.list<NodeSubnetObject>('ipam', { where: { name: nodeOwners } })).map(nodeSubnetView);
  }

  async networkRange(networkId: string, nodeId: string): Promise<NetworkRange | undefined> {
    const held = await this.store.get<NetworkRangeObject>('ipam', rangeOwnerId(networkId, nodeId));
    return held ? networkRangeView(held) : undefined;
  }

  private async loadConfig(): Promise<IpamConfig> {
    const wanted = resolveIpamConfig(this.options.config);
    for (;;) {
      const stored = await this.store.get<IpamConfigObject>('ipam', configId);
      if (stored) {
        for (const key of Object.keys(this.options.config ?? {}) as Array<keyof IpamConfig>) {
          if (stored[key] !== wanted[key]) {
            throw new ShoalError('failed_precondition', `ipam.${key}: fixed when the cluster was created: this cluster's is ${String(stored[key])}, not ${String(wanted[key])}`, `ipam.${key}`);
          }
        }
        return { clusterCidr: stored.clusterCidr, nodeSubnetPrefix: stored.nodeSubnetPrefix, networkRangePrefix: stored.networkRangePrefix };
      }
      const created: IpamConfigObject = { id: configId, env: ipamScope, version: 0, type: 'config', name: 'config', ...wanted };
      if (await this.tryCommit([{ op: 'create', kind: 'ipam', value: created }])) return wanted;
    }
  }

  /** Commits, or returns false when another writer got there first. */
  private async tryCommit(ops: Op[]): Promise<boolean> {
    try {
      await this.store.commit(ops, { actor: this.actor });
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  /** A free block of `childPrefix` among children [from, to) of `pool`. */
  private async pickFree(pool: Cidr, childPrefix: number, from: number, to: number, attempt: number, exhausted: () => string): Promise<Cidr> {
    const taken = await this.takenIndices(pool);
    const index = choose(freeIndices(taken, from, to), attempt);
    if (index === undefined) throw new ShoalError('resource_exhausted', exhausted());
    return childAt(pool, childPrefix, index);
  }

  /** Indices (in the claims' own prefix) of the pool's children already claimed. */
  private async takenIndices(pool: Cidr): Promise<Set<number>> {
    const claims = await this.store.list<ClaimObject>('ipam', { where: { name: poolKey(formatCidr(pool)) } });
    const taken = new Set<number>();
    for (const c of claims) {
      const index = childIndex(pool, cidrOf(c.cidr));
      if (index !== undefined) taken.add(index);
    }
    return taken;
  }

  private checkAttempts(attempt: number, what: string): void {
    if (attempt >= this.maxAttempts) {
      throw new ShoalError('unavailable', `could not allocate the ${what}: other managers took every block tried in ${this.maxAttempts} attempts; try again`);
    }
  }
}

/** The lowest free index first; after a conflict, a random one so competing managers spread out. */
function choose(free: number[], attempt: number): number | undefined {
  if (free.length === 0) return undefined;
  return attempt === 0 ? free[0] : free[Math.floor(Math.random() * free.length)];
}

function cidrOf(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new ShoalError('internal', `stored IPAM block "${text}" is not a CIDR`);
  return c;
}

function requireId(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(field, 'is required');
}

const nodeSubnetView = (o: NodeSubnetObject): NodeSubnet => ({ nodeId: o.nodeId, subnet: o.subnet, nodeAddress: o.nodeAddress });
const networkRangeView = (o: NetworkRangeObject): NetworkRange => ({ networkId: o.networkId, nodeId: o.nodeId, range: o.range, gateway: o.gateway });
