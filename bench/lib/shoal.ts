import type { TaskObject } from '../../src/api/objects.js';
import { stateRank } from '../../src/api/task-state.js';
import { EmbeddedCluster } from '../../test/harness/embedded-cluster.js';
import { onCleanup, throwIfInterrupted } from './cleanup.js';
import { pollUntil } from './poll.js';

export const isLive = (t: TaskObject): boolean => t.desiredState === 'running';
export const isAssigned = (t: TaskObject): boolean => stateRank(t.status.state) >= stateRank('assigned');
export const isRunning = (t: TaskObject): boolean => t.status.state === 'running';

/** A real `shoal up` process (manager + local agent on the machine's engine), undone on exit. */
export async function startShoal(): Promise<{ cluster: EmbeddedCluster; close: () => Promise<void> }> {
  throwIfInterrupted();
  const cluster = new EmbeddedCluster();
  const close = onCleanup(`the shoal cluster in ${cluster.dataDir}`, () => cluster.destroy());
  try {
    await cluster.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { cluster, close };
}

/** Removes the service and waits until its containers are gone from the engine. */
export async function removeShoalService(cluster: EmbeddedCluster, name: string): Promise<void> {
  await cluster.client.removeService(name).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'not_found') throw err;
  });
  await pollUntil(`the containers of shoal service ${name} to be gone`, async () => ((await cluster.containers(name)).length === 0 ? true : undefined), {
    everyMs: 100,
    timeoutMs: 120_000,
  });
}

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
