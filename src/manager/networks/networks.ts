import { ShoalError } from '../../api/errors.js';
import { createNetworkSchema, defaultNetworkName, type NetworkObject, type NetworkView } from '../../api/networks.js';
import type { ServiceObject } from '../../api/objects.js';
import { parseOrThrow } from '../../api/validation.js';
import { resolveNetwork } from '../controlapi/refs.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { NetworkRange } from '../ipam/ipam-api.js';
import { ConflictError, type Store } from '../store/store.js';
import { defaultNetworkOps, networkCreateOps, networkDeleteOps, newNetworkObject } from './network-object.js';
import { attachedTo } from './network-targets.js';

/** What the network API needs of address management: a network's ranges, to show and to give back. */
export interface NetworkRanges {
  listNetworkRanges(networkId: string): Promise<NetworkRange[]>;
  releaseNetworkRanges(networkId: string): Promise<NetworkRange[]>;
}

export interface NetworkApiOptions {
  store: Store;
  /** Without it, views have no ranges and a removal releases none (tests of the model alone). */
  ranges?: NetworkRanges;
  now?: () => number;
}

/**
 * Networks of an environment: create, list, inspect, remove, and the built-in `default` every
 * environment has. The wiring (bridges, overlay, DNS) is the network planner's and the agents';
 * this is only the model they read.
 */
export class NetworkApi {
  private readonly store: Store;
  private readonly ranges: NetworkRanges | undefined;
  private readonly now: () => number;

  constructor(options: NetworkApiOptions) {
    this.store = options.store;
    this.ranges = options.ranges;
    this.now = options.now ?? Date.now;
  }

  async list(ctx: RequestContext): Promise<NetworkView[]> {
    const [networks, services] = await Promise.all([this.store.list<NetworkObject>('network', { env: ctx.env }), this.services(ctx.env)]);
    return networks.sort(byName).map((n) => view(n, services));
  }

  /** By id, name, or a unique id prefix (3+ characters), within the caller's environment; with its ranges. */
  async get(ctx: RequestContext, ref: string): Promise<NetworkView> {
    const network = await resolveNetwork(this.store, ctx.env, ref);
    const ranges = this.ranges ? await this.ranges.listNetworkRanges(network.id) : [];
    return { ...view(network, await this.services(ctx.env)), ranges: ranges.map((r) => ({ nodeId: r.nodeId, range: r.range, gateway: r.gateway })) };
  }

  async create(ctx: RequestContext, body: unknown): Promise<NetworkView> {
    const input = parseOrThrow(createNetworkSchema, body);
    const time = new Date(this.now()).toISOString();
    const network = newNetworkObject({ env: ctx.env, name: input.name, time, labels: input.labels });
    let revision: number;
    try {
      revision = await this.store.commit(networkCreateOps(network), { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: a network named "${input.name}" already exists in environment "${ctx.env}"`, 'name');
      throw err;
    }
    return view({ ...network, version: revision }, []);
  }

  /**
   * Refused for the built-in network and while a service lists it (its tasks could not be
   * replaced or restarted); then its ranges on every node are given back.
   */
  async remove(ctx: RequestContext, ref: string): Promise<{ id: string; name: string }> {
    const network = await resolveNetwork(this.store, ctx.env, ref);
    if (network.builtIn) {
      throw new ShoalError('failed_precondition', `network "${network.name}" is the environment's built-in network and cannot be removed`);
    }
    const users = (await this.services(ctx.env)).filter((s) => attachedTo(network, s.spec)).map((s) => s.name).sort();
    if (users.length > 0) {
      const one = users.length === 1;
      throw new ShoalError('failed_precondition', `network "${network.name}" is used by ${one ? 'service' : 'services'} ${users.join(', ')}; remove ${one ? 'it' : 'them'} or ${one ? 'its' : 'their'} attachment first`);
    }
    try {
      await this.store.commit(networkDeleteOps(network), { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', 'the network changed while this request ran; retry');
      throw err;
    }
    await this.releaseRanges(network.id);
    return { id: network.id, name: network.name };
  }

  /** After a commit that removed networks (a stack's): their ranges go back to their nodes' pools. */
  async releaseRanges(networkId: string): Promise<void> {
    await this.ranges?.releaseNetworkRanges(networkId);
  }

  /**
   * Gives every environment that lacks one its built-in network: at manager start, for
   * environments made before networks existed (and the first `default`). Idempotent, and safe
   * when several managers start at once: the name claim lets one create win.
   */
  async ensureDefaultNetworks(): Promise<string[]> {
    const created: string[] = [];
    const environments = await this.store.list('environment');
    for (const env of environments.map((e) => e.id).sort()) {
      const [existing] = await this.store.list<NetworkObject>('network', { env, where: { name: defaultNetworkName } });
      if (existing) continue;
      try {
        await this.store.commit(defaultNetworkOps(env, new Date(this.now()).toISOString()), { actor: 'bootstrap' });
        created.push(env);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return created;
  }

  private services(env: string): Promise<ServiceObject[]> {
    return this.store.list<ServiceObject>('service', { env });
  }
}

const byName = (a: NetworkObject, b: NetworkObject): number => a.name.localeCompare(b.name);

export function view(network: NetworkObject, services: ServiceObject[]): NetworkView {
  return { ...network, services: services.filter((s) => attachedTo(network, s.spec)).map((s) => s.name).sort() };
}
