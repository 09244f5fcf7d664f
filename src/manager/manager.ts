import type { Logger } from '../lib/logger.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { initCluster, type JoinRole } from './cluster/join-tokens.js';
import { NodeApi } from './controlapi/nodes.js';
import { ServiceApi } from './controlapi/services.js';
import { TaskApi } from './controlapi/tasks.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { EventFeed } from './events/event-feed.js';
import { loopbackAuthorizer } from './http/authorizer.js';
import { buildRoutes } from './http/routes.js';
import { createHttpServer } from './http/server.js';
import { ReconcileLoop } from './loop/reconcile-loop.js';
import { reconcile } from './orchestrator/reconcile.js';
import { schedule } from './scheduler/schedule.js';
import type { Store } from './store/store.js';

export interface ManagerOptions {
  store: Store;
  logger: Logger;
  host: string;
  port: number;
  clock?: Clock;
  heartbeatPeriodMs?: number;
  heartbeatGracePeriods?: number;
}

export interface RunningManager {
  url: string;
  /** Join tokens, only on the start that created the cluster (they are stored hashed). */
  newTokens?: Record<JoinRole, string>;
  stop(): Promise<void>;
}

export const shoalVersion = '0.1.0';

/** Wiring only: every component shares the store and nothing else. */
export async function startManager(options: ManagerOptions): Promise<RunningManager> {
  const { store, logger } = options;
  const clock = options.clock ?? systemClock;
  const { tokens } = await initCluster(store);
  const dispatcher = new Dispatcher({
    store,
    logger: logger.child({ component: 'dispatcher' }),
    ...(options.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: options.heartbeatPeriodMs } : {}),
    ...(options.heartbeatGracePeriods !== undefined ? { heartbeatGracePeriods: options.heartbeatGracePeriods } : {}),
  });
  const services = new ServiceApi(store, () => clock.now());
  const app = createHttpServer({
    logger: logger.child({ component: 'http' }),
    authorizer: loopbackAuthorizer,
    routes: buildRoutes({
      services,
      nodes: new NodeApi(store, () => clock.now()),
      tasks: new TaskApi(store),
      events: new EventFeed(store),
      logs: dispatcher,
      info: async () => ({
        version: shoalVersion,
        revision: await store.revision(),
        nodes: (await store.list('node')).length,
        services: (await store.list('service')).length,
      }),
    }),
  });
  const loops = [
    new ReconcileLoop({ name: 'orchestrator', store, clock, logger: logger.child({ component: 'orchestrator' }), compute: reconcile }),
    new ReconcileLoop({ name: 'scheduler', store, clock, logger: logger.child({ component: 'scheduler' }), compute: schedule }),
  ];
  await app.listen({ host: options.host, port: options.port });
  await dispatcher.start(app.server);
  for (const loop of loops) await loop.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ url }, 'manager ready');
  return {
    url,
    ...(tokens ? { newTokens: tokens } : {}),
    stop: async () => {
      for (const loop of loops) await loop.stop();
      await dispatcher.stop();
      await app.close();
    },
  };
}
