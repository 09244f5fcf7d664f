import type { EnvironmentApi } from '../environments/environments.js';
import type { RouteDef } from './route.js';

/**
 * Environments and their members. Routes about one environment name it in the path and set
 * `envParam`, so the role checked is the one in that environment. `deps()` is read when a
 * request arrives, so the table can be built (and checked against the docs) without components.
 */
export function buildEnvironmentRoutes(deps: () => EnvironmentApi): RouteDef[] {
  const name = (params: Record<string, string>): string => params.name ?? '';
  return [
    { method: 'GET', url: '/v1/environments', permission: 'authenticated', handler: (_i, ctx) => deps().listFor(ctx.caller) },
    { method: 'POST', url: '/v1/environments', permission: 'environment:admin', status: 201, handler: (i, ctx) => deps().create(ctx.actor, i.body) },
    { method: 'GET', url: '/v1/environments/:name', permission: 'authenticated', envParam: 'name', handler: (i, ctx) => deps().getFor(ctx.caller, name(i.params)) },
    { method: 'DELETE', url: '/v1/environments/:name', permission: 'environment:admin', envParam: 'name', handler: (i, ctx) => deps().remove(ctx.actor, name(i.params)) },
    { method: 'PATCH', url: '/v1/environments/:name/quotas', permission: 'environment:admin', envParam: 'name', handler: (i, ctx) => deps().updateQuotas(ctx.actor, name(i.params), i.body) },
    { method: 'PUT', url: '/v1/environments/:name/host-paths', permission: 'environment:admin', envParam: 'name', handler: (i, ctx) => deps().setHostPaths(ctx.actor, name(i.params), i.body) },
    { method: 'GET', url: '/v1/environments/:name/members', permission: 'member:read', envParam: 'name', handler: (i) => deps().members(name(i.params)) },
    {
      method: 'PUT',
      url: '/v1/environments/:name/members/:account',
      permission: 'member:write',
      envParam: 'name',
      handler: (i, ctx) => deps().setMember(ctx.actor, name(i.params), i.params.account ?? '', i.body),
    },
    {
      method: 'DELETE',
      url: '/v1/environments/:name/members/:account',
      permission: 'member:write',
      envParam: 'name',
      handler: (i, ctx) => deps().removeMember(ctx.actor, name(i.params), i.params.account ?? ''),
    },
  ];
}
