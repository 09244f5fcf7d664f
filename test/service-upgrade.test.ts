import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ShoalError } from '../src/api/errors.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { runShoal, type CliRun } from './harness/run-cli.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

describe('Rancher-style upgrades on a real Docker Engine', () => {
  const cluster = new EmbeddedCluster();
  const shoal = (...args: string[]): Promise<CliRun> => runShoal(cluster, args);

  /** Container id → [state, image] of the service's containers on the node. */
  const containers = async (name: string): Promise<Map<string, { state: string; image: string }>> =>
    new Map((await cluster.containers(name)).map((c) => [c.Id, { state: c.State, image: c.Image }]));
  const runningIds = async (name: string): Promise<string[]> =>
    [...(await containers(name))].filter(([, c]) => c.state === 'running').map(([id]) => id).sort();

  before(async () => {
    await cluster.start();
  });
  after(async () => {
    await cluster.destroy();
  });

  test('in-service upgrade keeps the old containers; confirm removes them; rollback starts the same containers again', async () => {
    const name = uniqueName('isu');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 2, updateConfig: { monitorMs: 0 }, rollbackConfig: { monitorMs: 0 } }) });
    const v1 = await waitFor('2 running on :1', async () => {
      const ids = await runningIds(name);
      return ids.length === 2 ? ids : undefined;
    }, 60000);

    const none = await shoal('service', 'upgrade', '--confirm', name);
    assert.equal(none.code, 1, none.stdout + none.stderr);
    assert.match(none.stderr, /has no in-service upgrade to confirm/);

    const up = await shoal('service', 'upgrade', name, '--image', 'shoal-test/busybox:2');
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /--confirm/);
    let all = await containers(name);
    for (const id of v1) assert.equal(all.get(id)?.state, 'exited', 'the old container is kept, stopped');
    const v2 = await runningIds(name);
    assert.equal(v2.length, 2);
    assert.ok(v2.every((id) => all.get(id)?.image === 'shoal-test/busybox:2'));
    const upgraded = await cluster.client.getService(name);
    assert.equal(upgraded.upgrade?.state, 'upgraded');
    assert.equal(upgraded.upgrade.keptTaskIds.length, 2);
    await assert.rejects(
      cluster.client.upgradeService(name, { spec: { ...upgraded.spec, image: 'shoal-test/busybox:1' } }),
      (err: unknown) => err instanceof ShoalError && err.code === 'failed_precondition',
      'a second upgrade waits for confirm or rollback',
    );

    const confirmed = await shoal('service', 'upgrade', '--confirm', name);
    assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    await waitFor('the kept containers removed', async () => {
      const now = await containers(name);
      return v1.every((id) => !now.has(id));
    }, 30000);
    assert.deepEqual(await runningIds(name), v2);
    assert.equal((await cluster.client.getService(name)).upgrade, undefined);

    // Upgrade again (back to :1), then roll back: the :2 containers themselves run again.
    const again = await shoal('service', 'upgrade', name, '--image', 'shoal-test/busybox:1');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const v3 = await runningIds(name);
    assert.equal(v3.length, 2);
    assert.ok(v3.every((id) => !v2.includes(id)));
    const rolled = await shoal('service', 'upgrade', '--rollback', name);
    assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
    await waitFor('the new containers removed', async () => {
      const now = await containers(name);
      return v3.every((id) => !now.has(id));
    }, 30000);
    assert.deepEqual(await runningIds(name), v2, 'the very same containers run again');
    all = await containers(name);
    assert.equal(all.size, 2);
    const service = await cluster.client.getService(name);
    assert.equal(service.spec.image, 'shoal-test/busybox:2');
    assert.equal(service.upgrade, undefined);
    const live = (await cluster.tasks(name)).filter((t) => t.desiredState === 'running');
    assert.deepEqual(live.map((t) => t.status.containerId).sort(), v2);
    assert.ok(live.every((t) => t.status.state === 'running' && t.adoptContainerId !== undefined));
    await cluster.client.removeService(name);
  });

  test('rolling upgrade to a new service with cleanup: NEW ends with 2 running, OLD is removed', async () => {
    const oldName = uniqueName('old');
    const newName = uniqueName('new');
    await cluster.client.createService({ name: oldName, spec: webSpec({ replicas: 2 }) });
    await cluster.client.createService({ name: newName, spec: webSpec({ replicas: 0, image: 'shoal-test/busybox:2' }) });
    await waitFor('OLD running', async () => (await cluster.runningTasks(oldName)).length === 2, 60000);

    const missing = await shoal('service', 'upgrade', oldName, newName);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--scale/);

    const run = await shoal('service', 'upgrade', oldName, newName, '--scale', '2', '--interval', '200ms', '--cleanup');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`${newName} scaled to 1[\\s\\S]*${oldName} scaled to 1[\\s\\S]*${newName} scaled to 2[\\s\\S]*${oldName} scaled to 0`));
    assert.match(run.stdout, new RegExp(`${oldName} removed`));
    assert.equal((await cluster.runningTasks(newName)).length, 2);
    await assert.rejects(cluster.client.getService(oldName), (err: unknown) => err instanceof ShoalError && err.code === 'not_found');
    await waitFor('OLD containers gone', async () => (await cluster.containers(oldName)).length === 0, 30000);
    const news = await cluster.containers(newName);
    assert.equal(news.filter((c) => c.State === 'running' && c.Image === 'shoal-test/busybox:2').length, 2);
    await cluster.client.removeService(newName);
  });
});
