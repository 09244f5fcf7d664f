/**
 * Node failure on a real multi-host cluster (test/harness/multi-host): a manager on the host, an
 * agent on the host engine and agents with their own engines in network namespaces. Measures
 *   - SIGKILL of an agent → node marked down, and → all its tasks running on the other nodes;
 *   - `shoal agent` start → node ready, for the first join and for a restart (same node id).
 * Not wired into bench/main.ts yet. Run alone: node --import tsx bench/node-failure.ts [RUNS]
 */
import { pathToFileURL } from 'node:url';
import type { MultiHostCluster } from '../test/harness/multi-host/index.js';
import { containersOn, runningContainersOn, startMultiHostCluster, tasksPerNode, waitNodeState, waitRunning } from '../test/harness/multi-host/index.js';
import { webSpec } from '../test/harness/service-specs.js';
import { waitFor } from '../test/harness/wait.js';
import { summarize, spreadText, type Summary } from './lib/stats.js';
import { printTable } from './lib/table.js';

export interface NodeFailureResult {
  /** SIGKILL of the agent → the manager shows the node down. */
  killToDown: Summary;
  /** SIGKILL of the agent → every task of the service running again, none on that node. */
  killToRescheduled: Summary;
  /** First join: agent process start → node ready. */
  join: Summary;
  /** Agent restart (same data dir, same node id) → node ready. */
  rejoin: Summary;
  /** Cluster start (engines, images, manager, agents). */
  clusterStartMs: number;
}

async function oneKill(c: MultiHostCluster, run: number, victim: number): Promise<{ down: number; rescheduled: number; rejoin: number }> {
  const name = `nodefail-${run}-${Date.now().toString(36)}`;
  await c.client.createService({ name, spec: webSpec({ replicas: 6 }) });
  const running = await waitRunning(c, name, 6, { timeoutMs: 60_000 });
  if (tasksPerNode(c, running)[victim] === 0) throw new Error(`no task landed on ${c.node(victim).name}`);
  const killedAt = await c.killAgent(victim);
  await waitNodeState(c, victim, 'down', 30_000);
  const down = Date.now() - killedAt;
  await waitRunning(c, name, 6, { notOn: [victim], timeoutMs: 60_000 });
  const rescheduled = Date.now() - killedAt;
  const rejoin = await c.startAgent(victim);
  await waitFor('stale containers stopped', async () => (await runningContainersOn(c, victim, name)).length === 0, 30_000);
  await c.client.removeService(name);
  await waitFor('service containers removed', async () => {
    for (const n of c.nodes) if ((await containersOn(c, n.index, name)).length > 0) return false;
    return true;
  }, 30_000);
  return { down, rescheduled, rejoin };
}

/** `runs` kills (median reported), alternating between the namespaced nodes. */
export async function nodeFailureBench(runs = 5): Promise<NodeFailureResult> {
  const c = await startMultiHostCluster({ nodes: 3 });
  const down: number[] = [];
  const rescheduled: number[] = [];
  const rejoin: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const sample = await oneKill(c, run, 1 + (run % 2));
      down.push(sample.down);
      rescheduled.push(sample.rescheduled);
      rejoin.push(sample.rejoin);
    }
  } finally {
    await c.destroy();
  }
  return {
    killToDown: summarize(down),
    killToRescheduled: summarize(rescheduled),
    join: summarize(c.timings.joinMs),
    rejoin: summarize(rejoin),
    clusterStartMs: c.timings.totalMs,
  };
}

export function printNodeFailure(r: NodeFailureResult): void {
  printTable('Node failure (3 nodes, 6 replicas, heartbeat 1 s), seconds: median (min-max)', ['step', 'Shoal'], [
    ['SIGKILL of an agent → node down', spreadText(r.killToDown)],
    ['SIGKILL of an agent → its tasks running elsewhere', spreadText(r.killToRescheduled)],
    ['agent start → node ready (first join)', spreadText(r.join)],
    ['agent restart → node ready (same node id)', spreadText(r.rejoin)],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await nodeFailureBench(Number(process.argv[2] ?? 5));
  printNodeFailure(result);
  console.log(`\ncluster start: ${(result.clusterStartMs / 1000).toFixed(1)} s`);
}
