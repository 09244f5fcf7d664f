/**
 * Rolling update on real containers: a 20-replica service moves from image :1 to :2, 5 tasks at
 * a time, no delay, no monitor period. Timed from the update request until the update reports
 * completed and all 20 running tasks run the new image. Creating the service and waiting for its
 * 20 tasks is set-up, not timed.
 */
import type { EmbeddedCluster } from '../test/harness/embedded-cluster.js';
import { webSpec } from '../test/harness/service-specs.js';
import { image1, image2, pollMs, timedThenRemoved } from './convergence.js';
import { Phases, pollUntil } from './lib/poll.js';
import { isLive, isRunning, removeShoalService, uniqueSuffix } from './lib/shoal.js';
import type { SwarmBench } from './lib/swarm.js';

export const updateReplicas = 20;
export const updateParallelism = 5;

export interface UpdateSample {
  /** Update request until completed and every running task on the new image. */
  totalMs: number;
  /** Until the service's update status said completed. */
  completedMs: number | undefined;
  /** Until the first task on the new image was seen running. */
  firstNewRunningMs: number | undefined;
}

export async function shoalRollingUpdate(cluster: EmbeddedCluster, run: number): Promise<UpdateSample> {
  const name = `bench-upd-${run}-${uniqueSuffix()}`;
  const spec = webSpec({ replicas: updateReplicas, image: image1, updateConfig: { parallelism: updateParallelism, delayMs: 0, monitorMs: 0 } });
  const client = cluster.client;
  await client.createService({ name, spec });
  let phases: Phases | undefined;
  await timedThenRemoved(0, () => removeShoalService(cluster, name), async () => {
    await pollUntil(`${updateReplicas} running tasks of ${name}`, async () => {
      const running = (await client.listTasks({ service: name })).filter((t) => isLive(t) && isRunning(t));
      return running.length >= updateReplicas ? true : undefined;
    });
    const before = await client.getService(name);
    const t0 = performance.now();
    const p = (phases = new Phases(t0));
    await client.updateService(name, { version: before.version, spec: { ...spec, image: image2 } });
    await pollUntil(`the update of ${name} to complete`, async () => {
      const service = await client.getService(name);
      const done = service.updateStatus?.state === 'completed';
      const tasks = await client.listTasks({ service: name });
      const onNew = tasks.filter((t) => isLive(t) && isRunning(t) && t.spec.image === image2).length;
      p.mark('completed', done);
      p.mark('firstNew', onNew > 0);
      return done && onNew >= updateReplicas ? true : undefined;
    }, { everyMs: pollMs });
    p.mark('total', true);
  });
  return { totalMs: phases?.get('total') ?? NaN, completedMs: phases?.get('completed'), firstNewRunningMs: phases?.get('firstNew') };
}

export async function swarmRollingUpdate(swarm: SwarmBench, run: number): Promise<UpdateSample> {
  const name = `bench-upd-${run}-${uniqueSuffix()}`;
  await swarm.createService(name, image1, updateReplicas, { parallelism: updateParallelism });
  let phases: Phases | undefined;
  await timedThenRemoved(0, () => swarm.removeService(name), async () => {
    await pollUntil(`${updateReplicas} running tasks of swarm service ${name}`, async () => {
      const running = (await swarm.liveTasks(name)).filter((t) => t.Status.State === 'running');
      return running.length >= updateReplicas ? true : undefined;
    });
    const t0 = performance.now();
    const p = (phases = new Phases(t0));
    await swarm.updateImage(name, image2);
    await pollUntil(`the update of swarm service ${name} to complete`, async () => {
      const service = await swarm.inspect(name);
      const done = service.UpdateStatus?.State === 'completed';
      const tasks = await swarm.liveTasks(name);
      const onNew = tasks.filter((t) => t.Status.State === 'running' && t.Spec.ContainerSpec?.Image === image2).length;
      p.mark('completed', done);
      p.mark('firstNew', onNew > 0);
      return done && onNew >= updateReplicas ? true : undefined;
    }, { everyMs: pollMs });
    p.mark('total', true);
  });
  return { totalMs: phases?.get('total') ?? NaN, completedMs: phases?.get('completed'), firstNewRunningMs: phases?.get('firstNew') };
}
