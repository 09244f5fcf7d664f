import type { NetworkObject, NodeNetworkPlan } from '../../api/networks.js';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { IpamApi, NodeSubnet } from '../ipam/ipam-api.js';
import { rangeOwners, type NetworkRangeObject } from '../ipam/ipam-objects.js';
import type { Change, Store } from '../store/store.js';
import { changesNetworkPlans, planNodeNetworks, rangesNeeded } from './node-network-plan.js';

/** The VXLAN network identifier of the cluster's one overlay (flannel's default is 1 too). */
export const overlayVni = 1;

/**
 * Reads the store once per round, keeps IPAM in step with it and makes the nodes' plans:
 * allocates what the nodes' tasks need (node subnets, network ranges; both idempotent, so a
 * restarted manager hands out the same ones) and gives back the subnets of removed nodes and
 * the ranges of removed networks, whichever path removed them (node rm and env rm release
 * nothing themselves; network rm and stack rm already have).
 */
export class NetworkPlans {
  constructor(
    private readonly store: Store,
    private readonly ipam: IpamApi,
  ) {}

  affectedBy(change: Change): boolean {
    return changesNetworkPlans(change);
  }

  async plansFor(nodeIds: readonly string[]): Promise<Map<string, NodeNetworkPlan>> {
    for (const id of nodeIds) await this.ipam.allocateNodeSubnet(id);
    // Blocks before their owners: a node or network is stored before anything is allocated for
    // it, so a block whose owner is missing from the later read belongs to one that is gone.
    let [subnets, ranges] = await this.blocks();
    const [nodes, networks, services, tasks, config] = await Promise.all([
      this.store.list<NodeObject>('node'),
      this.store.list<NetworkObject>('network'),
      this.store.list<ServiceObject>('service'),
      this.store.list<TaskObject>('task'),
      this.ipam.config(),
    ]);
    let changed = await this.releaseOrphans(subnets, ranges, nodes, networks);
    const wanted = new Set(nodeIds);
    for (const need of rangesNeeded({ networks, tasks })) {
      if (!wanted.has(need.nodeId) || ranges.some((r) => r.networkId === need.networkId && r.nodeId === need.nodeId)) continue;
      await this.ipam.allocateNetworkRange(need.networkId, need.nodeId);
      changed = true;
    }
    if (changed) [subnets, ranges] = await this.blocks();
    return planNodeNetworks(nodeIds, { clusterCidr: config.clusterCidr, vni: overlayVni, nodes, subnets, ranges, networks, services, tasks });
  }

  private async releaseOrphans(subnets: NodeSubnet[], ranges: NetworkRangeObject[], nodes: NodeObject[], networks: NetworkObject[]): Promise<boolean> {
    const liveNodes = new Set(nodes.map((n) => n.id));
    const liveNetworks = new Set(networks.map((n) => n.id));
    const goneNodes = new Set(subnets.map((s) => s.nodeId).filter((id) => !liveNodes.has(id)));
    const goneNetworks = new Set(ranges.map((r) => r.networkId).filter((id) => !liveNetworks.has(id)));
    for (const id of goneNodes) await this.ipam.releaseNodeSubnet(id);
    for (const id of goneNetworks) await this.ipam.releaseNetworkRanges(id);
    return goneNodes.size + goneNetworks.size > 0;
  }

  private blocks(): Promise<[NodeSubnet[], NetworkRangeObject[]]> {
    return Promise.all([this.ipam.listNodeSubnets(), this.store.list<NetworkRangeObject>('ipam', { where: { name: rangeOwners } })]);
  }
}
