import Fastify, { LogController } from 'fastify';
import type { Logger } from '../../lib/logger.js';
import { runWithOrigin } from '../audit/request-origin.js';
import { ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';
import { environmentOf, type Authorizer } from './authorizer.js';
import { statusOf, toShoalError } from './error-mapping.js';
import { parseQuery } from '../../api/query-params.js';
import { singleValuedQuery } from './query.js';
import type { RouteDef } from './route.js';

export interface HttpServerOptions {
  routes: RouteDef[];
  authorizer: Authorizer;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createHttpServer(options: HttpServerOptions) {
  const bodyLimit = options.bodyLimitBytes ?? limits.requestBodyBytes;
  const app = Fastify({ loggerInstance: options.logger, bodyLimit, logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });

  app.setErrorHandler((err, request, reply) => {
    const shoal = toShoalError(err, bodyLimit);
    if (shoal.code === 'internal') request.log.error({ err }, 'request failed');
    void reply.status(statusOf(shoal)).send(shoal.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(new ShoalError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`).toBody());
  });

  // One debug line per request: method, path, status and time, never headers or bodies (they
  // carry credentials and passwords).
  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  app.get('/healthz', () => ({ status: 'ok' }));

  for (const route of options.routes) {
    app.route({
      method: route.method,
      url: route.url,
      // Every store commit the request causes carries the client's address, for the audit history.
      handler: (request, reply) => runWithOrigin({ source: request.ip }, async () => {
        // A route about one environment (its path names it) is authorized there, never in `?env=`.
        const env = route.envParam ? ((request.params as Record<string, string | undefined>)[route.envParam] ?? '') : environmentOf(request);
        const ctx = await options.authorizer.authorize(request, route.permission, env);
        const query = singleValuedQuery(request.query);
        const parsedQuery = parseQuery(route.query ?? {}, query);
        const result = await route.handler(
          {
            params: request.params as Record<string, string>,
            query,
            parsedQuery,
            body: request.body,
            request,
            reply,
          },
          ctx,
        );
        if (result === undefined) return reply;
        return reply.status(route.status ?? 200).send(result);
      }),
    });
  }
  return app;
}
export type ShoalHttpServer = ReturnType<typeof createHttpServer>;
