/**
 * `npm run bench`: Shoal beside Docker Swarm mode on this machine's engine, then the scheduler
 * micro-benchmark and the in-process fake cluster. Prints markdown tables.
 *
 *   --only=convergence,update,scheduler,fake,failover,dns,dns-update,ingress-proxy,ingress,audit   run a subset (default: all)
 *   --runs=3                                    measurements per Docker benchmark (median reported)
 *   --sizes=10,50                               replicas for the convergence benchmark
 *   --agents=50,200                             simulated nodes for the fake cluster
 *   --quick                                     a smoke run: one measurement, small sizes
 *   --audit-entries=50000,200000                audit history sizes for the audit benchmark
 *   --json=FILE                                 also write every sample as JSON
 *   --dns-seconds=5                             load time per DNS query kind (64 outstanding)
 *   --ingress-seconds=5 --ingress-clients=32    ingress proxy: load time per path, concurrent clients
 *                                               (ingress through a real service: same seconds, 16 clients
 *                                               unless --ingress-clients is given)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import Docker from 'dockerode';
import { engineFloor, shoalConvergence, swarmConvergence, type ConvergenceSample } from './convergence.js';
import { fakeCluster, type FakeClusterResult } from './fake-cluster.js';
import { cleanupAll, installSignalHandlers, throwIfInterrupted } from './lib/cleanup.js';
import { backgroundLoad } from './lib/cpu.js';
import { startShoal } from './lib/shoal.js';
import { summarize, spreadText, type Summary } from './lib/stats.js';
import type { PhaseTrace } from './lib/shoal-trace.js';
import { SwarmBench } from './lib/swarm.js';
import { mib, msText, printTable, sec } from './lib/table.js';
import { shoalRollingUpdate, swarmRollingUpdate, updateParallelism, updateReplicas, type UpdateSample } from './rolling-update.js';
import { schedulerMicro, type MicroRow } from './scheduler.js';
import { nodeFailureBench, printNodeFailure, type NodeFailureResult } from './node-failure.js';
import { dnsBench, printDns, type DnsBenchRow } from './dns.js';
import { dnsUpdateBench, printDnsUpdate, type DnsUpdateResult } from './dns-update.js';
import { ingressProxyBench, printIngressProxy, type IngressBenchRow } from './ingress-proxy.js';
import { printServiceIngress, serviceIngressBench, type ServiceIngressRow } from './ingress.js';
import { auditHistoryBench, printAuditHistory, type AuditBenchRow } from './audit-history.js';

type System = 'engine' | 'shoal' | 'swarm';
const benches = ['convergence', 'update', 'scheduler', 'fake', 'failover', 'dns', 'dns-update', 'ingress-proxy', 'ingress', 'audit'] as const;
type Bench = (typeof benches)[number];

interface Options {
  only: Set<Bench>;
  runs: number;
  sizes: number[];
  agents: number[];
  replicasFake: number;
  microNodes: number[];
  microTasks: number[];
  json: string | undefined;
  dnsSeconds: number;
  ingressSeconds: number;
  ingressClients: number;
  serviceIngressClients: number;
  auditEntries: number[];
}

function parseArgs(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m?.[1]) throw new Error(`unknown argument ${a}`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const quick = flags.get('quick') === 'true';
  const list = (key: string, dflt: number[]): number[] => flags.get(key)?.split(',').map(Number) ?? dflt;
  const only = new Set((flags.get('only')?.split(',') ?? [...benches]) as Bench[]);
  for (const b of only) if (!benches.includes(b)) throw new Error(`--only: unknown benchmark ${b} (one of ${benches.join(', ')})`);
  return {
    only,
    runs: Number(flags.get('runs') ?? (quick ? 1 : 3)),
    sizes: list('sizes', quick ? [10] : [10, 50]),
    agents: list('agents', quick ? [50] : [50, 200]),
    replicasFake: Number(flags.get('replicas') ?? 1000),
    microNodes: list('micro-nodes', [100, 1000]),
    microTasks: list('micro-tasks', quick ? [1000] : [1000, 5000]),
    json: flags.get('json'),
    dnsSeconds: Number(flags.get('dns-seconds') ?? (quick ? 2 : 5)),
    ingressSeconds: Number(flags.get('ingress-seconds') ?? (quick ? 2 : 5)),
    ingressClients: Number(flags.get('ingress-clients') ?? 32),
    serviceIngressClients: Number(flags.get('ingress-clients') ?? 16),
    auditEntries: list('audit-entries', quick ? [20_000] : [50_000, 200_000]),
  };
}

interface Results {
  convergence: { system: System; n: number; samples: ConvergenceSample[] }[];
  update: { system: System; samples: UpdateSample[] }[];
  micro: MicroRow[];
  fake: FakeClusterResult[];
  errors: string[];
}

const progress = (text: string): void => console.log(`  ${new Date().toISOString().slice(11, 19)} ${text}`);

async function dockerBenchmarks(opts: Options, results: Results): Promise<void> {
  const wantConv = opts.only.has('convergence');
  const wantUpd = opts.only.has('update');
  if (!wantConv && !wantUpd) return;
  await new Docker().ping();
  // One system at a time on the engine, so neither pays for the other's idle work. First the
  // engine alone (no orchestrator): the floor both systems stand on.
  const systems: System[] = wantConv ? ['engine', 'shoal', 'swarm'] : ['shoal', 'swarm'];
  for (const system of systems) {
    throwIfInterrupted();
    console.log(`\n== ${titles[system]}`);
    progress(`background CPU load before it (3 s, nothing of the bench running): ${(100 * (await backgroundLoad())).toFixed(0)}% of all cores`);
    let close: () => Promise<void>;
    let conv: (n: number, run: number) => Promise<ConvergenceSample>;
    let upd: ((run: number) => Promise<UpdateSample>) | undefined;
    if (system === 'engine') {
      const docker = new Docker();
      close = () => Promise.resolve();
      conv = async (n, run) => {
        const { totalMs, removeMs, cpu } = await engineFloor(docker, n, run);
        return { totalMs, removeMs, createMs: NaN, assignedMs: undefined, firstRunningMs: undefined, cpu };
      };
    } else if (system === 'shoal') {
      const shoal = await startShoal();
      close = shoal.close;
      conv = (n, run) => shoalConvergence(shoal.cluster, n, run);
      upd = (run) => shoalRollingUpdate(shoal.cluster, run);
    } else {
      const swarm = new SwarmBench();
      await swarm.init();
      close = () => swarm.close();
      conv = (n, run) => swarmConvergence(swarm, n, run);
      upd = (run) => swarmRollingUpdate(swarm, run);
    }
    try {
      if (wantConv) {
        for (const n of opts.sizes) {
          const entry = { system, n, samples: [] as ConvergenceSample[] };
          results.convergence.push(entry);
          for (let run = 1; run <= opts.runs; run++) {
            throwIfInterrupted();
            try {
              const s = await conv(n, run);
              entry.samples.push(s);
              progress(`${system} convergence N=${n} run ${run}: ${sec(s.totalMs)} s (all assigned ${sec(s.assignedMs)} s, first running ${sec(s.firstRunningMs)} s; remove ${sec(s.removeMs)} s)`);
            } catch (err) {
              results.errors.push(`${system} convergence N=${n} run ${run}: ${errText(err)}`);
              progress(`${system} convergence N=${n} run ${run} FAILED: ${errText(err)}`);
            }
          }
        }
      }
      if (wantUpd && upd) {
        const entry = { system, samples: [] as UpdateSample[] };
        results.update.push(entry);
        for (let run = 1; run <= opts.runs; run++) {
          throwIfInterrupted();
          try {
            const s = await upd(run);
            entry.samples.push(s);
            progress(`${system} rolling update run ${run}: ${sec(s.totalMs)} s (update state completed ${sec(s.completedMs)} s, first new task running ${sec(s.firstNewRunningMs)} s)`);
          } catch (err) {
            results.errors.push(`${system} rolling update run ${run}: ${errText(err)}`);
            progress(`${system} rolling update run ${run} FAILED: ${errText(err)}`);
          }
        }
      }
    } finally {
      await close();
    }
  }
}

const titles: Record<System, string> = {
  engine: 'Docker Engine alone: N containers created and started at once through the API (the floor)',
  shoal: 'Shoal (shoal up: manager + local agent)',
  swarm: 'Docker Swarm mode (single node)',
};

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const of = <T>(samples: T[], pick: (s: T) => number | undefined): Summary => summarize(samples.map(pick).filter((x): x is number => x !== undefined && !Number.isNaN(x)));

function printDocker(results: Results): void {
  if (results.convergence.length > 0) {
    printTable(
      'Convergence, real containers: create request → N tasks running (s, median (min-max) of runs)',
      ['system', 'N', 'runs', 'all running', 'all assigned', 'first running', 'create request', 'service rm → containers gone'],
      results.convergence.map(({ system, n, samples }) => [
        system,
        n,
        samples.length,
        spreadText(of(samples, (s) => s.totalMs)),
        spreadText(of(samples, (s) => s.assignedMs)),
        spreadText(of(samples, (s) => s.firstRunningMs)),
        spreadText(of(samples, (s) => s.createMs)),
        spreadText(of(samples, (s) => s.removeMs)),
      ]),
    );
  }
  if (results.update.length > 0) {
    printTable(
      `Rolling update, real containers: ${updateReplicas} replicas :1 → :2, parallelism ${updateParallelism}, delay 0, monitor 0 (s)`,
      ['system', 'runs', 'all on new image + completed', 'update state completed', 'first new task running'],
      results.update.map(({ system, samples }) => [
        system,
        samples.length,
        spreadText(of(samples, (s) => s.totalMs)),
        spreadText(of(samples, (s) => s.completedMs)),
        spreadText(of(samples, (s) => s.firstNewRunningMs)),
      ]),
    );
  }
  printTraces(results);
  printCpu(results);
  const rows: [string, Summary, Summary, Summary | undefined][] = [];
  for (const n of [...new Set(results.convergence.map((c) => c.n))]) {
    const get = (system: System): Summary => of(results.convergence.find((c) => c.system === system && c.n === n)?.samples ?? [], (s) => s.totalMs);
    rows.push([`convergence, ${n} replicas`, get('shoal'), get('swarm'), get('engine')]);
  }
  if (results.update.length > 0) {
    const get = (system: System): Summary => of(results.update.find((u) => u.system === system)?.samples ?? [], (s) => s.totalMs);
    rows.push([`rolling update, ${updateReplicas} replicas, parallelism ${updateParallelism}`, get('shoal'), get('swarm'), undefined]);
  }
  if (rows.length === 0) return;
  printTable(
    'Summary: Shoal beside Docker Swarm mode (median seconds)',
    ['benchmark', 'Shoal (s)', 'Swarm (s)', 'Shoal/Swarm ratio', 'engine alone (s)'],
    rows.map(([name, shoal, swarm, floor]) => [name, sec(shoal.median), sec(swarm.median), ratioText(shoal.median, swarm.median), floor ? sec(floor.median) : 'n/a']),
  );
  const conv = rows.filter(([name]) => name.startsWith('convergence'));
  const verdicts = conv.map(([name, shoal, swarm]) => {
    const r = shoal.median / swarm.median;
    return `${name}: ${Number.isNaN(r) ? 'not measured' : `${r.toFixed(2)}× (${r <= 0.5 ? 'met' : 'missed'})`}`;
  });
  console.log(`\nGoal: Shoal ≤ 0.5 × Swarm for convergence. ${verdicts.join('; ')}`);
}

function printCpu(results: Results): void {
  const rows = results.convergence.filter((c) => c.samples.some((s) => s.cpu));
  if (rows.length === 0) return;
  const c = (samples: ConvergenceSample[], key: string): string => sec(of(samples, (s) => (s.cpu ? (key === 'machine' ? s.cpu.machine : s.cpu.byName[key]) : undefined)).median);
  printTable(
    'CPU used during a convergence (CPU-seconds, median of runs; 2 cores = 2 CPU-s per s; "machine" includes everything else running)',
    ['system', 'N', 'wall (s)', 'machine busy', 'dockerd (+ swarmkit)', 'containerd', 'shoal up process', 'bench (poller)'],
    rows.map(({ system, n, samples }) => [
      system,
      n,
      sec(of(samples, (s) => s.totalMs).median),
      c(samples, 'machine'),
      c(samples, 'dockerd'),
      c(samples, 'containerd'),
      system === 'shoal' ? c(samples, 'shoal up') : 'n/a',
      c(samples, 'bench'),
    ]),
  );
}

function printTraces(results: Results): void {
  const shoal = results.convergence.filter((c) => c.system === 'shoal' && c.samples.some((s) => s.trace));
  if (shoal.length === 0) return;
  const t = (samples: ConvergenceSample[], pick: (tr: PhaseTrace) => number | undefined): string =>
    sec(of(samples, (s) => (s.trace ? pick(s.trace) : undefined)).median);
  printTable(
    'Where Shoal spends a convergence (manager events; s after the create request, median of runs)',
    ['N', 'last task created', 'last assigned', 'last accepted by agent', 'last starting', 'last running', 'mean assigned→accepted', 'mean accepted→starting', 'mean starting→running', 'task commits'],
    shoal.map(({ n, samples }) => [
      n,
      t(samples, (x) => x.lastCreated),
      t(samples, (x) => x.lastAssigned),
      t(samples, (x) => x.lastAccepted),
      t(samples, (x) => x.lastStarting),
      t(samples, (x) => x.lastRunning),
      t(samples, (x) => x.meanAssignedToAccepted),
      t(samples, (x) => x.meanAcceptedToStarting),
      t(samples, (x) => x.meanStartingToRunning),
      of(samples, (s) => s.trace?.commits).median,
    ]),
  );
}

const ratioText = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) || b === 0 ? '-' : `${(a / b).toFixed(2)}`);

function printMicro(rows: MicroRow[]): void {
  printTable(
    'Scheduler micro-benchmark (pure functions, synthetic views, 10 services; ms per pass, median (min-max))',
    ['pass', 'nodes', 'tasks', 'ms/pass', 'min-max', 'tasks/s'],
    rows.map((r) => [
      r.pass,
      r.nodes === 0 ? '-' : r.nodes,
      r.tasks,
      msText(r.ms.median),
      `${msText(r.ms.min)}-${msText(r.ms.max)}`,
      r.tasksPerSec === undefined ? '-' : Math.round(r.tasksPerSec).toLocaleString('en-US'),
    ]),
  );
}

function printFake(rows: FakeClusterResult[]): void {
  printTable(
    'Fake-executor cluster in one process (manager + K agents over WebSocket, SQLite store; no Docker)',
    ['agents', 'replicas', 'join K (s)', 'all assigned (s)', 'all running (s)', 'rm → no tasks (s)', 'RSS before (MiB)', 'RSS joined (MiB)', 'RSS peak (MiB)', 'nodes used', 'max/node'],
    rows.map((r) => [r.agents, r.replicas, sec(r.joinMs), sec(r.assignedMs), sec(r.runningMs), sec(r.removeMs), mib(r.rssBeforeBytes), mib(r.rssJoinedBytes), mib(r.rssPeakBytes), r.nodesUsed, r.maxPerNode]),
  );
  for (const r of rows) if (r.log) console.log(`  warnings/errors logged with ${r.agents} agents: ${r.log.slice(0, 600)}`);
}

async function main(): Promise<void> {
  installSignalHandlers();
  const opts = parseArgs(process.argv.slice(2));
  const results: Results = { convergence: [], update: [], micro: [], fake: [], errors: [] };
  const started = performance.now();
  let failover: NodeFailureResult | undefined;
  let dns: DnsBenchRow[] | undefined;
  let dnsUpdate: DnsUpdateResult | undefined;
  const dnsKills = opts.runs >= 3 ? 5 : 2;
  const dnsOpts = { seconds: opts.dnsSeconds, concurrency: 64 };
  let ingress: IngressBenchRow[] | undefined;
  const ingressOpts = { seconds: opts.ingressSeconds, clients: opts.ingressClients };
  let serviceIngress: ServiceIngressRow[] | undefined;
  let audit: AuditBenchRow[] | undefined;
  const serviceIngressOpts = { seconds: opts.ingressSeconds, clients: opts.serviceIngressClients };
  let engine = 'no engine';
  if (opts.only.has('convergence') || opts.only.has('update')) {
    const v = (await new Docker().version()) as { Version?: string; ApiVersion?: string };
    engine = `Docker Engine ${v.Version ?? '?'} (API ${v.ApiVersion ?? '?'})`;
  }
  console.log(`# Shoal benchmarks, ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${mib(totalmem())} MiB RAM, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}; ${engine}`);
  try {
    await dockerBenchmarks(opts, results);
    throwIfInterrupted();
    if (opts.only.has('scheduler')) {
      console.log('\n== scheduler micro-benchmark');
      results.micro = await schedulerMicro({ nodes: opts.microNodes, tasks: opts.microTasks, runs: 5 });
    }
    if (opts.only.has('fake')) {
      for (const k of opts.agents) {
        throwIfInterrupted();
        console.log(`\n== fake cluster: ${k} agents, ${opts.replicasFake} replicas`);
        try {
          const r = await fakeCluster(k, opts.replicasFake);
          results.fake.push(r);
          progress(`fake cluster K=${k}: all running ${sec(r.runningMs)} s, RSS peak ${mib(r.rssPeakBytes)} MiB`);
        } catch (err) {
          results.errors.push(`fake cluster K=${k}: ${errText(err)}`);
          progress(`fake cluster K=${k} FAILED: ${errText(err)}`);
        }
      }
    }
    if (opts.only.has('failover')) {
      throwIfInterrupted();
      console.log('\n== node failure and join: 3-node cluster in network namespaces, 5 agent kills');
      try {
        failover = await nodeFailureBench(5);
      } catch (err) {
        results.errors.push(`node failure: ${errText(err)}`);
        progress(`node failure FAILED: ${errText(err)}`);
      }
    }
    if (opts.only.has('dns')) {
      throwIfInterrupted();
      console.log(`\n== DNS resolver: one agent's resolver on loopback, ${dnsOpts.concurrency} queries outstanding`);
      try {
        dns = await dnsBench(dnsOpts);
      } catch (err) {
        results.errors.push(`dns: ${errText(err)}`);
        progress(`dns FAILED: ${errText(err)}`);
      }
    }
    if (opts.only.has('dns-update')) {
      throwIfInterrupted();
      console.log(`\n== names following a killed task: embedded node, ${dnsKills} kills`);
      try {
        dnsUpdate = await dnsUpdateBench(dnsKills);
      } catch (err) {
        results.errors.push(`dns-update: ${errText(err)}`);
        progress(`dns-update FAILED: ${errText(err)}`);
      }
    }
    if (opts.only.has('ingress-proxy')) {
      throwIfInterrupted();
      console.log(`\n== ingress proxy: one agent's proxy on loopback, ${ingressOpts.clients} clients, a connection per request`);
      try {
        ingress = await ingressProxyBench(ingressOpts);
      } catch (err) {
        results.errors.push(`ingress-proxy: ${errText(err)}`);
        progress(`ingress-proxy FAILED: ${errText(err)}`);
      }
    }
    if (opts.only.has('ingress')) {
      throwIfInterrupted();
      console.log(`\n== ingress through a real service: 3 tasks on this engine, ${serviceIngressOpts.clients} clients, a connection per request`);
      try {
        serviceIngress = await serviceIngressBench(serviceIngressOpts);
      } catch (err) {
        results.errors.push(`ingress: ${errText(err)}`);
        progress(`ingress FAILED: ${errText(err)}`);
      }
    }
    if (opts.only.has('audit')) {
      throwIfInterrupted();
      console.log(`\n== audit history: ${opts.auditEntries.join(', ')} entries`);
      try {
        audit = await auditHistoryBench(opts.auditEntries);
      } catch (err) {
        results.errors.push(`audit: ${errText(err)}`);
        progress(`audit FAILED: ${errText(err)}`);
      }
    }
  } finally {
    await cleanupAll();
  }
  console.log('\n## Results');
  printDocker(results);
  if (results.micro.length > 0) printMicro(results.micro);
  if (results.fake.length > 0) printFake(results.fake);
  if (failover) printNodeFailure(failover);
  if (dns) printDns(dns, dnsOpts);
  if (dnsUpdate) printDnsUpdate(dnsUpdate);
  if (ingress) printIngressProxy(ingress, ingressOpts);
  if (audit) printAuditHistory(audit);
  if (serviceIngress) printServiceIngress(serviceIngress, serviceIngressOpts);
  console.log(`\nbench: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2));
  if (results.errors.length > 0) {
    console.error(`\nbench: ${results.errors.length} measurement(s) failed:\n  ${results.errors.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch(async (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanupAll();
  process.exit(1);
});
