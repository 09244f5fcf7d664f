import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { NodeNetworkPlan } from '../api/networks.js';
import { agentPortPaths } from '../api/agent-protocol.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { closeDataDir, logClosedPaths } from '../lib/private-files.js';
import type { Executor } from './exec/executor.js';
import { chooseFilesRoot } from './files/files-root.js';
import { TaskFileStore } from './files/task-file-store.js';
import { CertificateRenewer } from './join/certificate-renewer.js';
import { agentPortUrl } from './join/manager-address.js';
import { identityFileNames } from './join/identity-files.js';
import { obtainIdentity } from './join/obtain-identity.js';
import { NodeNetworking } from './network/node-networking.js';
import { NodeIdFile } from './node-id-file.js';
import { hostRunner } from './overlay/command-runner.js';
import { AgentSession } from './session/agent-session.js';
import { Worker } from './worker/worker.js';

export interface AgentOptions {
  /** The manager's agent port (mutual TLS): HOST:PORT or https://HOST:PORT. */
  managerAddress: string;
  /** Join token: needed only until the agent holds a certificate (kept in dataDir). */
  token?: string;
  /** Where the agent keeps its key, certificates and node id between runs. */
  dataDir: string;
  executor: Executor;
  logger?: Logger;
  /** Overrides the hostname the engine reports (several simulated nodes on one host). */
  hostname?: string;
  /** How long status updates are batched before being sent (default 50 ms). */
  statusBatchMs?: number;
  /**
   * Where secret and config files of tasks are written (one folder per task). Default: a tmpfs
   * (`/run/shoal/<nodeId>/tasks`, else `/dev/shm/shoal/…`), else under `dataDir`.
   */
  taskFilesDir?: string;
  /**
   * Wire containers to Shoal's networks (engine bridge networks, overlay, packet filter,
   * resolver, ingress), as the manager plans them. Off: containers join the engine's default
   * network and published ports bind where the task runs (simulated nodes, benchmarks).
   */
  networking?: boolean;
  /** The resolver's port on each network gateway (default 53). */
  dnsPort?: number;
}

export interface RunningAgent {
  nodeId(): string | undefined;
  /** Closes the session and stops acting; containers keep running for the next agent to adopt. */
  stop(): Promise<void>;
}

export const agentSessionPath = agentPortPaths.session;

/** Wiring only: identity (join or reuse, renewal), worker (task runners) and the session. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger('agent');
  logClosedPaths(logger, closeDataDir(options.dataDir, [...identityFileNames, NodeIdFile.fileName]));
  const baseUrl = agentPortUrl(options.managerAddress);
  const hostname = options.hostname ?? osHostname();
  const identity = await obtainIdentity({ baseUrl, dataDir: options.dataDir, hostname, logger, ...(options.token !== undefined ? { token: options.token } : {}) });
  const renewer = new CertificateRenewer({ baseUrl, dataDir: options.dataDir, hostname, logger, identity });
  const nodeIdFile = new NodeIdFile(options.dataDir);
  if ((await nodeIdFile.read()) !== identity.nodeId) await nodeIdFile.write(identity.nodeId);
  const filesRoot = options.taskFilesDir !== undefined ? { root: options.taskFilesDir, tmpfs: true } : await chooseFilesRoot(options.dataDir, identity.nodeId);
  if (!filesRoot.tmpfs) logger.warn({ dir: filesRoot.root }, 'no usable tmpfs: secret files of tasks are kept on disk under the data directory');
  let networking: NodeNetworking | undefined;
  if (options.networking) {
    networking = new NodeNetworking({ executor: options.executor, run: hostRunner(), logger: logger.child({ component: 'network' }), stateDir: join(options.dataDir, 'network'), onIngress: (report) => session.send({ type: 'ingress', ...report }), ...(options.dnsPort !== undefined ? { dnsPort: options.dnsPort } : {}) });
    await networking.init({ nodeId: identity.nodeId, clusterId: identity.caHash });
  }
  const worker = new Worker({
    ...(networking ? { network: networking } : {}),
    executor: options.executor,
    files: new TaskFileStore(filesRoot.root),
    logger,
    // Runners report only after assignments, which come through the session below.
    report: (updates) => session.send({ type: 'status', updates }),
    ...(options.statusBatchMs !== undefined ? { batchMs: options.statusBatchMs } : {}),
  });
  await worker.init(identity.nodeId);
  const session = new AgentSession({
    url: `${baseUrl.replace(/^https/, 'wss')}${agentSessionPath}`,
    credentials: () => renewer.identity(),
    nodeId: identity.nodeId,
    nodeIdFile,
    executor: options.executor,
    worker,
    logger,
    ...(networking ? { onNetworkPlan: (plan: NodeNetworkPlan) => networking.apply(plan) } : {}),
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
  });
  renewer.start();
  session.start();
  logger.info({ manager: baseUrl, nodeId: identity.nodeId, role: identity.role, host: hostname }, 'agent started');
  return {
    nodeId: () => session.nodeId(),
    stop: async () => {
      renewer.stop();
      worker.flush();
      await session.stop();
      await worker.stop();
      await networking?.close();
    },
  };
}
