/**
 * How fast names follow a task's death: an embedded `shoal up` on this machine's engine runs a
 * 3-task service and a probe container; the bench kills one task's container with the engine
 * (`docker kill`) and asks `tasks.NAME` from the probe (`docker exec nslookup`, so each answer
 * costs an exec, about 50-100 ms: that is the resolution) until the killed task's address is
 * gone, then until the replacement task's address is answered. The path measured: the agent
 * sees the exit, reports it, the manager writes it, re-plans and sends the plan, the agent swaps
 * its resolver's table.
 */
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { webSpec } from '../test/harness/service-specs.js';
import { image1 } from './convergence.js';
import { throwIfInterrupted } from './lib/cleanup.js';
import { taskIps } from './ingress.js';
import { pollUntil } from './lib/poll.js';
import { isLive, isRunning, removeShoalService, startShoal, uniqueSuffix } from './lib/shoal.js';
import { summarize, type Summary } from './lib/stats.js';
import { printTable } from './lib/table.js';

export interface DnsUpdateResult {
  kills: number;
  /** docker kill → the address no longer in the answers. */
  goneMs: Summary;
  /** docker kill → the replacement task's address in the answers. */
  replacedMs: Summary;
}

const replicas = 3;

async function answers(docker: Dockerode, probe: string, name: string): Promise<string[]> {
  const exec = await docker.getContainer(probe).exec({ Cmd: ['nslookup', name], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (out.push(chunk), done()) });
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve) => stream.on('end', resolve));
  // The first block is the server's own address; the answers follow.
  const text = Buffer.concat(out).toString('utf8').split(/\n\s*\n/).slice(1).join('\n');
  return [...text.matchAll(/Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] ?? '');
}

export async function dnsUpdateBench(kills: number): Promise<DnsUpdateResult> {
  const progress = (text: string): void => console.log(`  ${new Date().toISOString().slice(11, 19)} ${text}`);
  const shoal = await startShoal();
  const { cluster } = shoal;
  const suffix = uniqueSuffix();
  const name = `dnsu${suffix}`;
  const probeName = `dnsp${suffix}`;
  const gone: number[] = [];
  const replaced: number[] = [];
  try {
    await cluster.client.createService({ name, spec: webSpec({ replicas, image: image1, restartPolicy: { condition: 'any', delayMs: 0 } }) });
    await cluster.client.createService({ name: probeName, spec: webSpec({ replicas: 1, image: image1 }) });
    await taskIps(cluster, name, replicas);
    const [probeTask] = (await cluster.client.listTasks({ service: probeName })).filter((t) => isLive(t) && isRunning(t));
    const probe = probeTask?.status.containerId ?? (await pollUntil('the probe to run', async () => (await cluster.runningTasks(probeName))[0]?.status.containerId, { everyMs: 200, timeoutMs: 60_000 }));
    const query = `tasks.${name}`;
    for (let k = 0; k < kills; k++) {
      throwIfInterrupted();
      const before = await pollUntil(`${query} to answer ${replicas} addresses`, async () => {
        const a = await answers(cluster.docker, probe, query);
        return a.length === replicas ? a : undefined;
      }, { everyMs: 100, timeoutMs: 60_000 });
      const victim = (await cluster.runningTasks(name)).find((t) => before.includes(t.status.addresses?.[0]?.ip ?? ''));
      const victimIp = victim?.status.addresses?.[0]?.ip;
      if (!victim?.status.containerId || !victimIp) throw new Error('no running task to kill');
      const t0 = performance.now();
      await cluster.docker.getContainer(victim.status.containerId).kill();
      await pollUntil(`${victimIp} to leave the answers`, async () => ((await answers(cluster.docker, probe, query)).includes(victimIp) ? undefined : true), { everyMs: 0, timeoutMs: 30_000 });
      gone.push(performance.now() - t0);
      // The engine may give the replacement the freed address again: count, not addresses.
      await pollUntil('the replacement to be answered', async () => ((await answers(cluster.docker, probe, query)).length === replicas ? true : undefined), { everyMs: 0, timeoutMs: 60_000 });
      replaced.push(performance.now() - t0);
      progress(`kill ${k + 1}/${kills}: address gone from the answers after ${Math.round(gone[k] ?? 0)} ms, replacement answered after ${Math.round(replaced[k] ?? 0)} ms`);
    }
    return { kills, goneMs: summarize(gone), replacedMs: summarize(replaced) };
  } finally {
    for (const s of [name, probeName]) {
      await removeShoalService(cluster, s).catch((err: unknown) => progress(`removing ${s} failed (the cluster's cleanup removes its containers): ${err instanceof Error ? err.message : String(err)}`));
    }
    await shoal.close();
  }
}

export function printDnsUpdate(r: DnsUpdateResult): void {
  const ms = (s: Summary): string => `${Math.round(s.median)} (${Math.round(s.min)}-${Math.round(s.max)})`;
  printTable(
    `Names following a killed task (embedded node, ${replicas}-task service, tasks.NAME asked from a probe container by docker exec, ${r.kills} kills)`,
    ['from docker kill to', 'median (min-max) ms'],
    [
      ['its address gone from the answers', ms(r.goneMs)],
      ['the replacement task answered', ms(r.replacedMs)],
    ],
  );
}
