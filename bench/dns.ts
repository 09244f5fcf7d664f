/**
 * The agent's DNS resolver under load: queries per second and latency answered by one
 * `DnsServer` on loopback. The resolver runs in a worker thread (its own event loop, as it has
 * in an agent where it shares the process with little else), the load generator in the main
 * thread keeps `concurrency` queries outstanding on one UDP socket for `seconds`.
 */
import { createSocket } from 'node:dgram';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import dnsPacket from 'dns-packet';
import { DnsServer } from '../src/agent/dns/dns-server.js';
import { buildDnsTable } from '../src/agent/dns/dns-table.js';
import type { DnsServiceView } from '../src/api/dns-view.js';
import { printTable } from './lib/table.js';

export interface DnsBenchRow {
  query: string;
  answered: number;
  lost: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
}

interface Workload {
  label: string;
  name: string;
  type: dnsPacket.RecordType;
}

const workloads: Workload[] = [
  { label: 'service name in the stack, 3 tasks (A)', name: 'db', type: 'A' },
  { label: 'full name SERVICE.STACK.ENV.shoal.internal (A)', name: 'db.stack3.dev.shoal.internal', type: 'A' },
  { label: 'tasks.SERVICE, 20 tasks (A)', name: 'tasks.big', type: 'A' },
  { label: 'AAAA for a service (empty answer)', name: 'db', type: 'AAAA' },
  { label: 'unknown Shoal name (NXDOMAIN)', name: 'nothing.stack1.dev.shoal.internal', type: 'A' },
  { label: 'other name, forwarded to a loopback upstream', name: 'example.com', type: 'A' },
];

/** 10 stacks × 20 services × 3 tasks, a 20-task service, and the querying task at 127.0.0.1. */
function benchServices(): DnsServiceView[] {
  const out: DnsServiceView[] = [];
  for (let s = 0; s < 10; s++) {
    for (let v = 0; v < 20; v++) {
      const name = v === 0 ? 'db' : `svc${v}`;
      out.push({
        name,
        stack: `stack${s}`,
        env: 'dev',
        aliases: [`alias${v}`],
        tasks: [0, 1, 2].map((t) => ({ id: `${s}-${v}-${t}`, name: `stack${s}_${name}.${t + 1}.${s}${v}${t}`, ip: `10.${s}.${v}.${t + 2}`, running: true, healthy: true })),
      });
    }
  }
  out.push({ name: 'big', stack: 'stack3', env: 'dev', aliases: [], tasks: Array.from({ length: 20 }, (_, t) => ({ id: `big${t}`, name: `stack3_big.${t + 1}`, ip: `10.99.0.${t + 2}`, running: true, healthy: true })) });
  out.push({ name: 'client', stack: 'stack3', env: 'dev', aliases: [], tasks: [{ id: 'c1', name: 'stack3_client.1.c1', ip: '127.0.0.1', running: true, healthy: true }] });
  return out;
}

/** The worker: a fake upstream and the resolver; posts the resolver's port. */
async function resolverWorker(): Promise<void> {
  const upstream = createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: [question], answers: [{ type: 'A', name: question.name, ttl: 60, data: '203.0.113.7' }] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
  const server = new DnsServer({ address: '127.0.0.1', port: 0, upstreams: [{ address: '127.0.0.1', port: upstream.address().port }], maxForwards: 1024 });
  const { port } = await server.start();
  server.setTable(buildDnsTable({ services: benchServices() }));
  parentPort?.on('message', (m) => {
    if (m === 'stop') {
      void server.close().then(() => {
        upstream.close();
        parentPort?.postMessage({ metrics: server.metrics });
      });
    }
  });
  parentPort?.postMessage({ port });
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'dns-resolver') void resolverWorker();

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function load(port: number, w: Workload, concurrency: number, seconds: number): Promise<DnsBenchRow> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const template = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: w.type, name: w.name, class: 'IN' }] });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let nextId = 1;
  let lost = 0;
  let stopAt = 0;
  const send = (): void => {
    if (performance.now() >= stopAt) return;
    const id = nextId;
    nextId = (nextId % 0xffff) + 1;
    const q = Buffer.from(template);
    q.writeUInt16BE(id, 0);
    sentAt.set(id, performance.now());
    socket.send(q, port, '127.0.0.1');
  };
  socket.on('message', (msg) => {
    const t = sentAt.get(msg.readUInt16BE(0));
    if (t === undefined) return;
    sentAt.delete(msg.readUInt16BE(0));
    latencies.push(performance.now() - t);
    send();
  });
  // Warm-up, not counted: 0.5 s.
  stopAt = performance.now() + 500;
  for (let i = 0; i < concurrency; i++) send();
  await new Promise((r) => setTimeout(r, 600));
  sentAt.clear();
  latencies.length = 0;
  const started = performance.now();
  stopAt = started + seconds * 1000;
  for (let i = 0; i < concurrency; i++) send();
  // A query lost on the way (a full socket buffer) is counted and replaced after 1 s.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [id, t] of sentAt) {
      if (now - t > 1000) {
        sentAt.delete(id);
        lost++;
        send();
      }
    }
  }, 100);
  await new Promise((r) => setTimeout(r, seconds * 1000 + 200));
  clearInterval(sweep);
  const elapsed = (performance.now() - started) / 1000;
  socket.close();
  const sorted = Float64Array.from(latencies).sort();
  return { query: w.label, answered: latencies.length, lost, qps: latencies.length / elapsed, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

export async function dnsBench(opts: { seconds: number; concurrency: number }): Promise<DnsBenchRow[]> {
  // A worker does not inherit tsx's loader: register it there before loading this file.
  const code = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(code, { eval: true, workerData: { role: 'dns-resolver' } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { port: number }) => resolve(m.port));
    });
    const rows: DnsBenchRow[] = [];
    for (const w of workloads) {
      rows.push(await load(port, w, opts.concurrency, opts.seconds));
      const r = rows[rows.length - 1];
      if (r) console.log(`  ${w.label}: ${Math.round(r.qps)} queries/s, p99 ${r.p99Ms.toFixed(2)} ms`);
    }
    return rows;
  } finally {
    await worker.terminate();
  }
}

export function printDns(rows: DnsBenchRow[], opts: { seconds: number; concurrency: number }): void {
  printTable(
    `DNS resolver of one agent (UDP on loopback, resolver in its own thread, ${opts.concurrency} queries outstanding, ${opts.seconds} s each)`,
    ['query', 'queries/s', 'p50 (ms)', 'p99 (ms)', 'answered', 'lost'],
    rows.map((r) => [r.query, Math.round(r.qps).toLocaleString('en-US'), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.answered.toLocaleString('en-US'), r.lost]),
  );
}
