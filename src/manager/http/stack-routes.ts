import type { StackApi } from '../stacks/stacks.js';
import type { RouteDef } from './route.js';

/**
 * Stacks. They are groups of services, so they take the service permissions. `stacks()` is read
 * when a request arrives, so the table can be built (and checked against the docs) without components.
 */
export function buildStackRoutes(stacks: () => StackApi): RouteDef[] {
  const name = (params: Record<string, string>): string => params.name ?? '';
  return [
    { method: 'GET', url: '/v1/stacks', permission: 'service:read', handler: (_i, ctx) => stacks().list(ctx) },
    { method: 'POST', url: '/v1/stacks', permission: 'service:write', handler: (i, ctx) => stacks().deploy(ctx, undefined, i.body) },
    { method: 'GET', url: '/v1/stacks/:name', permission: 'service:read', handler: (i, ctx) => stacks().get(ctx, name(i.params)) },
    { method: 'PUT', url: '/v1/stacks/:name', permission: 'service:write', handler: (i, ctx) => stacks().deploy(ctx, name(i.params), i.body) },
    { method: 'DELETE', url: '/v1/stacks/:name', permission: 'service:write', handler: (i, ctx) => stacks().remove(ctx, name(i.params)) },
    { method: 'GET', url: '/v1/stacks/:name/services', permission: 'service:read', handler: (i, ctx) => stacks().services(ctx, name(i.params)) },
    { method: 'GET', url: '/v1/stacks/:name/tasks', permission: 'service:read', handler: (i, ctx) => stacks().tasks(ctx, name(i.params)) },
    { method: 'POST', url: '/v1/stacks/:name/rollback', permission: 'service:write', handler: (i, ctx) => stacks().rollback(ctx, name(i.params)) },
    { method: 'POST', url: '/v1/stacks/:name/scale', permission: 'service:write', handler: (i, ctx) => stacks().scale(ctx, name(i.params), i.body) },
  ];
}
