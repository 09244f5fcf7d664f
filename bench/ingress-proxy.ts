/**
 * The agent's ingress proxy (`src/agent/ingress/`) measured alone: HTTP requests per second and
 * latency through one `IngressProxy` on loopback, against the same requests sent straight to
 * one backend. Three HTTP backends (127.0.0.1-3, one port, as three tasks) run in one worker
 * thread, the proxy in another (its own event loop, as in an agent), the clients in the main
 * thread: `clients` loops, each opening a connection per request (HTTP/1.0, no keep-alive, so
 * every request pays the proxy's accept, backend connect and teardown).
 */
import { connect } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { IngressProxy } from '../src/agent/ingress/ingress-proxy.js';
import { freePort, httpBackend, type HttpBackend } from '../src/agent/ingress/ingress-test-backends.js';
import { printTable } from './lib/table.js';

export interface IngressBenchRow {
  path: string;
  requests: number;
  failed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered by each backend (through the proxy: the balance). */
  byBackend: Record<string, number>;
}

const backendIps = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

interface Role {
  role: 'ingress-backends' | 'ingress-proxy';
  targetPort: number;
  port: number;
}

/** A worker: the backends or the proxy; posts 'ready', closes on 'stop' and posts 'stopped'. */
async function benchWorker(data: Role): Promise<void> {
  let stop: () => Promise<void>;
  if (data.role === 'ingress-backends') {
    const backends: HttpBackend[] = await Promise.all(backendIps.map((ip) => httpBackend(ip, data.targetPort)));
    stop = async () => {
      await Promise.all(backends.map((b) => b.stop()));
    };
  } else {
    const proxy = new IngressProxy({ host: '127.0.0.1' });
    const { errors } = await proxy.setRules([{ serviceId: 'bench', serviceName: 'bench', protocol: 'tcp', port: data.port, targetPort: data.targetPort, backends: backendIps }]);
    if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '));
    stop = () => proxy.close();
  }
  parentPort?.on('message', (m) => {
    if (m === 'stop') void stop().then(() => parentPort?.postMessage('stopped'));
  });
  parentPort?.postMessage('ready');
}

const role = (workerData as Role | undefined)?.role;
if (!isMainThread && (role === 'ingress-backends' || role === 'ingress-proxy')) void benchWorker(workerData as Role);

async function startWorker(data: Role): Promise<{ stop(): Promise<void> }> {
  // A worker does not inherit tsx's loader: register it there before loading this file.
  const code = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(code, { eval: true, workerData: data });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (c) => reject(new Error(`${data.role} worker exited with ${c}`)));
      worker.once('message', () => resolve());
    });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return {
    stop: async () => {
      const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000))]);
      await worker.terminate();
    },
  };
}

const requestBytes = Buffer.from('GET / HTTP/1.0\r\nHost: bench\r\n\r\n');

/** One request on a new connection; resolves with the body (the backend's address). */
function oneRequest(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    s.setTimeout(5000, () => s.destroy(new Error('timed out')));
    s.on('connect', () => s.write(requestBytes));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      if (text.startsWith('HTTP/1.1 200')) resolve(body);
      else reject(new Error(`unexpected answer ${text.slice(0, 40)}`));
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function load(path: string, port: number, clients: number, seconds: number): Promise<IngressBenchRow> {
  const run = async (ms: number, latencies: number[] | undefined, byBackend: Record<string, number>): Promise<number> => {
    let failed = 0;
    const stopAt = performance.now() + ms;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < stopAt) {
          const t = performance.now();
          try {
            const ip = await oneRequest(port);
            latencies?.push(performance.now() - t);
            byBackend[ip] = (byBackend[ip] ?? 0) + 1;
          } catch {
            failed++;
          }
        }
      }),
    );
    return failed;
  };
  // Warm-up, not counted: 0.5 s (JIT, the first connections).
  await run(500, undefined, {});
  const latencies: number[] = [];
  const byBackend: Record<string, number> = {};
  const started = performance.now();
  const failed = await run(seconds * 1000, latencies, byBackend);
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return { path, requests: latencies.length, failed, rps: latencies.length / elapsed, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), byBackend };
}

export async function ingressProxyBench(opts: { seconds: number; clients: number }): Promise<IngressBenchRow[]> {
  const targetPort = await freePort();
  const port = await freePort();
  const backends = await startWorker({ role: 'ingress-backends', targetPort, port });
  try {
    const rows: IngressBenchRow[] = [];
    const report = (r: IngressBenchRow): void => {
      rows.push(r);
      console.log(`  ${r.path}: ${Math.round(r.rps)} requests/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.failed} failed`);
    };
    report(await load('direct to one backend', targetPort, opts.clients, opts.seconds));
    const proxy = await startWorker({ role: 'ingress-proxy', targetPort, port });
    try {
      report(await load('through the ingress proxy (3 backends)', port, opts.clients, opts.seconds));
    } finally {
      await proxy.stop();
    }
    return rows;
  } finally {
    await backends.stop();
  }
}

export function printIngressProxy(rows: IngressBenchRow[], opts: { seconds: number; clients: number }): void {
  printTable(
    `Ingress proxy of one agent (HTTP/1.0 on loopback, a new connection per request, ${opts.clients} clients, ${opts.seconds} s each)`,
    ['path', 'requests/s', 'p50 (ms)', 'p99 (ms)', 'requests', 'failed', 'per backend'],
    rows.map((r) => [
      r.path,
      Math.round(r.rps).toLocaleString('en-US'),
      r.p50Ms.toFixed(2),
      r.p99Ms.toFixed(2),
      r.requests.toLocaleString('en-US'),
      r.failed,
      Object.entries(r.byBackend)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([ip, n]) => `${ip.split('.').at(-1) ?? ip}: ${n}`)
        .join(', '),
    ]),
  );
}
