import type { NetworkObject, NodeNetworkPlan } from '../../api/networks.js';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { IpamApi } from '../ipam/ipam-api.js';
import { rangeOwners, type NetworkRangeObject } from '../ipam/ipam-objects.js';
import type { Store } from '../store/store.js';
import { planNodeNetwork, rangesNeeded, type NetworkPlanInput } from './node-network-plan.js';

/** The VXLAN network identifier of the cluster's one overlay (flannel's default is 1 too). */
export const overlayVni = 1;

/**
 * Reads the store once, allocates what the nodes' tasks need (node subnets, network ranges;
 * both idempotent, so a restarted manager hands out the same ones), and makes each node's plan.
 */
export class NetworkPlans {
  constructor(
    private readonly store: Store,
    private readonly ipam: IpamApi,
  ) {}

  async plansFor(nodeIds: readonly string[]): Promise<Map<string, NodeNetworkPlan>> {
    for (const id of nodeIds) await this.ipam.allocateNodeSubnet(id);
    await this.releaseOrphans();
    const [networks, tasks] = await Promise.all([this.store.list<NetworkObject>('network'), this.store.list<TaskObject>('task')]);
    const wanted = new Set(nodeIds);
    const held = await this.ranges();
    for (const need of rangesNeeded({ networks, tasks })) {
      if (!wanted.has(need.nodeId) || held.some((r) => r.networkId === need.networkId && r.nodeId === need.nodeId)) continue;
      await this.ipam.allocateNetworkRange(need.networkId, need.nodeId);
    }
    const [config, nodes, services, subnets, ranges] = await Promise.all([
      this.ipam.config(),
      this.store.list<NodeObject>('node'),
      this.store.list<ServiceObject>('service'),
      this.ipam.listNodeSubnets(),
      this.ranges(),
    ]);
    const input: NetworkPlanInput = { clusterCidr: config.clusterCidr, vni: overlayVni, nodes, subnets, ranges, networks, services, tasks };
    const out = new Map<string, NodeNetworkPlan>();
    for (const id of nodeIds) {
      const plan = planNodeNetwork(id, input);
      if (plan) out.set(id, plan);
    }
    return out;
  }

  /**
   * Gives back the subnets of removed nodes and the ranges of removed networks, whichever path
   * removed them (node rm, network rm, stack rm, env rm). The blocks are read before their
   * owners: a node or network is stored before anything is allocated for it, so a block whose
   * owner is missing from the later read belongs to one that is gone, not to one being made.
   */
  async releaseOrphans(): Promise<{ nodes: string[]; networks: string[] }> {
    const [subnets, ranges] = await Promise.all([this.ipam.listNodeSubnets(), this.ranges()]);
    const [nodes, networks] = await Promise.all([this.store.list<NodeObject>('node'), this.store.list<NetworkObject>('network')]);
    const liveNodes = new Set(nodes.map((n) => n.id));
    const liveNetworks = new Set(networks.map((n) => n.id));
    const goneNodes = [...new Set(subnets.map((s) => s.nodeId).filter((id) => !liveNodes.has(id)))];
    const goneNetworks = [...new Set(ranges.map((r) => r.networkId).filter((id) => !liveNetworks.has(id)))];
    for (const id of goneNodes) await this.ipam.releaseNodeSubnet(id);
    for (const id of goneNetworks) await this.ipam.releaseNetworkRanges(id);
    return { nodes: goneNodes, networks: goneNetworks };
  }

  private async ranges(): Promise<NetworkRangeObject[]> {
    return this.store.list<NetworkRangeObject>('ipam', { where: { name: rangeOwners } });
  }
}
