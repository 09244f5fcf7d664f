// Starts a multi-host cluster, prints its nodes and timings, and removes it again.
// Usage: node --import tsx test/harness/multi-host/smoke-cli.ts [NODES]
import { startMultiHostCluster } from './cluster.js';

const cluster = await startMultiHostCluster({ nodes: Number(process.argv[2] ?? 3) });
try {
  for (const n of await cluster.client.listNodes()) {
    const r = n.resources;
    console.log(`${n.hostname} ${n.id} ${n.status.state} ${n.status.address} cpus=${r.nanoCpus / 1e9} mem=${Math.round(r.memoryBytes / 2 ** 20)}MiB engine=${n.engine.version}`);
  }
  console.log(JSON.stringify(cluster.timings));
} finally {
  const problems = await cluster.destroy();
  console.log(problems.length === 0 ? 'cleanup: nothing left' : `cleanup problems: ${problems.join('; ')}`);
}
