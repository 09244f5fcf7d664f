import type { Ipv4Subnet } from './ipv4.js';
import { formatSubnet, isIpv4, parseSubnet, subnetsOverlap } from './ipv4.js';
import type { IgnoredPeer, ObservedLink, ObservedOverlay, OverlayCommand, OverlayPeer } from './overlay-types.js';
import { isUnicastMac, normaliseMac } from './vtep-mac.js';

/**
 * The pure half of the overlay: what is on the node (read back with `ip -j`) + this node's
 * settings + the peers from the store → the `ip`/`bridge` commands that make the first match
 * the rest. Converging from what is there, rather than re-adding everything, makes each call
 * cheap when nothing changed and removes what a vanished peer left behind.
 */

/** This node's settings with the defaults filled in and the underlay interface found. */
export interface LocalOverlay {
  device: string;
  vni: number;
  port: number;
  underlayIp: string;
  underlayDevice: string;
  mtu: number;
  subnet: Ipv4Subnet;
  vtepMac?: string;
}

export interface AcceptedPeer {
  nodeId: string;
  underlayIp: string;
  subnet: Ipv4Subnet;
  vtepMac: string;
}

export interface OverlayPlan {
  commands: OverlayCommand[];
  /** The device is (re)created by this plan. */
  createsDevice: boolean;
  peers: AcceptedPeer[];
  ignoredPeers: IgnoredPeer[];
}

/**
 * Checks each peer and drops the ones that cannot be programmed safely, so one bad record in
 * the store does not cut the node off from every other peer. Peers are taken in node-id order,
 * so which of two conflicting peers wins does not depend on the order the store listed them.
 * This node itself (same subnet and underlay address) may be in the list and is skipped quietly.
 */
export function acceptPeers(local: LocalOverlay, peers: readonly OverlayPeer[]): { peers: AcceptedPeer[]; ignoredPeers: IgnoredPeer[] } {
  const accepted: AcceptedPeer[] = [];
  const ignoredPeers: IgnoredPeer[] = [];
  const sorted = [...peers].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  for (const p of sorted) {
    const ignore = (reason: string): void => void ignoredPeers.push({ nodeId: p.nodeId, reason });
    let subnet: Ipv4Subnet;
    try {
      subnet = parseSubnet(p.subnet);
    } catch (err) {
      ignore(`subnet: ${(err as Error).message}`);
      continue;
    }
    if (!isIpv4(p.underlayIp)) {
      ignore(`underlayIp: not an IPv4 address: ${p.underlayIp}`);
      continue;
    }
    if (formatSubnet(subnet) === formatSubnet(local.subnet) && p.underlayIp === local.underlayIp) continue;
    const mac = normaliseMac(p.vtepMac);
    if (mac === undefined || !isUnicastMac(mac) || mac === '00:00:00:00:00:00') {
      ignore(`vtepMac: not a unicast MAC address: ${p.vtepMac}`);
      continue;
    }
    if (p.underlayIp === local.underlayIp) {
      ignore(`underlayIp: ${p.underlayIp} is this node's own underlay address`);
      continue;
    }
    if (subnetsOverlap(subnet, local.subnet)) {
      ignore(`subnet: ${formatSubnet(subnet)} overlaps this node's subnet ${formatSubnet(local.subnet)}`);
      continue;
    }
    const clash = accepted.find((a) => subnetsOverlap(a.subnet, subnet) || a.underlayIp === p.underlayIp || a.vtepMac === mac);
    if (clash) {
      ignore(`conflicts with node ${clash.nodeId} (same or overlapping subnet, underlay address or VTEP MAC)`);
      continue;
    }
    accepted.push({ nodeId: p.nodeId, underlayIp: p.underlayIp, subnet, vtepMac: mac });
  }
  return { peers: accepted, ignoredPeers };
}

/** Why the existing device cannot be kept (settings that `ip link set` cannot change), if so. */
export function linkMismatch(local: LocalOverlay, link: ObservedLink): string | undefined {
  if (link.kind !== 'vxlan') return `is a ${link.kind || 'non-VXLAN'} device`;
  if (link.vni !== local.vni) return `has VNI ${link.vni}, want ${local.vni}`;
  if (link.port !== local.port) return `has UDP port ${link.port}, want ${local.port}`;
  if (link.local !== local.underlayIp) return `has local address ${link.local ?? 'none'}, want ${local.underlayIp}`;
  if (link.underlayDevice !== local.underlayDevice) return `is bound to ${link.underlayDevice ?? 'no device'}, want ${local.underlayDevice}`;
  if (link.learning !== false) return 'has learning on';
  // A VXLAN device's MAC cannot be changed while it is up; recreating is simpler and rare.
  if (local.vtepMac !== undefined && link.mac !== local.vtepMac) return `has MAC ${link.mac}, want ${local.vtepMac}`;
  return undefined;
}

const ip = (...args: (string | number)[]): OverlayCommand => ({ cmd: 'ip', args: args.map(String) });
const bridge = (...args: (string | number)[]): OverlayCommand => ({ cmd: 'bridge', args: args.map(String) });

export function planOverlay(local: LocalOverlay, peerList: readonly OverlayPeer[], observed: ObservedOverlay): OverlayPlan {
  const { peers, ignoredPeers } = acceptPeers(local, peerList);
  const dev = local.device;
  const commands: OverlayCommand[] = [];
  let current = observed;
  let createsDevice = false;

  if (!current.link || linkMismatch(local, current.link) !== undefined) {
    if (current.link) commands.push(ip('link', 'del', dev));
    commands.push(
      ip('link', 'add', dev, ...(local.vtepMac ? ['address', local.vtepMac] : []), 'mtu', local.mtu, 'type', 'vxlan', 'id', local.vni,
        'local', local.underlayIp, 'dev', local.underlayDevice, 'dstport', local.port, 'nolearning'),
    );
    createsDevice = true;
    // A new device has nothing on it; the MAC is the one asked for or unknown (no check needs it).
    current = { link: { kind: 'vxlan', mtu: local.mtu, up: false, mac: local.vtepMac ?? '' }, addresses: [], routes: [], neighbours: [], fdb: [] };
  }
  const link = current.link as ObservedLink;

  if (link.mtu !== local.mtu) commands.push(ip('link', 'set', 'dev', dev, 'mtu', local.mtu));
  // flannel's scheme: the subnet's network address as a /32, used as this node's next hop.
  const address = `${local.subnet.network}/32`;
  for (const a of current.addresses) if (a !== address) commands.push(ip('addr', 'del', a, 'dev', dev));
  if (!current.addresses.includes(address)) commands.push(ip('addr', 'add', address, 'dev', dev));
  if (!link.up) commands.push(ip('link', 'set', 'dev', dev, 'up'));

  const wantRoute = new Map(peers.map((p) => [formatSubnet(p.subnet), p.subnet.network]));
  const wantNeigh = new Map(peers.map((p) => [p.subnet.network, p.vtepMac]));
  const wantFdb = new Map(peers.map((p) => [p.vtepMac, p.underlayIp]));

  // Stale entries first, so that a subnet moving between peers never has two answers at once.
  for (const r of current.routes) if (!wantRoute.has(r.dst)) commands.push(ip('route', 'del', r.dst, 'dev', dev));
  for (const n of current.neighbours) if (!wantNeigh.has(n.dst)) commands.push(ip('neigh', 'del', n.dst, 'dev', dev));
  for (const f of current.fdb) if (wantFdb.get(f.mac) !== f.dst) commands.push(bridge('fdb', 'del', f.mac, 'dev', dev, 'dst', f.dst));

  // Then what is missing or different, in the order a packet needs them: FDB, neighbour, route.
  for (const [mac, dst] of wantFdb) {
    if (!current.fdb.some((f) => f.mac === mac && f.dst === dst)) commands.push(bridge('fdb', 'replace', mac, 'dev', dev, 'dst', dst, 'self', 'permanent'));
  }
  for (const [dst, mac] of wantNeigh) {
    if (!current.neighbours.some((n) => n.dst === dst && n.lladdr === mac && n.permanent)) commands.push(ip('neigh', 'replace', dst, 'lladdr', mac, 'dev', dev, 'nud', 'permanent'));
  }
  for (const [dst, gateway] of wantRoute) {
    if (!current.routes.some((r) => r.dst === dst && r.gateway === gateway && r.onlink)) commands.push(ip('route', 'replace', dst, 'via', gateway, 'dev', dev, 'onlink'));
  }
  return { commands, createsDevice, peers, ignoredPeers };
}
