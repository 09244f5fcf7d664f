import type { ShoalEvent } from '../../api/events.js';
import type { NodeApi } from '../controlapi/nodes.js';
import type { ServiceApi } from '../controlapi/services.js';
import type { TaskApi } from '../controlapi/tasks.js';
import type { LogSource } from '../dispatcher/log-source.js';
import type { EventFeed } from '../events/event-feed.js';
import { buildAuthRoutes, type AuthDeps } from './auth-routes.js';
import { boolParam, intParam } from './query.js';
import type { RouteDef } from './route.js';
import { streamNdjson, streamServerSentEvents } from './streaming.js';

/** What the token routes need of the CA (show and rotate never log the token). */
export interface TokenAdmin {
  showToken(role: string): Promise<{ role: string; token: string }>;
  rotateToken(role: string, actor: string): Promise<{ role: string; token: string }>;
}

export interface RouteDeps {
  services: ServiceApi;
  nodes: NodeApi;
  tasks: TaskApi;
  events: EventFeed;
  logs: LogSource;
  tokens: TokenAdmin;
  info: () => Promise<Record<string, unknown>>;
  auth: AuthDeps;
}

/** Every REST route with the permission it needs. The docs' API table lists the same rows. */
export function buildRoutes(d: RouteDeps): RouteDef[] {
  return [
    ...buildAuthRoutes(() => d.auth),
    { method: 'GET', url: '/v1/info', permission: 'cluster:read', handler: () => d.info() },

    { method: 'GET', url: '/v1/nodes', permission: 'node:read', handler: (_i, ctx) => d.nodes.list(ctx) },
    { method: 'GET', url: '/v1/nodes/:ref', permission: 'node:read', handler: (i, ctx) => d.nodes.get(ctx, i.params.ref ?? '') },
    { method: 'PATCH', url: '/v1/nodes/:ref', permission: 'node:write', handler: (i, ctx) => d.nodes.update(ctx, i.params.ref ?? '', i.body) },
    { method: 'DELETE', url: '/v1/nodes/:ref', permission: 'node:write', handler: (i, ctx) => d.nodes.remove(ctx, i.params.ref ?? '', { force: boolParam(i.query, 'force') }) },

    { method: 'GET', url: '/v1/cluster/tokens/:role', permission: 'cluster:admin', handler: (i) => d.tokens.showToken(i.params.role ?? '') },
    { method: 'POST', url: '/v1/cluster/tokens/:role/rotate', permission: 'cluster:admin', handler: (i, ctx) => d.tokens.rotateToken(i.params.role ?? '', ctx.actor) },

    { method: 'GET', url: '/v1/services', permission: 'service:read', handler: (i, ctx) => d.services.list(ctx, i.query.name ? { name: i.query.name } : {}) },
    { method: 'POST', url: '/v1/services', permission: 'service:write', status: 201, handler: (i, ctx) => d.services.create(ctx, i.body) },
    { method: 'GET', url: '/v1/services/:ref', permission: 'service:read', handler: (i, ctx) => d.services.get(ctx, i.params.ref ?? '') },
    { method: 'POST', url: '/v1/services/:ref/update', permission: 'service:write', handler: (i, ctx) => d.services.update(ctx, i.params.ref ?? '', i.body) },
    { method: 'POST', url: '/v1/services/:ref/scale', permission: 'service:write', handler: (i, ctx) => d.services.scale(ctx, i.params.ref ?? '', i.body) },
    { method: 'POST', url: '/v1/services/:ref/rollback', permission: 'service:write', handler: (i, ctx) => d.services.rollback(ctx, i.params.ref ?? '') },
    { method: 'DELETE', url: '/v1/services/:ref', permission: 'service:write', handler: (i, ctx) => d.services.remove(ctx, i.params.ref ?? '') },
    {
      method: 'GET',
      url: '/v1/services/:ref/logs',
      permission: 'service:read',
      handler: async (i, ctx) => {
        const follow = boolParam(i.query, 'follow');
        const tail = intParam(i.query, 'tail');
        const tasks = await d.tasks.list(ctx, { service: i.params.ref ?? '' });
        streamNdjson(i.request, i.reply, (emit, signal) => d.logs.stream(tasks, { follow, ...(tail !== undefined ? { tail } : {}) }, emit, signal));
        return undefined;
      },
    },

    {
      method: 'GET',
      url: '/v1/tasks',
      permission: 'service:read',
      handler: (i, ctx) => d.tasks.list(ctx, { ...(i.query.service ? { service: i.query.service } : {}), ...(i.query.node ? { node: i.query.node } : {}) }),
    },

    {
      method: 'GET',
      url: '/v1/events',
      permission: 'event:read',
      handler: async (i, ctx) => {
        const since = intParam(i.query, 'since');
        const kind = i.query.kind;
        const from = since ?? (await d.events.revision());
        streamServerSentEvents(i.request, i.reply, (send) =>
          d.events.subscribe(from, (e: ShoalEvent) => {
            if (e.env !== ctx.env || (kind && e.kind !== kind)) return;
            send(String(e.revision), 'shoal', e);
          }),
        );
        return undefined;
      },
    },
  ];
}
