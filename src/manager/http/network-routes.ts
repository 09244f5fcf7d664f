import type { DnsLookup } from '../networks/dns-lookup.js';
import type { NetworkApi } from '../networks/networks.js';
import { queryParam } from '../../api/query-params.js';
import { withQuery } from './query.js';
import type { RouteDef } from './route.js';

/**
 * Networks of the request's environment. `deps()` is read when a request arrives, so the table
 * can be built (and checked against the docs) without components.
 */
export function buildNetworkRoutes(deps: () => NetworkApi, dns: () => DnsLookup): RouteDef[] {
  const ref = (params: Record<string, string>): string => params.ref ?? '';
  return [
    { method: 'GET', url: '/v1/networks', permission: 'network:read', handler: (_i, ctx) => deps().list(ctx) },
    { method: 'POST', url: '/v1/networks', permission: 'network:write', status: 201, handler: (i, ctx) => deps().create(ctx, i.body) },
    { method: 'GET', url: '/v1/networks/:ref', permission: 'network:read', handler: (i, ctx) => deps().get(ctx, ref(i.params)) },
    { method: 'DELETE', url: '/v1/networks/:ref', permission: 'network:write', handler: (i, ctx) => deps().remove(ctx, ref(i.params)) },
    { method: 'GET', url: '/v1/dns/lookup', permission: 'network:read', ...withQuery({ name: queryParam.text(253), from: queryParam.text(200) }, (_i, ctx, q) => dns().lookup(ctx, q.name, q.from)) },
  ];
}
