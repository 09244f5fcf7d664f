import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bridgeDeviceName, canCarryOverlay, dockerNetworkName, netfilterTag, type NodeNetworkPlan } from '../../api/networks.js';
import type { Logger } from '../../lib/logger.js';
import { buildDnsTable, type DnsTable } from '../dns/dns-table.js';
import type { DnsClient } from '../../api/dns-view.js';
import type { TaskAddress, TaskObject } from '../../api/objects.js';
import { DnsServer } from '../dns/dns-server.js';
import { NetworkConflictError, type ContainerNetworking, type EngineNetworkSpec, type Executor, type NetworkOwner } from '../exec/executor.js';
import type { IngressPortError, IngressPortStatus } from '../../api/ingress-status.js';
import { IngressProxy, type IngressRuleError } from '../ingress/ingress-proxy.js';
import { checkIptables } from '../netfilter/check-iptables.js';
import { NetfilterProgrammer } from '../netfilter/netfilter-programmer.js';
import type { CommandRunner } from '../overlay/command-runner.js';
import { checkKernelSupport, describeKernelSupport } from '../overlay/kernel-support.js';
import { OverlayProgrammer } from '../overlay/overlay-programmer.js';
import { deriveVtepMac } from '../overlay/vtep-mac.js';
import { resolvConf } from './resolv-conf.js';

export interface NodeNetworkingOptions {
  executor: Executor;
  run: CommandRunner;
  logger: Logger;
  /** Where the tasks' resolv.conf files are written. */
  stateDir: string;
  /** The resolver's port on each network's gateway (default 53: containers cannot be told another). */
  dnsPort?: number;
  /** Where ingress ports listen (default every address). */
  ingressHost?: string;
  /** How long a task waits for its networks before it fails (default 30 s). */
  taskWaitMs?: number;
  /** After each plan's ingress rules are applied: what the ingress proxy serves now. */
  onIngress?: (report: { ports: IngressPortStatus[]; errors: IngressPortError[] }) => void;
}

/** The cluster's one VXLAN device on every node. */
export const overlayDevice = 'shoal.vxlan';

type Waiter = () => void;

/** How soon a plan whose application partly failed is applied again. */
const retryMs = 2000;

/**
 * Everything the node does for its containers' networking, driven by the manager's plan: the
 * engine's bridge networks, the VXLAN overlay, the packet filter rules, one resolver per
 * network gateway and the ingress proxy. Each plan is applied whole, one at a time; a part
 * that fails is logged and retried with the next plan, and never stops the others.
 */
export class NodeNetworking {
  private plan: NodeNetworkPlan | undefined;
  /** The networks the engine has, as of the last sync. */
  private readonly ready = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly dns = new Map<string, DnsServer>();
  private readonly ingress: IngressProxy;
  private readonly netfilter: NetfilterProgrammer;
  private overlay: OverlayProgrammer | undefined;
  private overlaySupported: boolean | undefined;
  private iptablesProblem: string | undefined;
  private owner: NetworkOwner = { nodeId: '', clusterId: '' };
  private applying = false;
  private pending: NodeNetworkPlan | undefined;
  private closed = false;
  private loopbackSaid = false;
  /** Why the engine's networks could not be made on the last try, for the tasks that wait. */
  private syncError: string | undefined;
  /**
   * Networks another network keeps from being made (`NetworkConflictError`), with why: a task
   * on one fails at the first sync that still finds it so, instead of waiting out `taskWaitMs`.
   */
  private readonly conflicts = new Map<string, string>();
  /** Engine syncs finished so far, so a waiting task knows a newer one has been tried. */
  private syncs = 0;
  /** The last conflict logged, so the 2-s retries do not repeat it. */
  private conflictSaid = '';
  private failedSteps = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Who each local task is, for the resolver, from when its container is wired. */
  private readonly localTasks = new Map<string, DnsClient>();
  /**
   * Local containers' addresses, known the moment they start: the manager's next plan names
   * them too, but a container may ask before it arrives.
   */
  private readonly localClients = new Map<string, DnsClient>();

  constructor(private readonly options: NodeNetworkingOptions) {
    this.ingress = new IngressProxy({ host: options.ingressHost ?? '0.0.0.0', logger: options.logger });
    this.netfilter = new NetfilterProgrammer(options.run);
  }

  /** Checks once what this node can do, and says clearly what it cannot. */
  async init(owner: NetworkOwner): Promise<void> {
    this.owner = owner;
    const { logger, run } = this.options;
    const kernel = await checkKernelSupport(run);
    this.overlaySupported = kernel.ok;
    if (kernel.ok) logger.info({ warnings: kernel.warnings }, describeKernelSupport(kernel));
    else logger.error(describeKernelSupport(kernel));
    this.iptablesProblem = await checkIptables(run);
    if (this.iptablesProblem) logger.error(`networking: containers on other nodes cannot reach this node's containers: ${this.iptablesProblem}`);
  }

  /** Takes the manager's newest plan; plans arriving while one is applied collapse into the last. */
  apply(plan: NodeNetworkPlan): void {
    this.pending = plan;
    if (this.applying) return;
    this.applying = true;
    void this.drain().finally(() => (this.applying = false));
  }

  /**
   * The task's networks and resolver, once the engine has the networks. Fails after
   * `taskWaitMs` when the manager has not planned them (the task then fails and is retried).
   */
  async forTask(task: TaskObject): Promise<ContainerNetworking> {
    const deadline = Date.now() + (this.options.taskWaitMs ?? 30_000);
    const syncsBefore = this.syncs;
    for (;;) {
      const wiring = await this.wiring(task);
      if (wiring) return wiring;
      const conflict = this.syncs > syncsBefore ? this.conflictOf(task) : undefined;
      if (conflict) throw new Error(conflict);
      if (Date.now() >= deadline || this.closed) {
        if (!this.plan?.tasks[task.id]) throw new Error('the manager has not sent its networks');
        throw new Error(`its networks are not ready on this node${this.syncError ? `: ${this.syncError}` : ''}`);
      }
      await this.nextChange(Math.min(1000, deadline - Date.now()));
    }
  }

  /** A local task's container started with these addresses. */
  started(taskId: string, addresses: readonly TaskAddress[]): void {
    const client = this.localTasks.get(taskId);
    if (!client) return;
    for (const a of addresses) this.localClients.set(a.ip, client);
  }

  /** Deletes a removed task's resolv.conf. */
  async forget(taskId: string): Promise<void> {
    this.localTasks.delete(taskId);
    for (const [ip, client] of this.localClients) if (client.taskId === taskId) this.localClients.delete(ip);
    await rm(this.resolvPath(taskId), { force: true });
  }

  /**
   * Stops the resolvers and the ingress (they live in this process). The engine's networks, the
   * overlay and the packet filter rules stay, as the containers do: tasks on other nodes keep
   * reaching them, and the next agent converges the same rules again.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const w of this.waiters) w();
    await this.ingress.close();
    await Promise.all([...this.dns.values()].map((d) => d.close()));
    this.dns.clear();
  }

  private async wiring(task: TaskObject): Promise<ContainerNetworking | undefined> {
    const plan = this.plan;
    const attachments = plan?.tasks[task.id];
    if (!plan || !attachments || attachments.length === 0) return undefined;
    if (!attachments.every((a) => this.ready.has(dockerNetworkName(a.networkId)))) return undefined;
    const primary = plan.networks.find((n) => n.id === attachments[0]?.networkId);
    if (!primary) return undefined;
    const stack = plan.dns.services.find((s) => s.tasks.some((t) => t.id === task.id))?.stack;
    this.localTasks.set(task.id, { env: task.env, taskId: task.id, ...(stack !== undefined ? { stack } : {}) });
    const path = this.resolvPath(task.id);
    // The folder is private; resolv.conf itself is 0644: the container's user reads it.
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    await writeFile(path, resolvConf(primary.gateway, task.env, stack), { mode: 0o644 });
    return { networks: attachments.map((a) => ({ name: dockerNetworkName(a.networkId), aliases: a.aliases })), resolvConf: path };
  }

  /** Why one of the task's networks cannot be made on this node, if that is what it waits for. */
  private conflictOf(task: TaskObject): string | undefined {
    for (const a of this.plan?.tasks[task.id] ?? []) {
      const name = dockerNetworkName(a.networkId);
      const why = this.conflicts.get(name);
      if (why) return `network ${name}: ${why}`;
    }
    return undefined;
  }

  private resolvPath(taskId: string): string {
    return join(this.options.stateDir, `${taskId}.resolv.conf`);
  }

  private nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(10, ms));
      this.waiters.add(done);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.closed) {
      const plan = this.pending;
      this.pending = undefined;
      this.plan = plan;
      this.failedSteps = 0;
      await this.converge(plan);
      this.notify();
      // A part that failed is tried again even when no new plan comes (e.g. the engine was busy).
      if (this.failedSteps > 0 && !this.pending && !this.closed) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          if (this.plan === plan && !this.pending) this.apply(plan);
        }, retryMs);
        this.retryTimer.unref();
      }
    }
  }

  private async step(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.failedSteps++;
      this.options.logger.warn({ err }, `networking: ${what} failed; tried again in ${retryMs / 1000} s or with the next plan`);
    }
  }

  private async converge(plan: NodeNetworkPlan): Promise<void> {
    const { executor } = this.options;
    const wanted: EngineNetworkSpec[] = plan.networks.map((n) => ({ name: dockerNetworkName(n.id), networkId: n.id, bridge: bridgeDeviceName(n.id), subnet: n.range, gateway: n.gateway }));
    await this.step('syncing the engine networks', async () => {
      try {
        const { leftoversRemoved } = await executor.syncNetworks(wanted, this.owner);
        for (const n of leftoversRemoved) this.options.logger.info(`networking: removed network ${n}, left by another Shoal node or cluster in the way of this node's, used by no container`);
        this.syncError = undefined;
        this.conflicts.clear();
        this.conflictSaid = '';
      } catch (err) {
        this.syncError = err instanceof Error ? err.message : String(err);
        this.conflicts.clear();
        if (err instanceof NetworkConflictError) {
          // Every other network was made: tasks on those go on.
          for (const c of err.conflicts) this.conflicts.set(c.name, c.message);
          this.ready.clear();
          for (const w of wanted) if (!this.conflicts.has(w.name)) this.ready.add(w.name);
          if (this.conflictSaid !== err.message) this.options.logger.error(`networking: ${err.message}`);
          this.conflictSaid = err.message;
          // Not a failed step to warn about every 2 s: said once above, and tried again all the same.
          this.failedSteps++;
          return;
        }
        throw err;
      } finally {
        this.syncs++;
      }
      this.ready.clear();
      for (const w of wanted) this.ready.add(w.name);
    });
    // Tasks waiting for their networks go on while the rest is programmed.
    this.notify();
    const overlay = await this.convergeOverlay(plan);
    if (!this.iptablesProblem) {
      await this.step('programming the packet filter', () =>
        this.netfilter.converge({
          tag: netfilterTag(this.owner.nodeId),
          clusterCidr: plan.clusterCidr,
          nodeSubnet: plan.nodeSubnet,
          ...(overlay ? { overlayDevice } : {}),
          bridges: plan.networks.map((n) => ({ device: bridgeDeviceName(n.id), allowedSources: n.peerRanges })),
          peerNodeAddresses: plan.peers.map((p) => p.nodeAddress),
        }),
      );
    }
    await this.step('updating the resolvers', () => this.convergeDns(plan));
    await this.step('updating the ingress', async () => {
      const { errors } = await this.ingress.setRules(plan.ingress);
      for (const e of errors) this.options.logger.error({ port: e.port, protocol: e.protocol }, `ingress: cannot answer the published port: ${e.message}`);
      this.options.onIngress?.({ ports: this.ingress.bound(), errors: errors.flatMap((e) => (isPublishable(e) ? [{ protocol: e.protocol, port: e.port, message: e.message }] : [])) });
    });
  }

  /** True when the overlay is up on this node. */
  private async convergeOverlay(plan: NodeNetworkPlan): Promise<boolean> {
    if (!this.overlaySupported) return false;
    if (!canCarryOverlay(plan.underlayIp)) {
      // The manager reaches this node over loopback: it shares the manager's host, and other
      // hosts could not reach it at that address, so it carries no overlay.
      if (!this.loopbackSaid) this.options.logger.info({ address: plan.underlayIp }, 'overlay: not programmed: the manager sees this node at a loopback address, so no other host can reach it');
      this.loopbackSaid = true;
      return false;
    }
    let up = false;
    await this.step('programming the overlay', async () => {
      this.overlay ??= new OverlayProgrammer({ underlayIp: plan.underlayIp, subnet: plan.nodeSubnet, vni: plan.vni, device: overlayDevice, vtepMac: deriveVtepMac(this.owner.nodeId) }, this.options.run);
      const result = await this.overlay.converge(plan.peers.map((p) => ({ nodeId: p.nodeId, underlayIp: p.underlayIp, subnet: p.subnet, vtepMac: p.vtepMac })));
      for (const p of result.ignoredPeers) this.options.logger.warn({ nodeId: p.nodeId }, `overlay: peer left out: ${p.reason}`);
      up = true;
    });
    return up;
  }

  private async convergeDns(plan: NodeNetworkPlan): Promise<void> {
    const built = buildDnsTable(plan.dns);
    const table: DnsTable = { clientFor: (ip) => built.clientFor(ip) ?? this.localClients.get(ip), resolve: (name, client) => built.resolve(name, client) };
    const gateways = new Set(plan.networks.map((n) => n.gateway));
    for (const [address, server] of this.dns) {
      if (gateways.has(address)) continue;
      this.dns.delete(address);
      await server.close();
    }
    const failures: string[] = [];
    for (const address of gateways) {
      let server = this.dns.get(address);
      if (!server) {
        const candidate = new DnsServer({ address, port: this.options.dnsPort ?? 53, log: this.options.logger });
        try {
          await candidate.start();
          server = candidate;
          this.dns.set(address, server);
        } catch (err) {
          failures.push(`${address}: ${(err as Error).message}`);
          continue;
        }
      }
      server.setTable(table);
    }
    if (failures.length > 0) throw new Error(`resolver could not listen on ${failures.join('; ')}`);
  }
}

/** An error about a port a plan could name (a malformed rule's may not be, and is only logged). */
function isPublishable(e: IngressRuleError): e is IngressRuleError & { protocol: 'tcp' | 'udp' } {
  return (e.protocol === 'tcp' || e.protocol === 'udp') && Number.isInteger(e.port) && e.port >= 1 && e.port <= 65535;
}
