import { ShoalError, invalidArgument } from '../../api/errors.js';
import type { TaskObject } from '../../api/objects.js';
import { isTerminal } from '../../api/task-state.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import { addressAt, childAt, childCount, childIndex, formatCidr, formatIpv4, freeIndices, parseCidr, sizeOf, type Cidr } from '../../lib/cidr.js';
import { resolveIpamConfig, type IpamConfig } from './ipam-config.js';
import {
  addressClaimId,
  configId,
  ipamScope,
  nodeOwnerId,
  nodeOwners,
  poolKey,
  rangeClaimId,
  rangeOwnerId,
  rangeOwners,
  subnetClaimId,
  taskOwnerId,
  taskOwners,
  type ClaimObject,
  type IpamConfigObject,
  type NetworkRangeObject,
  type NodeSubnetObject,
  type TaskAddressesObject,
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

export interface TaskAddress {
  taskId: string;
  networkId: string;
  nodeId: string;
  address: string;
  /** The range the address is in; its prefix length is the container's. */
  range: string;
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

/** Offsets in a range that are never a task's: the network address and the gateway. */
const firstTaskOffset = 2;

/**
 * Address management: node subnets, (network, node) ranges and task addresses, all claims in
 * the store (see `ipam-objects.ts`), so allocations survive restarts and any number of managers
 * can allocate at once. Each allocation reads what its pool has given out, picks a free block
 * and commits the claim's `create` with its owner record; a `ConflictError` means another
 * manager got there first, and the allocation reads again and tries another block. After a
 * first conflict the block is picked at random among the free ones, so many concurrent
 * allocators spread out instead of all racing for the lowest.
 *
 * An allocation also rewrites its parent's owner record (expecting its version): a release of
 * that parent checks the same version, so a range is never released while an address is being
 * taken from it, nor a node subnet while a range is.
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
   * Gives back everything the node holds: its subnet, its ranges and its tasks' addresses. Only
   * for a node that is removed: nothing on it can be using them any more.
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

  /** Gives back a network's range on a node; refused while a task still holds an address in it. */
  async releaseNetworkRange(networkId: string, nodeId: string): Promise<boolean> {
    requireId('networkId', networkId);
    requireId('nodeId', nodeId);
    return retryOnConflict(async () => {
      const held = await this.store.get<NetworkRangeObject>('ipam', rangeOwnerId(networkId, nodeId));
      if (!held) return false;
      const inUse = await this.store.list<ClaimObject>('ipam', { where: { name: poolKey(held.range) } });
      if (inUse.length > 0) {
        const tasks = inUse.slice(0, 5).map((c) => c.taskId).join(', ');
        throw new ShoalError('failed_precondition', `range ${held.range} of network ${networkId} on node ${nodeId} still has ${inUse.length} address(es) in use (tasks ${tasks}${inUse.length > 5 ? ', …' : ''})`, 'networkId');
      }
      const claim = await this.store.get<ClaimObject>('ipam', rangeClaimId(held.range));
      const ops: Op[] = [{ op: 'delete', kind: 'ipam', id: held.id, expectVersion: held.version }];
      if (claim) ops.push({ op: 'delete', kind: 'ipam', id: claim.id, expectVersion: claim.version });
      await this.store.commit(ops, { actor: this.actor });
      return true;
    }, this.maxAttempts);
  }

  /** The network's range on every node that has one, ordered by node id. */
  async listNetworkRanges(networkId: string): Promise<NetworkRange[]> {
    requireId('networkId', networkId);
    const owners = await this.store.list<NetworkRangeObject>('ipam', { where: { name: rangeOwners } });
    return owners.filter((o) => o.networkId === networkId).map(networkRangeView).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /**
   * Gives back the network's ranges on every node, with the task addresses still held in them:
   * for a network that was removed, whose tasks (Docker assigns their addresses inside the
   * range) can no longer use them. Returns the ranges released.
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
        for (const address of await this.store.list<ClaimObject>('ipam', { where: { name: poolKey(owner.range) } })) {
          ops.push({ op: 'delete', kind: 'ipam', id: address.id, expectVersion: address.version });
        }
      }
      // Tasks' owner records keep their other networks' addresses; only this network's entry goes.
      for (const task of await this.store.list<TaskAddressesObject>('ipam', { where: { name: taskOwners } })) {
        if (!(networkId in task.addresses)) continue;
        const { [networkId]: _gone, ...rest } = task.addresses;
        const kept: TaskAddressesObject = { ...task, addresses: rest };
        ops.push(
          Object.keys(rest).length === 0
            ? { op: 'delete', kind: 'ipam', id: task.id, expectVersion: task.version }
            : { op: 'put', kind: 'ipam', value: kept, expectVersion: task.version },
        );
      }
      await this.store.commit(ops, { actor: this.actor });
      return owners.map(networkRangeView).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    }, this.maxAttempts);
  }

  /**
   * The task's address on a network, on the node it runs on: allocated on first call, the same
   * on later ones. An address stays the task's until `releaseTaskAddress`, so no other task
   * gets it while the task may still be using it.
   */
  async allocateTaskAddress(taskId: string, networkId: string, nodeId: string): Promise<TaskAddress> {
    requireId('taskId', taskId);
    requireId('networkId', networkId);
    requireId('nodeId', nodeId);
    await this.allocateNetworkRange(networkId, nodeId);
    for (let attempt = 0; ; attempt++) {
      const owner = await this.store.get<TaskAddressesObject>('ipam', taskOwnerId(taskId));
      if (owner && owner.nodeId !== nodeId) {
        throw new ShoalError('failed_precondition', `task ${taskId} holds addresses on node ${owner.nodeId}, not on node ${nodeId}`, 'nodeId');
      }
      const existing = owner?.addresses[networkId];
      if (existing) return { taskId, networkId, nodeId, ...existing };
      this.checkAttempts(attempt, `address for task ${taskId} on network ${networkId}`);
      const rangeOwner = await this.store.get<NetworkRangeObject>('ipam', rangeOwnerId(networkId, nodeId));
      if (!rangeOwner) throw new ShoalError('failed_precondition', `network ${networkId} has no range on node ${nodeId}: it was released while an address was being allocated`, 'networkId');
      const range = cidrOf(rangeOwner.range);
      const offset = await this.pickOffset(range, attempt, () => `range ${rangeOwner.range} of network ${networkId} on node ${nodeId} has no free address left for task ${taskId} (${sizeOf(range) - 3} addresses, all held)`);
      const address = formatIpv4(addressAt(range, offset));
      const entry = { address, range: rangeOwner.range, gateway: rangeOwner.gateway };
      const claim: ClaimObject = { id: addressClaimId(address), env: ipamScope, version: 0, type: 'address-claim', name: poolKey(rangeOwner.range), cidr: `${address}/32`, nodeId, networkId, taskId };
      const nextOwner: TaskAddressesObject = owner
        ? { ...owner, addresses: { ...owner.addresses, [networkId]: entry } }
        : { id: taskOwnerId(taskId), env: ipamScope, version: 0, type: 'task-addresses', name: taskOwners, taskId, nodeId, addresses: { [networkId]: entry } };
      const ops: Op[] = [
        // The claim first: when two managers pick the same address, that is the conflict seen.
        { op: 'create', kind: 'ipam', value: claim },
        owner ? { op: 'put', kind: 'ipam', value: nextOwner, expectVersion: owner.version } : { op: 'create', kind: 'ipam', value: nextOwner },
        { op: 'put', kind: 'ipam', value: rangeOwner, expectVersion: rangeOwner.version },
      ];
      if (await this.tryCommit(ops)) return { taskId, networkId, nodeId, ...entry };
    }
  }

  /** Gives back every address of the task; the addresses it held, none when it held none. */
  async releaseTaskAddress(taskId: string): Promise<TaskAddress[]> {
    requireId('taskId', taskId);
    return retryOnConflict(async () => {
      const owner = await this.store.get<TaskAddressesObject>('ipam', taskOwnerId(taskId));
      if (!owner) return [];
      const ops: Op[] = [{ op: 'delete', kind: 'ipam', id: owner.id, expectVersion: owner.version }];
      for (const entry of Object.values(owner.addresses)) ops.push({ op: 'delete', kind: 'ipam', id: addressClaimId(entry.address) });
      await this.store.commit(ops, { actor: this.actor });
      return taskAddressesView(owner);
    }, this.maxAttempts);
  }

  /**
   * Releases the addresses of tasks that can no longer use them: deleted tasks, and terminal
   * ones unless their container is kept for a rollback (which starts that container again, with
   * its address). For a cleanup loop; returns the task ids released.
   */
  async releaseStaleTaskAddresses(): Promise<string[]> {
    const owners = await this.store.list<TaskAddressesObject>('ipam', { where: { name: taskOwners } });
    const released: string[] = [];
    for (const owner of owners) {
      const task = await this.store.get<TaskObject>('task', owner.taskId);
      if (task && (!isTerminal(task.status.state) || task.keepContainer === true)) continue;
      if ((await this.releaseTaskAddress(owner.taskId)).length > 0) released.push(owner.taskId);
    }
    return released;
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

  async taskAddresses(taskId: string): Promise<TaskAddress[]> {
    const owner = await this.store.get<TaskAddressesObject>('ipam', taskOwnerId(taskId));
    return owner ? taskAddressesView(owner) : [];
  }

  private async loadConfig(): Promise<IpamConfig> {
    const wanted = resolveIpamConfig(this.options.config);
    for (;;) {
      const stored = await this.store.get<IpamConfigObject>('ipam', configId);
      if (stored) {
        for (const key of Object.keys(this.options.config ?? {}) as Array<keyof IpamConfig>) {
          if (stored[key] !== wanted[key]) {
            throw new ShoalError('failed_precondition', `ipam.${key}: the cluster's address plan is fixed at ${String(stored[key])}; cannot change it to ${String(wanted[key])}`, `ipam.${key}`);
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

  /** A free task offset in a range: not the network address, the gateway or the broadcast. */
  private async pickOffset(range: Cidr, attempt: number, exhausted: () => string): Promise<number> {
    const taken = await this.takenIndices(range);
    const offset = choose(freeIndices(taken, firstTaskOffset, sizeOf(range) - 1), attempt);
    if (offset === undefined) throw new ShoalError('resource_exhausted', exhausted());
    return offset;
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
const taskAddressesView = (o: TaskAddressesObject): TaskAddress[] =>
  Object.entries(o.addresses).map(([networkId, e]) => ({ taskId: o.taskId, networkId, nodeId: o.nodeId, ...e }));
