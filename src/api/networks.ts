import { z } from 'zod';
import { labelMapSchema } from './bounded.js';
import type { DnsView } from './dns-view.js';
import { nameSchema } from './service-spec.js';

/**
 * A network: containers of the tasks attached to it reach each other directly by address, on
 * any node (over the VXLAN overlay), and nothing else reaches them from other nodes. Every
 * environment has a built-in network `default`, which every task joins; a stack gets
 * `STACK_default` and one network per network its compose file declares (`STACK_NAME`);
 * `shoal network create` adds more. Names are unique within an environment.
 */
export interface NetworkObject {
  id: string;
  env: string;
  version: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  labels: Record<string, string>;
  /** The stack that made it (and removes it with the stack). */
  stack?: string;
  /** The environment's own network: never removed while the environment exists. */
  builtIn?: boolean;
}

/** The network every task of an environment joins. */
export const defaultNetworkName = 'default';

/** A service's attachment as the client sends it: `target` names a network of the environment. */
export interface NetworkAttachmentSpec {
  target: string;
  /** More names the service answers to, for tasks on this network's environment and stack. */
  aliases?: string[];
}

/** One network a task's container joins on its node, as the agent is told. */
export interface TaskNetworkAttachment {
  networkId: string;
  aliases: string[];
}

/** A network that has tasks on the node: the agent keeps a Docker bridge network for it. */
export interface PlannedNetwork {
  id: string;
  name: string;
  env: string;
  stack?: string;
  /** This network's range on this node: the bridge's subnet. */
  range: string;
  /** The bridge's own address: the containers' gateway and DNS server. */
  gateway: string;
  /**
   * The ranges of this network's environment on every other node: the only sources let into its
   * bridge from the overlay (a container on several networks leaves through any of them).
   */
  peerRanges: string[];
}

export interface OverlayPeerPlan {
  nodeId: string;
  underlayIp: string;
  /** The peer's node subnet: routed over the VXLAN device to `underlayIp`. */
  subnet: string;
  /** The peer's own overlay address (first of its subnet): the source of its ingress traffic. */
  nodeAddress: string;
  vtepMac: string;
}

/** A port published in ingress mode: answered on every node of the environment. */
export interface IngressRule {
  serviceId: string;
  serviceName: string;
  protocol: 'tcp' | 'udp';
  port: number;
  targetPort: number;
  /** Addresses of the service's running and healthy tasks, on any node. */
  backends: string[];
}

/**
 * Everything an agent needs to wire its containers: sent by the manager (message `network`)
 * whenever it changes for the node.
 */
export interface NodeNetworkPlan {
  clusterCidr: string;
  /** This node's subnet and its own overlay address in it. */
  nodeSubnet: string;
  nodeAddress: string;
  /** The node's address on the underlay as the manager sees it (loopback: no overlay). */
  underlayIp: string;
  vni: number;
  peers: OverlayPeerPlan[];
  networks: PlannedNetwork[];
  /** Per task assigned to this node: the networks its container joins, the first its primary. */
  tasks: Record<string, TaskNetworkAttachment[]>;
  /** The node environment's names. */
  dns: DnsView;
  ingress: IngressRule[];
}

/** The engine's name of a network's bridge network on every node: unique per cluster, stable. */
export function dockerNetworkName(networkId: string): string {
  return `shoal-${networkId}`;
}

/** The Linux bridge of that network (at most 15 characters). */
export function bridgeDeviceName(networkId: string): string {
  return `shl-${networkId.slice(0, 11).toLowerCase()}`;
}

/** `POST /v1/networks`: a network of the caller's environment. */
export const createNetworkSchema = z.strictObject({
  name: nameSchema,
  labels: labelMapSchema.default({}),
});
export type CreateNetworkRequest = z.input<typeof createNetworkSchema>;

/** A network's range on one node, as IPAM allocated it when a task of the network ran there. */
export interface NetworkRangeView {
  nodeId: string;
  range: string;
  gateway: string;
}

/** What the API answers for a network. */
export interface NetworkView extends NetworkObject {
  /** Names of the environment's services attached to it (for `default`: every service). */
  services: string[];
  /** Only in `GET /v1/networks/:ref`: its ranges, one per node it has tasks on (or had). */
  ranges?: NetworkRangeView[];
}

/** `GET /v1/dns/lookup?name=NAME&from=SERVICE`: what a task of SERVICE would be answered. */
export interface DnsLookupResult {
  name: string;
  from: { service: string; env: string; stack?: string };
  /** `records`: a Shoal name (maybe with no live task); `nxdomain`: under shoal.internal, unknown here; `forward`: sent to the host's resolver. */
  answer: 'records' | 'nxdomain' | 'forward';
  addresses: string[];
}

/**
 * Whether other hosts can reach a node at this underlay address: an IPv4 address that is not
 * loopback (a node the manager sees over loopback shares its host and carries no overlay).
 */
export function canCarryOverlay(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !ip.startsWith('127.');
}

/** The tag of a node's packet filter chains (`SHOAL-FWD-<tag>`, `SHOAL-POST-<tag>`). */
export function netfilterTag(nodeId: string): string {
  return nodeId.slice(0, 8);
}
