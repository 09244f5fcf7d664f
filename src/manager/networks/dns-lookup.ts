import { buildDnsTable } from '../../agent/dns/dns-table.js';
import { invalidArgument } from '../../api/errors.js';
import type { DnsLookupResult, NetworkObject } from '../../api/networks.js';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { resolveService } from '../controlapi/refs.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { dnsViewFor } from '../network-plan/node-network-plan.js';
import type { Store } from '../store/store.js';

/**
 * Resolves a name as the agents' resolvers would for a task of a given service: the same view
 * and the same table code, built from the store, so users can see why a name does (not) resolve.
 */
export class DnsLookup {
  constructor(private readonly store: Store) {}

  async lookup(ctx: RequestContext, name: string | undefined, from: string | undefined): Promise<DnsLookupResult> {
    if (!name) throw invalidArgument('name', 'is required: the name to look up');
    if (!from) throw invalidArgument('from', 'is required: the service whose tasks would ask');
    const service = await resolveService(this.store, ctx.env, from);
    const [services, tasks, networks] = await Promise.all([
      this.store.list<ServiceObject>('service', { env: ctx.env }),
      this.store.list<TaskObject>('task', { env: ctx.env }),
      this.store.list<NetworkObject>('network', { env: ctx.env }),
    ]);
    const table = buildDnsTable(dnsViewFor(ctx.env, { services, tasks, networks }));
    const client = { env: ctx.env, ...(service.stack !== undefined ? { stack: service.stack } : {}) };
    const r = table.resolve(name, client);
    return { name, from: { service: service.name, ...client }, answer: r.kind, addresses: r.kind === 'records' ? r.ips : [] };
  }
}
