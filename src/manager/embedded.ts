import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../agent/agent.js';
import { DockerExecutor } from '../agent/executor/docker/docker-executor.js';
import { createLogger } from '../lib/logger.js';
import { closeDataDir, logClosedPaths, writePrivateFile } from '../lib/private-files.js';
import { startManager, type RunningManager } from './manager.js';
import { SqliteStore } from './store/sqlite-store.js';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  host?: string;
  /** Docker Engine socket of the local node (default: the engine's default socket). */
  dockerSocket?: string;
  heartbeatPeriodMs?: number;
  auditRetentionMs?: number;
  /** The cluster's address block, on the start that creates it (see ManagerOptions.clusterCidr). */
  clusterCidr?: string;
}

export interface RunningEmbedded {
  url: string;
  logFile: string;
  /** The administrator created on this start (a new data dir): shown once, never logged. */
  newAdmin?: RunningManager['newAdmin'];
  stop(): Promise<void>;
}

/**
 * The single-node cluster of `shoal up`: a manager with its SQLite store and a local agent that
 * joins it over the same mutual-TLS join and session remote agents use, on loopback.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<RunningEmbedded> {
  const logFile = join(options.dataDir, 'shoal.log');
  // Closed before the log opens; said in the log once it is open. The manager's and the agent's
  // folders are closed by startManager and startAgent.
  const closed = closeDataDir(options.dataDir, ['shoal.log']);
  const logger = createLogger('shoal', { destination: { file: logFile } });
  logClosedPaths(logger, closed);
  const store = new SqliteStore(join(options.dataDir, 'manager', 'shoal.db'));
  const manager = await startManager({
    store,
    logger,
    dataDir: join(options.dataDir, 'manager'),
    host: options.host ?? '127.0.0.1',
    port: options.port,
    // Only the local agent uses it here: any free port, so `shoal up` needs no second port number.
    agentPort: 0,
    ...(options.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: options.heartbeatPeriodMs } : {}),
    ...(options.auditRetentionMs !== undefined ? { auditRetentionMs: options.auditRetentionMs } : {}),
    ...(options.clusterCidr !== undefined ? { clusterCidr: options.clusterCidr } : {}),
  });
  // The local agent joins with the manager token, kept (only) in the data dir, owner-readable;
  // after its first join it uses its certificate (DATA/agent) and needs the token only to come
  // back after its certificate expired while Shoal was stopped.
  const tokenFile = join(options.dataDir, 'manager', 'local-join-token');
  if (manager.newTokens) await writePrivateFile(tokenFile, manager.newTokens.manager);
  if (!existsSync(tokenFile)) throw new Error(`the local join token ${tokenFile} is missing; start with a new --data-dir`);
  const token = readFileSync(tokenFile, 'utf8').trim();
  const agent = await startAgent({
    managerAddress: `127.0.0.1:${manager.agentPort}`,
    token,
    dataDir: join(options.dataDir, 'agent'),
    executor: new DockerExecutor(options.dockerSocket ? { socketPath: options.dockerSocket } : {}),
    networking: true,
    logger: logger.child({ component: 'agent' }),
  });
  return {
    url: manager.url,
    logFile,
    ...(manager.newAdmin ? { newAdmin: manager.newAdmin } : {}),
    stop: async () => {
      await agent.stop();
      await manager.stop();
      await store.close();
      logger.flush();
    },
  };
}
