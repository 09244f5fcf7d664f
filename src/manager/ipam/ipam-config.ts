import { z } from 'zod';
import { parseOrThrow } from '../../api/validation.js';
import { parseCidr } from '../../lib/cidr.js';

/**
 * The address plan. One subnet per node, as flannel's vxlan backend has it, so a route per
 * node (over the VXLAN device) reaches every container of that node whatever its network.
 * Inside a node's subnet, each (network, node) pair gets its own range: the Docker bridge
 * network of that network on that node, so networks are separated on the node by being
 * different bridges and different ranges.
 *
 * Defaults: cluster 10.240.0.0/12 → 256 node subnets of /20 (4,096 addresses) → 64 ranges of
 * /26 each, the first kept for the node itself (its VXLAN device address, like flannel's
 * `x.y.z.0`), so 63 networks per node, and 61 task addresses per range (network address,
 * gateway and broadcast are not handed out). That meets ≥ 250 nodes and ≥ 50 networks per
 * node; a cluster needing other trade-offs sets the three numbers before the first allocation
 * (they are fixed from then on: stored in the `ipam/config` object).
 *
 * The other plan considered, a /16 per network split into /24 per node, needs a route per
 * (network, node) pair and gives a /12 only 16 networks.
 */
export interface IpamConfig {
  /** The block every overlay address comes from. */
  clusterCidr: string;
  /** Prefix length of each node's subnet. */
  nodeSubnetPrefix: number;
  /** Prefix length of each (network, node) range inside a node's subnet. */
  networkRangePrefix: number;
}

export const defaultIpamConfig: IpamConfig = {
  clusterCidr: '10.240.0.0/12',
  nodeSubnetPrefix: 20,
  networkRangePrefix: 26,
};

const ipamConfigSchema = z
  .strictObject({
    clusterCidr: z.string().refine((s) => parseCidr(s) !== undefined, 'must be an IPv4 block such as 10.240.0.0/12, without host bits'),
    nodeSubnetPrefix: z.number().int().min(1).max(29),
    // A range needs a network address, a gateway, at least one task address and a broadcast.
    networkRangePrefix: z.number().int().min(2).max(30),
  })
  .superRefine((c, ctx) => {
    const cluster = parseCidr(c.clusterCidr);
    if (cluster && c.nodeSubnetPrefix <= cluster.prefix) {
      ctx.addIssue({ code: 'custom', path: ['nodeSubnetPrefix'], message: `must be longer than the cluster CIDR's /${cluster.prefix}` });
    }
    // The first range of each node subnet is kept for the node, so a subnet holds at least two.
    if (c.networkRangePrefix <= c.nodeSubnetPrefix) {
      ctx.addIssue({ code: 'custom', path: ['networkRangePrefix'], message: `must be longer than nodeSubnetPrefix (/${c.nodeSubnetPrefix})` });
    }
  });

/** The defaults overridden by `partial`, checked; a bad value is an error naming its field. */
export function resolveIpamConfig(partial: Partial<IpamConfig> = {}): IpamConfig {
  return parseOrThrow(ipamConfigSchema, { ...defaultIpamConfig, ...partial }, 'ipam');
}
