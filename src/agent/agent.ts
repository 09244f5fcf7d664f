import { hostname as osHostname } from 'node:os';
import { createLogger, type Logger } from '../lib/logger.js';
import type { Executor } from './exec/executor.js';
import { NodeIdFile } from './node-id-file.js';
import { AgentSession } from './session/agent-session.js';
import { Worker } from './worker/worker.js';

export interface AgentOptions {
  /** http(s)://host:port of a manager; the session is a WebSocket under it. */
  managerUrl: string;
  /** Join token, sent in every hello. */
  token: string;
  /** Where the agent keeps its node id between runs. */
  dataDir: string;
  executor: Executor;
  logger?: Logger;
  /** Overrides the hostname the engine reports (several simulated nodes on one host). */
  hostname?: string;
  /** How long status updates are batched before being sent (default 50 ms). */
  statusBatchMs?: number;
}

export interface RunningAgent {
  nodeId(): string | undefined;
  /** Closes the session and stops acting; containers keep running for the next agent to adopt. */
  stop(): Promise<void>;
}

export const agentSessionPath = '/v1/agent/session';

/** Wiring only: node id file, worker (task runners) and the session with the manager. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger('agent');
  const nodeIdFile = new NodeIdFile(options.dataDir);
  const nodeId = await nodeIdFile.read();
  const worker = new Worker({
    executor: options.executor,
    logger,
    // Runners report only after assignments, which come through the session below.
    report: (updates) => session.send({ type: 'status', updates }),
    ...(options.statusBatchMs !== undefined ? { batchMs: options.statusBatchMs } : {}),
  });
  await worker.init(nodeId);
  const session = new AgentSession({
    url: `${options.managerUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}${agentSessionPath}`,
    token: options.token,
    nodeId,
    nodeIdFile,
    executor: options.executor,
    worker,
    logger,
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
  });
  session.start();
  logger.info({ managerUrl: options.managerUrl, nodeId, host: options.hostname ?? osHostname() }, 'agent started');
  return {
    nodeId: () => session.nodeId(),
    stop: async () => {
      worker.flush();
      await session.stop();
      await worker.stop();
    },
  };
}
