import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Docker from 'dockerode';
import { shoalLabels } from '../src/agent/exec/executor.js';
import type { TaskObject } from '../src/api/objects.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

/**
 * A node's engine keeps the bridge networks an agent made after the agent stops. A new cluster
 * on the same engine (a new data dir: `rm -rf ~/.shoal` and `shoal up`) is handed the same
 * ranges, and must clear the old cluster's networks out of its way, or say clearly what holds
 * the range when it cannot.
 */
const docker = new Docker();
const sleeper = webSpec({ command: ['sleep', '3600'] });

const runningTask = (cluster: EmbeddedCluster, service: string): Promise<TaskObject> =>
  waitFor(`a running task of ${service}`, async () => (await cluster.runningTasks(service)).find((t) => (t.status.addresses?.length ?? 0) > 0), 60_000, 200);

/** The newest failure of the service's tasks whose error matches `pattern`. */
const failureMatching = (cluster: EmbeddedCluster, service: string, pattern: RegExp): Promise<string> =>
  waitFor(`a task of ${service} failing with ${String(pattern)}`, async () => (await cluster.tasks(service)).map((t) => t.status.error ?? '').find((e) => pattern.test(e)), 60_000, 200);

const nodeNetworks = (nodeId: string): Promise<Docker.NetworkInspectInfo[]> => docker.listNetworks({ filters: { label: [`${shoalLabels.node}=${nodeId}`] } });

void describe('networks left by an earlier cluster', () => {
  void test('a new cluster on the same engine clears the old one\'s networks, once their containers are gone', async () => {
    // The same block for both, as two clusters with the default one would have; not the default
    // itself, so that other tests' clusters on this engine are not in the way.
    const upFlags = ['--cluster-cidr', '10.252.0.0/16'];
    const old = new EmbeddedCluster({ upFlags });
    const fresh = new EmbeddedCluster({ upFlags });
    try {
      await old.start();
      await old.client.createService({ name: 'web', spec: sleeper });
      const oldTask = await runningTask(old, 'web');
      await old.stop();
      const leftovers = await nodeNetworks(old.nodeId);
      assert.ok(leftovers.length > 0, 'the stopped agent left its networks');
      const oldContainers = await old.containers();
      assert.ok(oldContainers.some((c) => c.State === 'running'), 'and its containers, running');

      await fresh.start();
      await fresh.client.createService({ name: 'web', spec: sleeper });
      // The old cluster's container still uses the range: the new agent does not touch another
      // cluster's containers, and says what to do.
      const error = await failureMatching(fresh, 'web', /another Shoal cluster/);
      const leftover = leftovers[0];
      assert.ok(leftover);
      assert.match(error, new RegExp(`${leftover.Name} \\(${leftover.IPAM?.Config?.[0]?.Subnet?.replace(/\./g, '\\.')}\\)`), 'names the network and its range');
      const oldName = (await docker.getContainer(oldTask.status.containerId ?? '').inspect()).Name.replace(/^\//, '');
      assert.ok(error.includes(`docker rm -f ${oldName}`), `names the container still on it: ${error}`);
      assert.ok((await old.containers()).some((c) => c.State === 'running'), 'the old cluster\'s container is left alone');

      // Once it is gone, the new cluster removes the leftover and runs.
      for (const c of oldContainers) await docker.getContainer(c.Id).remove({ force: true, v: true });
      const task = await runningTask(fresh, 'web').catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${fresh.log().split('\n').filter((l) => /network/.test(l)).slice(-15).join('\n')}`);
      });
      assert.equal(task.status.state, 'running');
      assert.deepEqual(await nodeNetworks(old.nodeId), [], 'the old cluster\'s networks are gone');
    } finally {
      await fresh.destroy();
      await old.destroy();
    }
  });
});

void describe('--cluster-cidr', () => {
  void test('tasks get addresses from the given block; a network that is not Shoal\'s in the way is named; the block is fixed', async () => {
    const cidr = '10.253.0.0/16';
    const cluster = new EmbeddedCluster({ upFlags: ['--cluster-cidr', cidr] });
    // Someone else's network on the block's first ranges: the node's first range (.64/26) is in it.
    const blocker = `shoal-test-lan-${Date.now().toString(36)}`;
    await docker.createNetwork({ Name: blocker, Driver: 'bridge', CheckDuplicate: true, IPAM: { Driver: 'default', Config: [{ Subnet: '10.253.0.0/24' }] } });
    try {
      await cluster.start();
      await cluster.client.createService({ name: 'web', spec: sleeper });
      const error = await failureMatching(cluster, 'web', /not Shoal's/);
      assert.ok(error.includes(`network ${blocker} (10.253.0.0/24)`), error);
      assert.match(error, /--cluster-cidr/);
      assert.ok(await docker.getNetwork(blocker).inspect(), 'it is left alone');

      await docker.getNetwork(blocker).remove();
      const task = await runningTask(cluster, 'web');
      const ip = task.status.addresses?.[0]?.ip ?? '';
      assert.match(ip, /^10\.253\./, `${ip} is in ${cidr}`);

      // A later start may repeat the block, or leave it out, but not change it.
      await cluster.stop();
      cluster.upFlags.splice(0, 2, '--cluster-cidr', '10.254.0.0/16');
      await assert.rejects(cluster.start(), /exited \(1\).*--cluster-cidr "10\.254\.0\.0\/16": fixed when the cluster was created: this cluster's is 10\.253\.0\.0\/16, not 10\.254\.0\.0\/16/s);
    } finally {
      await cluster.destroy();
      await (docker.getNetwork(blocker).remove() as Promise<unknown>).catch(() => undefined);
    }
  });
});
