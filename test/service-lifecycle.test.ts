import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { sleep, waitFor } from './harness/wait.js';

describe('services on a real Docker Engine', () => {
  const cluster = new EmbeddedCluster();
  before(async () => {
    await cluster.start();
  });
  after(async () => {
    await cluster.destroy();
  });

  test('3 replicas run as 3 containers with labels, env and published ports that answer', async () => {
    const name = uniqueName('web');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 3, env: { GREETING: 'hello' }, ports: [{ target: 80 }] }) });
    const running = await waitFor('3 running tasks', async () => {
      const r = await cluster.runningTasks(name);
      return r.length === 3 ? r : undefined;
    });
    assert.deepEqual(running.map((t) => t.slot).sort(), [1, 2, 3]);
    const containers = (await cluster.containers(name)).filter((c) => c.State === 'running');
    assert.equal(containers.length, 3);
    for (const c of containers) {
      const task = running.find((t) => t.id === c.Labels['io.shoal.task.id']);
      assert.ok(task, 'every container belongs to a running task');
      assert.equal(c.Labels['io.shoal.service.name'], name);
      assert.equal(c.Labels['io.shoal.task.slot'], String(task.slot));
      assert.equal(c.Labels['io.shoal.env'], 'default');
      const info = await cluster.docker.getContainer(c.Id).inspect();
      assert.ok(info.Config.Env.includes('GREETING=hello'));
      assert.equal(info.HostConfig.RestartPolicy?.Name ?? 'no', 'no', 'Shoal restarts tasks, not Docker');
      const engineAddresses = Object.entries(info.NetworkSettings.Networks)
        .filter(([, n]) => n.IPAddress)
        .map(([network, n]) => ({ network, ip: n.IPAddress }));
      assert.ok(engineAddresses.length > 0, 'the container has an address (published ports keep a bridge address)');
      assert.deepEqual(task.status.addresses, engineAddresses, 'the task reports the addresses docker inspect shows');
      const hostPort = info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
      assert.ok(hostPort, 'port 80 is published');
      const body = await waitFor('the published port to answer', async () => (await fetch(`http://127.0.0.1:${hostPort}/`)).text());
      assert.match(body, /shoal test image v1/);
    }
    await cluster.client.removeService(name);
    await waitFor('containers removed', async () => (await cluster.containers(name)).length === 0);
  });

  test('a killed container is replaced by a new task in the same slot; restart none keeps it down', async () => {
    const name = uniqueName('restart');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 2, restartPolicy: { condition: 'any', delayMs: 300 } }) });
    const [victim] = await waitFor('2 running', async () => {
      const r = await cluster.runningTasks(name);
      return r.length === 2 ? r : undefined;
    });
    assert.ok(victim?.status.containerId);
    await cluster.docker.getContainer(victim.status.containerId).kill();
    const replacement = await waitFor('a replacement in the same slot', async () =>
      (await cluster.runningTasks(name)).find((t) => t.slot === victim.slot && t.id !== victim.id),
    );
    assert.equal(replacement.restartOf, victim.id);
    const old = (await cluster.tasks(name)).find((t) => t.id === victim.id);
    assert.equal(old?.status.state, 'failed');
    assert.equal(old?.status.exitCode, 137);
    assert.equal(old?.desiredState, 'shutdown');

    const once = uniqueName('once');
    await cluster.client.createService({ name: once, spec: webSpec({ replicas: 1, restartPolicy: { condition: 'none', delayMs: 100 } }) });
    const [only] = await waitFor('1 running', async () => {
      const r = await cluster.runningTasks(once);
      return r.length === 1 ? r : undefined;
    });
    assert.ok(only?.status.containerId);
    await cluster.docker.getContainer(only.status.containerId).kill();
    await waitFor('the task to fail', async () => (await cluster.tasks(once)).find((t) => t.id === only.id && t.status.state === 'failed'));
    await sleep(1500);
    const tasks = await cluster.tasks(once);
    assert.equal(tasks.length, 1, 'no new task was made');
    assert.equal((await cluster.containers(once)).filter((c) => c.State === 'running').length, 0);
    await cluster.client.removeService(name);
    await cluster.client.removeService(once);
  });

  test('scale 3 → 6 → 1', async () => {
    const name = uniqueName('scale');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 3 }) });
    for (const n of [3, 6, 1]) {
      if (n !== 3) await cluster.client.scaleService(name, n);
      await waitFor(`${n} running containers`, async () => {
        const running = (await cluster.containers(name)).filter((c) => c.State === 'running');
        const tasks = await cluster.runningTasks(name);
        return running.length === n && tasks.length === n;
      });
    }
    assert.deepEqual((await cluster.runningTasks(name)).map((t) => t.slot), [1]);
    await cluster.client.removeService(name);
  });

  test('global service runs once on the node; drain shuts tasks down and leaves them pending with a reason; activate brings them back', async () => {
    const global = uniqueName('global');
    const web = uniqueName('drained');
    await cluster.client.createService({ name: global, spec: webSpec({ mode: 'global' }) });
    await cluster.client.createService({ name: web, spec: webSpec({ replicas: 2 }) });
    await waitFor('global + 2 replicas running', async () => (await cluster.runningTasks(global)).length === 1 && (await cluster.runningTasks(web)).length === 2);
    assert.equal((await cluster.runningTasks(global))[0]?.nodeId, cluster.nodeId);

    await cluster.client.updateNode(cluster.nodeId, { availability: 'drain' });
    const pending = await waitFor('replacements pending with a reason', async () => {
      const tasks = (await cluster.tasks(web)).filter((t) => t.desiredState === 'running');
      return tasks.length === 2 && tasks.every((t) => t.status.state === 'pending' && t.status.pendingReason) ? tasks : undefined;
    });
    assert.match(pending[0]?.status.pendingReason ?? '', /no suitable node.*1 node/);
    await waitFor('no container of either service running', async () => (await cluster.containers(web)).concat(await cluster.containers(global)).every((c) => c.State !== 'running'));

    await cluster.client.updateNode(cluster.nodeId, { availability: 'active' });
    await waitFor('both services back', async () => (await cluster.runningTasks(global)).length === 1 && (await cluster.runningTasks(web)).length === 2);
    await cluster.client.removeService(global);
    await cluster.client.removeService(web);
  });

  test('a missing image makes a rejected task with the engine message, and the manager keeps running', async () => {
    const name = uniqueName('missing');
    await cluster.client.createService({ name, spec: webSpec({ image: 'shoal-test/does-not-exist:1', restartPolicy: { condition: 'none' } }) });
    const task = await waitFor('a rejected task', async () => (await cluster.tasks(name)).find((t) => t.status.state === 'rejected'));
    assert.match(task.status.error ?? task.status.message, /does-not-exist/);
    assert.equal((await cluster.client.health()).status, 'ok');
    await cluster.client.removeService(name);
  });
});
