/**
 * A whole cluster in this process with no Docker: the manager (SQLite store in a temp dir,
 * HTTP and agent sessions on a loopback port) and K agents, each with an in-memory FakeExecutor,
 * each joined (token, CSR, certificate) and connected over its own mutual-TLS WebSocket session as a remote agent would. A 1,000-replica service is
 * created through the REST API; timed until every task is running, then until its removal left
 * no task behind. RSS is the whole process: manager, K agents and their fake containers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeObject, TaskObject } from '../src/api/objects.js';
import { startAgent, type RunningAgent } from '../src/agent/agent.js';
import { FakeExecutor } from '../src/agent/executor/fake/fake-executor.js';
import { ShoalClient } from '../src/client/shoal-client.js';
import { createLogger, type Logger } from '../src/lib/logger.js';
import { startManager, type RunningManager } from '../src/manager/manager.js';
import { SqliteStore } from '../src/manager/store/sqlite-store.js';
import { onCleanup, throwIfInterrupted } from './lib/cleanup.js';
import { Phases, pollUntil } from './lib/poll.js';
import { isAssigned, isRunning } from './lib/shoal.js';

export interface FakeClusterResult {
  agents: number;
  replicas: number;
  /** Starting K agents until K nodes are ready. */
  joinMs: number;
  /** Create request until every task is assigned to a node. */
  assignedMs: number | undefined;
  /** Create request until every task is running. */
  runningMs: number;
  /** Remove request until no task of the service is left in the store. */
  removeMs: number | undefined;
  rssBeforeBytes: number;
  rssJoinedBytes: number;
  rssPeakBytes: number;
  /** Nodes holding at least one task, and the most tasks on one node (spread check). */
  nodesUsed: number;
  maxPerNode: number;
  /** Warnings and errors the manager and agents logged (to a file in the temp dir), counted by message. */
  log: string;
}

export async function fakeCluster(agentCount: number, replicas: number): Promise<FakeClusterResult> {
  global.gc?.();
  const rssBeforeBytes = process.memoryUsage().rss;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-fake-'));
  const logFile = join(dir, 'shoal.log');
  const undoDir = onCleanup(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const logger = createLogger('shoal-bench', { level: process.env.SHOAL_LOG_LEVEL ?? 'warn', destination: { file: logFile, sync: true } });
  const store = new SqliteStore(join(dir, 'manager', 'shoal.db'));
  let manager: RunningManager | undefined;
  const agents: RunningAgent[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(agents.splice(0).map((a) => a.stop().catch(() => undefined)));
    await manager?.stop().catch(() => undefined);
    manager = undefined;
    await store.close().catch(() => undefined);
  };
  const undoCluster = onCleanup(`the in-process fake cluster (${agentCount} agents)`, stopAll);
  try {
    manager = await startManager({ store, logger, dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0 });
    const token = manager.newTokens?.worker;
    if (!token) throw new Error('the manager returned no join token on its first start');
    const admin = manager.newAdmin;
    if (!admin) throw new Error('the manager created no administrator on its first start');
    const client = new ShoalClient({ baseUrl: manager.url, timeoutMs: 60_000, apiKey: { accessKey: admin.accessKey, secret: admin.secret } });

    const j0 = performance.now();
    for (let i = 0; i < agentCount; i++) {
      throwIfInterrupted();
      const hostname = `fake-${String(i).padStart(3, '0')}`;
      agents.push(
        await startAgent({
          managerAddress: `127.0.0.1:${manager.agentPort}`,
          token,
          dataDir: join(dir, 'agents', hostname),
          executor: new FakeExecutor({ hostname }),
          logger,
          hostname,
        }),
      );
    }
    await pollUntil(`${agentCount} ready nodes`, async () => {
      const nodes = await store.list<NodeObject>('node');
      return nodes.filter((n) => n.status.state === 'ready').length >= agentCount ? true : undefined;
    }, { everyMs: 50, timeoutMs: 120_000 });
    const joinMs = performance.now() - j0;
    const rssJoinedBytes = process.memoryUsage().rss;
    let rssPeakBytes = rssJoinedBytes;

    const name = `bench-fake-${agentCount}`;
    const t0 = performance.now();
    await client.createService({ name, spec: { image: 'bench/fake:1', replicas, stopSignal: 'SIGKILL' } });
    const phases = new Phases(t0);
    const live = await pollUntil(`${replicas} running fake tasks`, async () => {
      rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage().rss);
      const tasks = (await store.list<TaskObject>('task')).filter((t) => t.serviceName === name && t.desiredState === 'running');
      phases.mark('assigned', tasks.filter(isAssigned).length >= replicas);
      return tasks.filter(isRunning).length >= replicas ? tasks : undefined;
    }, { everyMs: 50, timeoutMs: 300_000 });
    const runningMs = performance.now() - t0;
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage().rss);

    const perNode = new Map<string, number>();
    for (const t of live) if (t.nodeId) perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);

    const r0 = performance.now();
    await client.removeService(name);
    let removeMs: number | undefined;
    try {
      await pollUntil(`the tasks of ${name} to be gone`, async () => {
        const left = (await store.list<TaskObject>('task')).filter((t) => t.serviceName === name);
        return left.length === 0 ? true : undefined;
      }, { everyMs: 50, timeoutMs: 120_000 });
      removeMs = performance.now() - r0;
    } catch (err) {
      console.error(`bench: fake cluster (${agentCount} agents): ${err instanceof Error ? err.message : String(err)}`);
    }

    return {
      agents: agentCount,
      replicas,
      joinMs,
      assignedMs: phases.get('assigned'),
      runningMs,
      removeMs,
      rssBeforeBytes,
      rssJoinedBytes,
      rssPeakBytes,
      nodesUsed: perNode.size,
      maxPerNode: Math.max(0, ...perNode.values()),
      log: logSummary(logger, logFile),
    };
  } finally {
    await undoCluster();
    await undoDir();
  }
}

/** "3× msg, 1× other msg" of the warnings and errors logged, most frequent first. */
function logSummary(logger: Logger, file: string): string {
  logger.flush();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let msg = line.slice(0, 80);
    try {
      const parsed = JSON.parse(line) as { msg?: unknown };
      if (typeof parsed.msg === 'string') msg = parsed.msg;
    } catch {
      // not JSON: keep the raw start of the line
    }
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${n}× ${m}`).join('; ');
}
