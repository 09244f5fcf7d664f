import type { CommandRunner } from './command-runner.js';
import { CommandFailedError } from './command-runner.js';
import { findInterfaceWithAddress, parseFdb, parseIpv4Addresses, parseLink, parseNeighbours, parseRoutes } from './ip-json.js';
import { formatSubnet, isIpv4, parseSubnet } from './ipv4.js';
import type { LocalOverlay } from './overlay-plan.js';
import { planOverlay } from './overlay-plan.js';
import type { IgnoredPeer, ObservedOverlay, OverlayCommand, OverlayConfig, OverlayPeer } from './overlay-types.js';
import { defaultVxlanPort, vxlanOverhead } from './overlay-types.js';
import { isUnicastMac, normaliseMac } from './vtep-mac.js';

export interface ConvergeResult {
  /** The commands that changed something; empty when the node already matched. */
  commands: OverlayCommand[];
  ignoredPeers: IgnoredPeer[];
  /** What peers need to reach this node: publish it with the node. */
  vtep: { underlayIp: string; subnet: string; vtepMac: string };
}

/**
 * Programs this node's part of the VXLAN overlay with the kernel's own tools, as flannel's vxlan
 * backend does: one device, no learning, and static route + neighbour + FDB entries per peer.
 * Each `converge(peers)` reads the node's state back and runs only the difference, so it is
 * safe to call on every store change and after a crash part-way through.
 */
export class OverlayProgrammer {
  private readonly run: CommandRunner;
  private readonly config: OverlayConfig;
  // Calls are chained so two store changes in quick succession never interleave commands.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(config: OverlayConfig, run: CommandRunner) {
    validateConfig(config);
    this.config = { ...config, ...(config.vtepMac !== undefined ? { vtepMac: config.vtepMac.toLowerCase() } : {}) };
    this.run = run;
  }

  get device(): string {
    return this.config.device;
  }

  converge(peers: readonly OverlayPeer[]): Promise<ConvergeResult> {
    return this.serialise(async () => {
      const local = await this.resolveLocal();
      const plan = planOverlay(local, peers, await this.observe());
      for (const c of plan.commands) await this.exec(c);
      const mac = local.vtepMac ?? (await this.readLink())?.mac ?? '';
      return { commands: plan.commands, ignoredPeers: plan.ignoredPeers, vtep: { underlayIp: local.underlayIp, subnet: formatSubnet(local.subnet), vtepMac: mac } };
    });
  }

  /** Removes the device, and with it every route, neighbour and FDB entry on it. */
  teardown(): Promise<void> {
    return this.serialise(async () => {
      if ((await this.readLink()) !== undefined) await this.exec({ cmd: 'ip', args: ['link', 'del', this.config.device] });
    });
  }

  /** Reads back what the node has now (for tests and diagnostics). */
  async observe(): Promise<ObservedOverlay> {
    const dev = this.config.device;
    const link = await this.readLink();
    if (!link) return { addresses: [], routes: [], neighbours: [], fdb: [] };
    const [addresses, routes, neighbours, fdb] = await Promise.all([
      this.run('ip', ['-j', 'addr', 'show', 'dev', dev]).then(parseIpv4Addresses),
      this.run('ip', ['-j', '-4', 'route', 'show', 'dev', dev]).then(parseRoutes),
      this.run('ip', ['-j', '-4', 'neigh', 'show', 'dev', dev]).then(parseNeighbours),
      this.run('bridge', ['-j', 'fdb', 'show', 'dev', dev]).then(parseFdb),
    ]);
    return { link, addresses, routes, neighbours, fdb };
  }

  private async readLink(): Promise<ObservedOverlay['link']> {
    try {
      return parseLink(await this.run('ip', ['-j', '-d', 'link', 'show', 'dev', this.config.device]));
    } catch (err) {
      // The only expected failure: the device is not there yet.
      if (err instanceof CommandFailedError && /does not exist|Cannot find device/i.test(err.stderr)) return undefined;
      throw err;
    }
  }

  private async resolveLocal(): Promise<LocalOverlay> {
    const c = this.config;
    const underlay = findInterfaceWithAddress(await this.run('ip', ['-j', 'addr', 'show']), c.underlayIp);
    if (!underlay) throw new Error(`overlay: no interface has the underlay address ${c.underlayIp}`);
    return {
      device: c.device,
      vni: c.vni,
      port: c.port ?? defaultVxlanPort,
      underlayIp: c.underlayIp,
      underlayDevice: underlay.name,
      mtu: c.mtu ?? underlay.mtu - vxlanOverhead,
      subnet: parseSubnet(c.subnet),
      ...(c.vtepMac !== undefined ? { vtepMac: c.vtepMac } : {}),
    };
  }

  private async exec(c: OverlayCommand): Promise<void> {
    await this.run(c.cmd, c.args);
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Refuses settings that could never work, naming the field, before any command runs. */
export function validateConfig(c: OverlayConfig): void {
  if (!isIpv4(c.underlayIp)) throw new Error(`overlay config underlayIp: not an IPv4 address: ${c.underlayIp}`);
  try {
    parseSubnet(c.subnet);
  } catch (err) {
    throw new Error(`overlay config subnet: ${(err as Error).message}`);
  }
  if (!Number.isInteger(c.vni) || c.vni < 1 || c.vni > 0xffffff) throw new Error(`overlay config vni: must be an integer 1-16777215: ${c.vni}`);
  // Names the kernel accepts and that cannot be taken for an option by `ip`.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(c.device)) throw new Error(`overlay config device: not a valid interface name (1-15 of A-Z a-z 0-9 _ . -): ${c.device}`);
  if (c.port !== undefined && (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535)) throw new Error(`overlay config port: must be 1-65535: ${c.port}`);
  if (c.mtu !== undefined && (!Number.isInteger(c.mtu) || c.mtu < 576 || c.mtu > 65535)) throw new Error(`overlay config mtu: must be 576-65535: ${c.mtu}`);
  if (c.vtepMac !== undefined) {
    const mac = normaliseMac(c.vtepMac);
    if (mac === undefined || !isUnicastMac(mac)) throw new Error(`overlay config vtepMac: not a unicast MAC address: ${c.vtepMac}`);
  }
}
