import { eventKinds, type ShoalEvent } from '../../api/events.js';
import type { NodeApi } from '../controlapi/nodes.js';
import type { ServiceApi } from '../controlapi/services.js';
import type { TaskApi } from '../controlapi/tasks.js';
import type { LogSource } from '../dispatcher/log-source.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { EventFeed } from '../events/event-feed.js';
import type { EnvironmentApi } from '../environments/environments.js';
import { buildAccountRoutes } from './account-routes.js';
import { buildAuditRoutes } from './audit-routes.js';
import { buildAuthRoutes, type AuthDeps } from './auth-routes.js';
import { buildEnvironmentRoutes } from './environment-routes.js';
import { buildStackRoutes } from './stack-routes.js';
import type { StackApi } from '../stacks/stacks.js';
import { buildSecretRoutes } from './secret-routes.js';
import { buildNetworkRoutes } from './network-routes.js';
import type { NetworkApi } from '../networks/networks.js';
import type { DnsLookup } from '../networks/dns-lookup.js';
import type { FileApi } from '../secrets/file-api.js';
import { queryParam } from '../../api/query-params.js';
import { withQuery } from './query.js';
import type { RouteDef } from './route.js';
import { defaultStreamLimits, type StreamLimits } from './bounded-writer.js';
import { streamNdjson, streamServerSentEvents } from './streaming.js';

/** What the token routes need of the CA (show and rotate never log the token). */
export interface TokenAdmin {
  showToken(role: string, env: string, actor: string): Promise<{ role: string; token: string; env?: string }>;
  rotateToken(role: string, env: string, actor: string): Promise<{ role: string; token: string; env?: string }>;
}

export interface RouteDeps {
  services: ServiceApi;
  nodes: NodeApi;
  tasks: TaskApi;
  events: EventFeed;
  logs: LogSource;
  tokens: TokenAdmin;
  /** Counts only the environment asked about: another environment's size is not the caller's business. */
  info: (env: string) => Promise<Record<string, unknown>>;
  auth: AuthDeps;
  environments: EnvironmentApi;
  audit: AuditLog;
  stacks: StackApi;
  secrets: FileApi;
  configs: FileApi;
  networks: NetworkApi;
  dns: DnsLookup;
  /** The bound on what each event or log stream may hold for a slow reader (default 4 MiB). */
  streams?: StreamLimits;
}

/** Service, node and task references in a query: ids, names or prefixes. */
const maxRefLength = 200;
/** Lines a log request may ask for from the end of each task's output. */
export const maxLogTail = 10_000;

/** Every REST route with the permission it needs. The docs' API table lists the same rows. */
export function buildRoutes(d: RouteDeps): RouteDef[] {
  const limits = d.streams ?? defaultStreamLimits();
  return [
    ...buildAuthRoutes(() => d.auth),
    ...buildAccountRoutes(() => ({ ...d.auth, environments: d.environments })),
    ...buildEnvironmentRoutes(() => d.environments),
    ...buildAuditRoutes(() => d.audit),
    ...buildStackRoutes(() => d.stacks),
    ...buildSecretRoutes(() => ({ secrets: d.secrets, configs: d.configs })),
    ...buildNetworkRoutes(() => d.networks, () => d.dns),
    { method: 'GET', url: '/v1/info', permission: 'cluster:read', handler: (_i, ctx) => d.info(ctx.env) },

    { method: 'GET', url: '/v1/nodes', permission: 'node:read', handler: (_i, ctx) => d.nodes.list(ctx) },
    { method: 'GET', url: '/v1/nodes/:ref', permission: 'node:read', handler: (i, ctx) => d.nodes.get(ctx, i.params.ref ?? '') },
    { method: 'PATCH', url: '/v1/nodes/:ref', permission: 'node:write', handler: (i, ctx) => d.nodes.update(ctx, i.params.ref ?? '', i.body) },
    { method: 'DELETE', url: '/v1/nodes/:ref', permission: 'node:write', ...withQuery({ force: queryParam.bool() }, (i, ctx, q) => d.nodes.remove(ctx, i.params.ref ?? '', { force: q.force ?? false })) },

    // A worker token adds nodes to one environment (its owners manage it); the manager token is cluster-wide.
    { method: 'GET', url: '/v1/cluster/tokens/worker', permission: 'token:write', handler: (_i, ctx) => d.tokens.showToken('worker', ctx.env, ctx.actor) },
    { method: 'POST', url: '/v1/cluster/tokens/worker/rotate', permission: 'token:write', handler: (_i, ctx) => d.tokens.rotateToken('worker', ctx.env, ctx.actor) },
    { method: 'GET', url: '/v1/cluster/tokens/manager', permission: 'cluster:admin', handler: (_i, ctx) => d.tokens.showToken('manager', ctx.env, ctx.actor) },
    { method: 'POST', url: '/v1/cluster/tokens/manager/rotate', permission: 'cluster:admin', handler: (_i, ctx) => d.tokens.rotateToken('manager', ctx.env, ctx.actor) },

    { method: 'GET', url: '/v1/services', permission: 'service:read', ...withQuery({ name: queryParam.text(maxRefLength) }, (_i, ctx, q) => d.services.list(ctx, q.name ? { name: q.name } : {})) },
    { method: 'POST', url: '/v1/services', permission: 'service:write', status: 201, handler: (i, ctx) => d.services.create(ctx, i.body) },
    { method: 'GET', url: '/v1/services/:ref', permission: 'service:read', handler: (i, ctx) => d.services.get(ctx, i.params.ref ?? '') },
    { method: 'POST', url: '/v1/services/:ref/update', permission: 'service:write', handler: (i, ctx) => d.services.update(ctx, i.params.ref ?? '', i.body) },
    { method: 'POST', url: '/v1/services/:ref/scale', permission: 'service:write', handler: (i, ctx) => d.services.scale(ctx, i.params.ref ?? '', i.body) },
    { method: 'POST', url: '/v1/services/:ref/rollback', permission: 'service:write', handler: (i, ctx) => d.services.rollback(ctx, i.params.ref ?? '') },
    { method: 'POST', url: '/v1/services/:ref/upgrade', permission: 'service:write', handler: (i, ctx) => d.services.upgrade(ctx, i.params.ref ?? '', i.body) },
    { method: 'POST', url: '/v1/services/:ref/upgrade/confirm', permission: 'service:write', handler: (i, ctx) => d.services.confirmUpgrade(ctx, i.params.ref ?? '') },
    { method: 'POST', url: '/v1/services/:ref/upgrade/rollback', permission: 'service:write', handler: (i, ctx) => d.services.rollbackUpgrade(ctx, i.params.ref ?? '') },
    { method: 'DELETE', url: '/v1/services/:ref', permission: 'service:write', handler: (i, ctx) => d.services.remove(ctx, i.params.ref ?? '') },
    {
      method: 'GET',
      url: '/v1/services/:ref/logs',
      permission: 'service:read',
      ...withQuery({ follow: queryParam.bool(), tail: queryParam.int(0, maxLogTail) }, async (i, ctx, { follow = false, tail }) => {
        const tasks = await d.tasks.list(ctx, { service: i.params.ref ?? '' });
        streamNdjson(i.request, i.reply, limits, (emit, signal) => d.logs.stream(tasks, { follow, ...(tail !== undefined ? { tail } : {}) }, emit, signal));
        return undefined;
      }),
    },

    {
      method: 'GET',
      url: '/v1/tasks',
      permission: 'service:read',
      ...withQuery({ service: queryParam.text(maxRefLength), node: queryParam.text(maxRefLength) }, (_i, ctx, q) => d.tasks.list(ctx, { ...(q.service ? { service: q.service } : {}), ...(q.node ? { node: q.node } : {}) })),
    },

    {
      method: 'GET',
      url: '/v1/events',
      permission: 'event:read',
      ...withQuery({ since: queryParam.int(0, Number.MAX_SAFE_INTEGER), kind: queryParam.oneOf(eventKinds) }, async (i, ctx, { since, kind }) => {
        const from = since ?? (await d.events.revision());
        streamServerSentEvents(i.request, i.reply, limits, (sink) =>
          d.events.follow(
            from,
            {
              send: (e: ShoalEvent) => {
                // Another environment's events and other kinds are skipped; the replay goes on while the reader is there.
                if (e.env !== ctx.env || (kind && e.kind !== kind)) return !sink.signal.aborted;
                return sink.send(String(e.revision), 'shoal', e);
              },
              get pressured() {
                return sink.pressured;
              },
              drained: () => sink.drained(),
            },
            sink.signal,
          ),
        );
        return undefined;
      }),
    },
  ];
}
