/**
 * What the overlay programmer is told and what it reads back. The shape follows flannel's vxlan
 * backend: one VXLAN device per node, one subnet per node, and per peer a route, a permanent
 * neighbour entry and an FDB entry, so the kernel encapsulates without learning or flooding.
 */

/** The default UDP port: the Linux kernel's and flannel's (IANA's 4789 also works). */
export const defaultVxlanPort = 8472;
/** IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers. */
export const vxlanOverhead = 50;

export interface OverlayConfig {
  /** This node's address on the underlay: the VTEP's local address and the peers' FDB target. */
  underlayIp: string;
  /** This node's overlay subnet, e.g. `10.240.3.0/24`; its network address goes on the device as /32. */
  subnet: string;
  vni: number;
  /** The VXLAN device name (at most 15 characters), e.g. `shoal.1`. */
  device: string;
  /** UDP port; default 8472. */
  port?: number;
  /** Device MTU; default the underlay interface's MTU minus 50. */
  mtu?: number;
  /** The device's MAC; default the one the kernel picks (see `deriveVtepMac` for a stable one). */
  vtepMac?: string;
}

export interface OverlayPeer {
  nodeId: string;
  underlayIp: string;
  subnet: string;
  /** The MAC of the peer's VXLAN device, as the peer published it. */
  vtepMac: string;
}

/** A peer left out of the programming, and why (bad or conflicting data in the store). */
export interface IgnoredPeer {
  nodeId: string;
  reason: string;
}

/** One `ip` or `bridge` invocation. */
export interface OverlayCommand {
  cmd: 'ip' | 'bridge';
  args: string[];
}

/** The VXLAN device as `ip -j -d link show` describes it. */
export interface ObservedLink {
  kind: string;
  vni?: number;
  port?: number;
  local?: string;
  /** The underlay interface the device is bound to. */
  underlayDevice?: string;
  learning?: boolean;
  mtu: number;
  up: boolean;
  mac: string;
}

export interface ObservedRoute {
  /** Always with a prefix (`10.240.2.0/24`, `10.1.2.3/32`). */
  dst: string;
  gateway?: string;
  onlink: boolean;
}

export interface ObservedNeighbour {
  dst: string;
  lladdr?: string;
  permanent: boolean;
}

export interface ObservedFdbEntry {
  mac: string;
  dst: string;
}

/** Everything on this node the programmer owns, read back before each convergence. */
export interface ObservedOverlay {
  link?: ObservedLink;
  /** IPv4 addresses on the device as `A.B.C.D/P`. */
  addresses: string[];
  routes: ObservedRoute[];
  neighbours: ObservedNeighbour[];
  fdb: ObservedFdbEntry[];
}

/** The underlay interface that holds `underlayIp`. */
export interface UnderlayInterface {
  name: string;
  mtu: number;
}
