import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { sleep, waitFor } from './harness/wait.js';

describe('manager restart', () => {
  const cluster = new EmbeddedCluster();
  after(async () => {
    await cluster.destroy();
  });

  test('kill -9 of shoal up: the next start adopts the same containers, no duplicates, no lost service', async () => {
    await cluster.start();
    const name = uniqueName('survivor');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 3 }) });
    await waitFor('3 running', async () => (await cluster.runningTasks(name)).length === 3);
    const before = new Map<string, string>();
    for (const c of await cluster.containers(name)) {
      before.set(c.Id, (await cluster.docker.getContainer(c.Id).inspect()).State.StartedAt);
    }
    assert.equal(before.size, 3);
    const nodeId = cluster.nodeId;

    await cluster.kill();
    const stillRunning = (await cluster.containers(name)).filter((c) => c.State === 'running');
    assert.equal(stillRunning.length, 3, 'containers outlive the manager');

    await cluster.start();
    assert.equal(cluster.nodeId, nodeId, 'the agent rejoined as the same node');
    await waitFor('3 running after restart', async () => (await cluster.runningTasks(name)).length === 3);
    await sleep(3000);
    const after = await cluster.containers(name);
    assert.equal(after.length, 3, 'no duplicate containers');
    for (const c of after) {
      assert.ok(before.has(c.Id), 'the same containers were adopted');
      assert.equal(c.State, 'running');
      assert.equal((await cluster.docker.getContainer(c.Id).inspect()).State.StartedAt, before.get(c.Id), 'not restarted');
    }
    const tasks = await cluster.runningTasks(name);
    assert.deepEqual(tasks.map((t) => t.slot).sort(), [1, 2, 3]);
    assert.deepEqual(new Set(tasks.map((t) => t.status.containerId)), new Set(before.keys()));
    await cluster.client.removeService(name);
  });
});
