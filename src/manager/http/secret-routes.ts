import type { FileApi } from '../secrets/file-api.js';
import { queryParam } from '../../api/query-params.js';
import { withQuery } from './query.js';
import type { RouteDef } from './route.js';

/**
 * Secrets and configs. No route returns a secret's content: it reaches only the nodes whose
 * tasks mount it, over the agent session. A config's content is returned on request
 * (`?content=true`), as configs are not secret. `deps()` is read when a request arrives, so
 * the table can be built (and checked against the docs) without components.
 */
const contentQuery = { content: queryParam.bool() };

export function buildSecretRoutes(deps: () => { secrets: FileApi; configs: FileApi }): RouteDef[] {
  const ref = (params: Record<string, string>): string => params.ref ?? '';
  return [
    { method: 'GET', url: '/v1/secrets', permission: 'secret:read', handler: (_i, ctx) => deps().secrets.list(ctx) },
    { method: 'POST', url: '/v1/secrets', permission: 'secret:write', status: 201, handler: (i, ctx) => deps().secrets.create(ctx, i.body) },
    { method: 'GET', url: '/v1/secrets/:ref', permission: 'secret:read', ...withQuery(contentQuery, (i, ctx, q) => deps().secrets.get(ctx, ref(i.params), { content: q.content ?? false })) },
    { method: 'POST', url: '/v1/secrets/:ref/rotate', permission: 'secret:write', handler: (i, ctx) => deps().secrets.rotate(ctx, ref(i.params), i.body) },
    { method: 'DELETE', url: '/v1/secrets/:ref', permission: 'secret:write', handler: (i, ctx) => deps().secrets.remove(ctx, ref(i.params)) },

    { method: 'GET', url: '/v1/configs', permission: 'config:read', handler: (_i, ctx) => deps().configs.list(ctx) },
    { method: 'POST', url: '/v1/configs', permission: 'config:write', status: 201, handler: (i, ctx) => deps().configs.create(ctx, i.body) },
    { method: 'GET', url: '/v1/configs/:ref', permission: 'config:read', ...withQuery(contentQuery, (i, ctx, q) => deps().configs.get(ctx, ref(i.params), { content: q.content ?? false })) },
    { method: 'POST', url: '/v1/configs/:ref/rotate', permission: 'config:write', handler: (i, ctx) => deps().configs.rotate(ctx, ref(i.params), i.body) },
    { method: 'DELETE', url: '/v1/configs/:ref', permission: 'config:write', handler: (i, ctx) => deps().configs.remove(ctx, ref(i.params)) },
  ];
}
