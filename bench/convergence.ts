/**
 * Convergence on real containers: time from the create request until N tasks are running,
 * for Shoal (a real `shoal up` process) and for Docker Swarm mode on the same engine and image.
 * Both sides are polled the same way: one task list every 50 ms.
 */
import type Docker from 'dockerode';
import type { EmbeddedCluster } from '../test/harness/embedded-cluster.js';
import { webSpec } from '../test/harness/service-specs.js';
import { onCleanup } from './lib/cleanup.js';
import { cpuMeter, engineMatchers, type CpuUse } from './lib/cpu.js';
import { Phases, pollUntil } from './lib/poll.js';
import { traceConvergence, type PhaseTrace } from './lib/shoal-trace.js';
import { isAssigned, isLive, isRunning, removeShoalService, uniqueSuffix } from './lib/shoal.js';
import { isSwarmAssigned, type SwarmBench } from './lib/swarm.js';

export const image1 = 'shoal-test/busybox:1';
export const image2 = 'shoal-test/busybox:2';
export const pollMs = 50;

export interface ConvergenceSample {
  /** Create request until N tasks seen running (the headline number). */
  totalMs: number;
  /** How long the create request itself took. */
  createMs: number;
  /** Until every task was seen assigned to a node (or further). */
  assignedMs: number | undefined;
  /** Until the first task was seen running. */
  firstRunningMs: number | undefined;
  /** Service remove request until its containers were gone from the engine. */
  removeMs: number;
  /** Shoal only: per-step times from the manager's events. */
  trace?: PhaseTrace | undefined;
  /** CPU used from the create request until all running. */
  cpu?: CpuUse | undefined;
}

/** The `shoal up` process of a cluster, found by its data dir. */
export const shoalMatchers = (cluster: EmbeddedCluster): Record<string, (comm: string, cmdline: string) => boolean> => ({
  ...engineMatchers,
  'shoal up': (_comm, cmdline) => cmdline.includes(`--data-dir ${cluster.dataDir} `),
});

export async function shoalConvergence(cluster: EmbeddedCluster, n: number, run: number): Promise<ConvergenceSample> {
  const name = `bench-conv-${n}-${run}-${uniqueSuffix()}`;
  const revision = (await cluster.client.info()).revision;
  const meter = cpuMeter(shoalMatchers(cluster));
  const t0Epoch = Date.now();
  const t0 = performance.now();
  await cluster.client.createService({ name, spec: webSpec({ replicas: n, image: image1 }) });
  const createMs = performance.now() - t0;
  const phases = new Phases(t0);
  let totalMs = NaN;
  let trace: PhaseTrace | undefined;
  let cpu: CpuUse | undefined;
  const { removeMs } = await timedThenRemoved(t0, () => removeShoalService(cluster, name), async () => {
    await pollUntil(`${n} running tasks of ${name}`, async () => {
      const live = (await cluster.client.listTasks({ service: name })).filter(isLive);
      phases.mark('assigned', live.filter(isAssigned).length >= n);
      const running = live.filter(isRunning).length;
      phases.mark('firstRunning', running > 0);
      return running >= n ? true : undefined;
    }, { everyMs: pollMs });
    totalMs = performance.now() - t0;
    cpu = meter();
    // After the clock stopped: replays the manager's events of this run.
    trace = await traceConvergence(cluster.client, name, revision, t0Epoch).catch(() => undefined);
  });
  return { totalMs, removeMs, createMs, assignedMs: phases.get('assigned'), firstRunningMs: phases.get('firstRunning'), trace, cpu };
}

export async function swarmConvergence(swarm: SwarmBench, n: number, run: number): Promise<ConvergenceSample> {
  const name = `bench-conv-${n}-${run}-${uniqueSuffix()}`;
  const meter = cpuMeter(engineMatchers);
  const t0 = performance.now();
  await swarm.createService(name, image1, n);
  const createMs = performance.now() - t0;
  const phases = new Phases(t0);
  let totalMs = NaN;
  let cpu: CpuUse | undefined;
  const { removeMs } = await timedThenRemoved(t0, () => swarm.removeService(name), async () => {
    await pollUntil(`${n} running tasks of swarm service ${name}`, async () => {
      const live = await swarm.liveTasks(name);
      phases.mark('assigned', live.filter(isSwarmAssigned).length >= n);
      const running = live.filter((t) => t.Status.State === 'running').length;
      phases.mark('firstRunning', running > 0);
      return running >= n ? true : undefined;
    }, { everyMs: pollMs });
    totalMs = performance.now() - t0;
    cpu = meter();
  });
  return { totalMs, removeMs, createMs, assignedMs: phases.get('assigned'), firstRunningMs: phases.get('firstRunning'), cpu };
}

/**
 * Runs the measured wait, then always removes the service (timing the removal too), so the next
 * measurement starts from an empty engine even when this one failed.
 */
export async function timedThenRemoved(t0: number, remove: () => Promise<void>, wait: () => Promise<unknown>): Promise<{ totalMs: number; removeMs: number }> {
  let totalMs = NaN;
  let removeMs = NaN;
  try {
    await wait();
    totalMs = performance.now() - t0;
  } finally {
    const r0 = performance.now();
    await remove();
    removeMs = performance.now() - r0;
  }
  return { totalMs, removeMs };
}

/**
 * The engine's own floor, with no orchestrator: N containers of the same image created and
 * started through the Engine API, all at once, as both agents do. Timed until every start call
 * returned (the container is running then).
 */
export async function engineFloor(docker: Docker, n: number, run: number): Promise<{ totalMs: number; removeMs: number; cpu: CpuUse }> {
  const name = `bench-floor-${n}-${run}-${uniqueSuffix()}`;
  const label = `io.shoal.bench.floor=${name}`;
  const removeAll = async (): Promise<void> => {
    const left = await docker.listContainers({ all: true, filters: { label: [label] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  };
  const undo = onCleanup(`containers labelled ${label}`, removeAll);
  const meter = cpuMeter(engineMatchers);
  const t0 = performance.now();
  let totalMs: number;
  let cpu: CpuUse;
  try {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const c = await docker.createContainer({
          name: `${name}.${i + 1}`,
          Image: image1,
          Labels: { 'io.shoal.bench.floor': name },
          StopSignal: 'SIGKILL',
          HostConfig: { RestartPolicy: { Name: 'no' } },
        });
        await c.start();
      }),
    );
    totalMs = performance.now() - t0;
    cpu = meter();
  } catch (err) {
    await undo();
    throw err;
  }
  const r0 = performance.now();
  await undo();
  return { totalMs, removeMs: performance.now() - r0, cpu };
}
