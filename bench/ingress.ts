/**
 * Ingress through a real service: an embedded `shoal up` on this machine's engine runs 3 tasks of
 * the test image (busybox httpd) with port 80 published in ingress mode; HTTP requests per second
 * and latency through the agent's ingress proxy on 127.0.0.1:PORT, against the same requests sent
 * straight to one task's bridge address. Every request opens its own connection (`agent: false`),
 * so each pays the proxy's accept, its connect to a task and both teardowns.
 */
import { request } from 'node:http';
import type { EmbeddedCluster } from '../test/harness/embedded-cluster.js';
import { freePort } from '../test/harness/free-port.js';
import { webSpec } from '../test/harness/service-specs.js';
import { image1 } from './convergence.js';
import { throwIfInterrupted } from './lib/cleanup.js';
import { pollUntil } from './lib/poll.js';
import { isLive, isRunning, removeShoalService, startShoal, uniqueSuffix } from './lib/shoal.js';
import { printTable } from './lib/table.js';

export interface ServiceIngressRow {
  path: string;
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ServiceIngressOptions {
  seconds: number;
  clients: number;
}

const replicas = 3;
const requestTimeoutMs = 5000;

/** One GET on a new connection; resolves once the whole 200 answer was read. */
function oneRequest(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: requestTimeoutMs }, (res) => {
      res.on('error', reject);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      res.resume();
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function load(path: string, url: URL, opts: ServiceIngressOptions): Promise<ServiceIngressRow> {
  const run = async (ms: number, latencies: number[] | undefined): Promise<number> => {
    let errors = 0;
    const stopAt = performance.now() + ms;
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (performance.now() < stopAt) {
          throwIfInterrupted();
          const t = performance.now();
          try {
            await oneRequest(url);
            latencies?.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }),
    );
    return errors;
  };
  // Warm-up, not counted: JIT and the first connections.
  await run(500, undefined);
  const latencies: number[] = [];
  const started = performance.now();
  const errors = await run(opts.seconds * 1000, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return { path, requests: latencies.length, errors, rps: latencies.length / elapsed, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** Waits for `count` running tasks that report an address; returns their first addresses. */
export async function taskIps(cluster: EmbeddedCluster, name: string, count = replicas): Promise<string[]> {
  let seen = 'no tasks';
  try {
    return await pollUntil(`${count} running tasks of ${name} with addresses`, async () => {
      const tasks = await cluster.client.listTasks({ service: name });
      seen = tasks.map((t) => `${t.status.state}${t.status.error ? ` (${t.status.error})` : ''}`).join(', ') || 'no tasks';
      const running = tasks.filter((t) => isLive(t) && isRunning(t));
      const ips = running.map((t) => t.status.addresses?.[0]?.ip).filter((ip): ip is string => ip !== undefined);
      return ips.length >= count ? ips : undefined;
    }, { everyMs: 200, timeoutMs: 120_000 });
  } catch (err) {
    // Why they did not run is in the tasks' states, not in the timeout.
    throw new Error(`${err instanceof Error ? err.message : String(err)}; tasks seen last: ${seen}`);
  }
}

export async function serviceIngressBench(opts: ServiceIngressOptions): Promise<ServiceIngressRow[]> {
  const progress = (text: string): void => console.log(`  ${new Date().toISOString().slice(11, 19)} ${text}`);
  // startShoal registers the cluster's cleanup (also on Ctrl-C): its containers, the engine
  // networks and packet filter chains of its node, and its data dir.
  const shoal = await startShoal();
  const name = `bench-ingress-${uniqueSuffix()}`;
  try {
    const port = await freePort();
    await shoal.cluster.client.createService({
      name,
      spec: webSpec({ replicas, image: image1, ports: [{ target: 80, published: port, protocol: 'tcp', mode: 'ingress' }] }),
    });
    const ips = await taskIps(shoal.cluster, name);
    progress(`${replicas} tasks running at ${ips.join(', ')}; ingress port ${port}`);
    const ingress = new URL(`http://127.0.0.1:${port}/`);
    await pollUntil(`${ingress.href} to answer`, async () => {
      await oneRequest(ingress);
      return true;
    }, { everyMs: 200, timeoutMs: 60_000 });
    const rows: ServiceIngressRow[] = [];
    const report = (r: ServiceIngressRow): void => {
      rows.push(r);
      progress(`${r.path}: ${Math.round(r.rps)} requests/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`);
    };
    report(await load(`through the ingress (127.0.0.1:${port}, ${replicas} tasks)`, ingress, opts));
    report(await load(`direct to one task (${ips[0]}:80)`, new URL(`http://${ips[0]}:80/`), opts));
    return rows;
  } finally {
    try {
      await removeShoalService(shoal.cluster, name);
    } catch (err) {
      progress(`removing ${name} failed (the cluster's cleanup removes its containers): ${err instanceof Error ? err.message : String(err)}`);
    }
    await shoal.close();
  }
}

export function printServiceIngress(rows: ServiceIngressRow[], opts: ServiceIngressOptions): void {
  printTable(
    `Ingress through a real service (${replicas} busybox httpd tasks, a new connection per request, ${opts.clients} clients, ${opts.seconds} s each)`,
    ['path', 'requests/s', 'p50 (ms)', 'p99 (ms)', 'requests', 'errors'],
    rows.map((r) => [r.path, Math.round(r.rps).toLocaleString('en-US'), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.requests.toLocaleString('en-US'), r.errors]),
  );
}
