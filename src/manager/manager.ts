import { DnsLookup } from './networks/dns-lookup.js';
import { IpamApi } from './ipam/ipam-api.js';
import { NetworkPlans } from './network-plan/network-plans.js';
import { hostname as osHostname } from 'node:os';
import type { Logger } from '../lib/logger.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { closeDataDir, logClosedPaths } from '../lib/private-files.js';
import { AgentServer } from './agent-listener/agent-server.js';
import { peerIdentityOfRequest } from './agent-listener/peer-identity.js';
import { CertificateAuthority } from './ca/certificate-authority.js';
import type { JoinRole } from './ca/cluster-object.js';
import { initCluster } from './ca/cluster-init.js';
import { RevocationList } from './ca/revocation.js';
import { NodeApi } from './controlapi/nodes.js';
import { ServiceApi } from './controlapi/services.js';
import { TaskApi } from './controlapi/tasks.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { EventFeed } from './events/event-feed.js';
import { AuditLog } from './audit/audit-log.js';
import { withRequestOrigin } from './audit/request-origin.js';
import { AccountApi } from './auth/accounts.js';
import { ApiKeyApi } from './auth/api-keys.js';
import { bootstrapAdminCredential, type BootstrapCredential } from './auth/bootstrap-admin.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { SessionApi } from './auth/sessions.js';
import { EnvironmentApi } from './environments/environments.js';
import { openAuthorizer } from './http/authorizer.js';
import { credentialAuthorizer } from './http/credential-authorizer.js';
import { buildRoutes } from './http/routes.js';
import type { StreamLimits } from './http/bounded-writer.js';
import { createHttpServer } from './http/server.js';
import { registerWebUi } from './http/web-ui.js';
import { ReconcileLoop } from './loop/reconcile-loop.js';
import { reconcile } from './orchestrator/reconcile.js';
import { schedule } from './scheduler/schedule.js';
import { NetworkApi } from './networks/networks.js';
import { FileApi } from './secrets/file-api.js';
import { FilePins } from './secrets/file-pins.js';
import { composeRenderer } from './stacks/compose-adapter.js';
import { ComposeWorkerPool } from './stacks/compose-worker-pool.js';
import { fileApiStackFiles } from './stacks/file-api-stack-files.js';
import { StackApi } from './stacks/stacks.js';
import type { Store } from './store/store.js';

export interface ManagerOptions {
  store: Store;
  logger: Logger;
  /** The manager's own data dir (DATA/manager): CA key and token key live in DATA/manager/ca. */
  dataDir: string;
  host: string;
  port: number;
  /** Agent port (mutual TLS): default the API host and port + 1; 0 picks a free port. */
  agentHost?: string;
  agentPort?: number;
  /** Host (or host:port) that agents use to reach the agent port; goes in the join command and the server certificate. */
  advertiseAddr?: string;
  /** Lifetime of node certificates (default 24 h). */
  certExpiryMs?: number;
  clock?: Clock;
  heartbeatPeriodMs?: number;
  heartbeatGracePeriods?: number;
  /**
   * `required` (default): every route but /healthz and /v1/login needs an API key or a session.
   * `open` grants everything to whoever reaches the port; only in-process tests of components
   * that have nothing to do with access use it, and no command offers it.
   */
  auth?: 'open' | 'required';
  /**
   * On a store without accounts, create the `admin` account (password returned once in
   * `newAdmin`). False makes such a start fail instead, so only an explicit `--init` creates one.
   */
  createAdmin?: boolean;
  /** How long audit entries are kept (default 30 days). */
  auditRetentionMs?: number;
  /**
   * The block every container address comes from (default 10.240.0.0/12): stored when the
   * cluster is created; a start with a different one fails, naming the stored one.
   */
  clusterCidr?: string;
  /** The bound on what each event or log stream holds for a slow reader, and the counters of drops. */
  streams?: StreamLimits;
}

export interface RunningManager {
  url: string;
  /** host:port that `shoal agent --join` takes. */
  joinAddress: string;
  /** The port the agent listener got (useful with agentPort 0). */
  agentPort: number;
  /** Join tokens, only on the start that created them (shown once; stored sealed). */
  newTokens?: Record<JoinRole, string>;
  /** The bootstrap admin's password, only on the start that created it with auth required (shown once). */
  newAdmin?: BootstrapCredential;
  stop(): Promise<void>;
}

export const shoalVersion = '0.1.0';
export const defaultCertExpiryMs = 24 * 3600 * 1000;

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';
const bracket = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** Wiring only: every component shares the store and nothing else. */
export async function startManager(options: ManagerOptions): Promise<RunningManager> {
  const { logger } = options;
  // Everything in the manager's data dir (store, CA key, token key) is for this user only.
  logClosedPaths(logger, closeDataDir(options.dataDir, 'all'));
  // Commits made while serving an API request carry its client address, for the audit history.
  const store = withRequestOrigin(options.store);
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const cluster = await initCluster(store, options.dataDir);
  const ipam = new IpamApi(store, options.clusterCidr !== undefined ? { config: { clusterCidr: options.clusterCidr } } : {});
  // The address plan is fixed at creation, not at the first allocation, and a start that asks
  // for another one fails here, before anything is served.
  await ipam.config();
  const revocations = new RevocationList(store);
  await revocations.start();
  const ca = new CertificateAuthority({
    store,
    ca: cluster.ca,
    box: cluster.box,
    logger: logger.child({ component: 'ca' }),
    certExpiryMs: options.certExpiryMs ?? defaultCertExpiryMs,
    isRevokedNode: (id) => revocations.isRevoked(id, ''),
  });
  // Secrets and configs are sealed with the cluster's SecretBox, the key of the join tokens.
  const secrets = new FileApi({ kind: 'secret', store, box: cluster.box, now });
  const configs = new FileApi({ kind: 'config', store, box: cluster.box, now });
  const dispatcher = new Dispatcher({
    store,
    logger: logger.child({ component: 'dispatcher' }),
    files: { content: (env, kind, name, version) => (kind === 'secret' ? secrets : configs).content(env, name, version) },
    networkPlans: new NetworkPlans(store, ipam),
    ...(options.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: options.heartbeatPeriodMs } : {}),
    ...(options.heartbeatGracePeriods !== undefined ? { heartbeatGracePeriods: options.heartbeatGracePeriods } : {}),
  });
  const pins = new FilePins(store);
  const services = new ServiceApi(store, now, pins);
  const networks = new NetworkApi({ store, ranges: ipam, now });
  // Stacks render on worker threads: a costly compose file never blocks the API or heartbeats.
  const composePool = new ComposeWorkerPool({ logger: logger.child({ component: 'compose' }) });
  const stacks = new StackApi({ store, compose: composeRenderer(composePool), services, files: fileApiStackFiles(store, secrets, configs), pinner: pins, networks, now });
  const accounts = new AccountApi(store, now);
  const audit = new AuditLog({ store, logger: logger.child({ component: 'audit' }), now, ...(options.auditRetentionMs !== undefined ? { retentionMs: options.auditRetentionMs } : {}) });
  // Started before anything is served; it catches up from the last audited revision on its own.
  await audit.start();
  const auth = { accounts, sessions: new SessionApi(store, accounts, now), apiKeys: new ApiKeyApi(store, now), throttle: new LoginThrottle({ now }), audit };
  const environments = new EnvironmentApi(store, accounts, { now, removeWith: [(env) => ca.environmentRemovalOps(env), (env) => secrets.environmentRemovalOps(env), (env) => configs.environmentRemovalOps(env), (env) => stacks.environmentRemovalOps(env)] });
  // Before serving: requests that name no environment act in `default`.
  await environments.ensureDefault();
  // Environments made before networks existed get their built-in network (new ones get it with
  // the environment). Idempotent; safe when several managers start at once.
  await networks.ensureDefaultNetworks();
  const authRequired = options.auth !== 'open';
  const newAdmin = authRequired ? await bootstrapAdminCredential(accounts, auth.apiKeys, options.createAdmin ?? true) : undefined;
  const app = createHttpServer({
    logger: logger.child({ component: 'http' }),
    authorizer: authRequired ? credentialAuthorizer({ ...auth, environments }) : openAuthorizer(environments),
    routes: buildRoutes({
      services,
      nodes: new NodeApi(store, now),
      tasks: new TaskApi(store),
      events: new EventFeed(store),
      logs: dispatcher,
      tokens: ca,
      auth,
      environments,
      audit,
      secrets,
      configs,
      stacks,
      networks,
      dns: new DnsLookup(store),
      ...(options.streams ? { streams: options.streams } : {}),
      info: async (env) => ({
        version: shoalVersion,
        revision: await store.revision(),
        env,
        nodes: (await store.list('node', { env })).length,
        services: (await store.list('service', { env })).length,
      }),
    }),
  });
  registerWebUi(app);
  const loops = [
    new ReconcileLoop({ name: 'orchestrator', store, clock, logger: logger.child({ component: 'orchestrator' }), compute: reconcile, reportRefused: true }),
    new ReconcileLoop({ name: 'scheduler', store, clock, logger: logger.child({ component: 'scheduler' }), compute: schedule }),
  ];
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  const agentHost = options.agentHost ?? options.host;
  const advertised = splitAdvertise(options.advertiseAddr);
  const altNames = [...new Set([...(isWildcard(agentHost) ? [] : [agentHost]), '127.0.0.1', 'localhost', osHostname(), ...(advertised ? [advertised.host] : [])])];
  const agentServer = await AgentServer.create({ host: agentHost, port: options.agentPort ?? port + 1, ca, revocations, logger: logger.child({ component: 'agent-port' }), altNames, managerId: newId() });
  const agentAddress = await agentServer.listen();
  await dispatcher.start(agentServer.server, peerIdentityOfRequest);
  for (const loop of loops) await loop.start();
  // Expired sessions are refused when presented; the sweep only keeps the store from filling up.
  const sessionSweep = setInterval(() => {
    auth.sessions.sweep().catch((err: unknown) => logger.warn({ err }, 'session sweep failed'));
  }, 3600_000);
  sessionSweep.unref();
  // A wildcard listener is reached locally on loopback: that is the address the local CLI records.
  const url = `http://${isWildcard(options.host) ? '127.0.0.1' : bracket(options.host)}:${port}`;
  const joinHost = advertised?.host ?? (isWildcard(agentHost) ? osHostname() : agentHost);
  const joinAddress = `${bracket(joinHost)}:${advertised?.port ?? agentAddress.port}`;
  logger.info({ url, agentPort: agentAddress.port, joinAddress }, 'manager ready');
  return {
    url,
    joinAddress,
    agentPort: agentAddress.port,
    ...(cluster.newTokens ? { newTokens: cluster.newTokens } : {}),
    ...(newAdmin ? { newAdmin } : {}),
    stop: async () => {
      clearInterval(sessionSweep);
      for (const loop of loops) await loop.stop();
      await dispatcher.stop();
      await agentServer.close();
      revocations.stop();
      await app.close();
      await composePool.close();
      await audit.stop();
    },
  };
}

function splitAdvertise(text: string | undefined): { host: string; port?: number } | undefined {
  if (!text) return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return { host: text.trim() };
  const host = m[1] ?? m[2] ?? text;
  return m[3] ? { host, port: Number(m[3]) } : { host };
}
