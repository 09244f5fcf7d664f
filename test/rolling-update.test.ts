import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ShoalEvent } from '../src/api/events.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

describe('rolling update and rollback on a real Docker Engine', () => {
  const cluster = new EmbeddedCluster();
  before(async () => {
    await cluster.start();
  });
  after(async () => {
    await cluster.destroy();
  });

  test('parallelism 2 with a delay: never more than 2 replicas down (from the event stream), ends completed on the new image', async () => {
    const name = uniqueName('roll');
    const replicas = 6;
    const update = { parallelism: 2, delayMs: 500, monitorMs: 500, order: 'stop-first' as const, failureAction: 'pause' as const };
    const created = await cluster.client.createService({ name, spec: webSpec({ replicas, updateConfig: update }) });
    await waitFor('6 running', async () => (await cluster.runningTasks(name)).length === replicas);

    const { revision } = await cluster.client.info();
    const running = new Set((await cluster.runningTasks(name)).map((t) => t.id));
    let maxDown = 0;
    const abort = new AbortController();
    const seen: ShoalEvent[] = [];
    const watching = (async () => {
      for await (const e of cluster.client.events({ since: revision, kind: 'task', signal: abort.signal })) {
        if (e.attributes.serviceId !== created.id || e.action !== 'task.state') continue;
        seen.push(e);
        if (e.attributes.to === 'running') running.add(e.objectId);
        else running.delete(e.objectId);
        maxDown = Math.max(maxDown, replicas - running.size);
      }
    })();

    const current = await cluster.client.getService(name);
    await cluster.client.updateService(name, { version: current.version, spec: { ...current.spec, image: 'shoal-test/busybox:2' } });
    const done = await waitFor('update completed', async () => {
      const s = await cluster.client.getService(name);
      return s.updateStatus?.state === 'completed' ? s : undefined;
    }, 90000);
    await waitFor('events caught up', () => running.size === replicas);
    abort.abort();
    await watching;

    assert.ok(seen.length >= replicas * 2, `the stream carried the task changes (${seen.length})`);
    assert.ok(maxDown <= 2, `at most 2 replicas down at once, saw ${maxDown}`);
    assert.ok(maxDown >= 1, 'the update did replace tasks');
    assert.equal(done.spec.image, 'shoal-test/busybox:2');
    const tasks = await cluster.runningTasks(name);
    assert.equal(tasks.length, replicas);
    assert.ok(tasks.every((t) => t.spec.image === 'shoal-test/busybox:2'));
    const containers = (await cluster.containers(name)).filter((c) => c.State === 'running');
    assert.equal(containers.length, replicas);
    assert.ok(containers.every((c) => c.Image === 'shoal-test/busybox:2'));
    await cluster.client.removeService(name);
  });

  test('an update whose containers exit at once rolls back to the old spec, running', async () => {
    const name = uniqueName('bad-update');
    await cluster.client.createService({
      name,
      spec: webSpec({
        replicas: 3,
        restartPolicy: { condition: 'any', delayMs: 200 },
        updateConfig: { parallelism: 1, monitorMs: 2000, failureAction: 'rollback' },
        rollbackConfig: { parallelism: 0, monitorMs: 500 },
      }),
    });
    await waitFor('3 running', async () => (await cluster.runningTasks(name)).length === 3);
    const current = await cluster.client.getService(name);
    await cluster.client.updateService(name, { version: current.version, spec: { ...current.spec, image: 'shoal-test/busybox:crash' } });
    const rolledBack = await waitFor('rollback completed', async () => {
      const s = await cluster.client.getService(name);
      return s.updateStatus?.state === 'rollback_completed' ? s : undefined;
    }, 90000);
    assert.equal(rolledBack.spec.image, 'shoal-test/busybox:1');
    const running = await waitFor('3 old-spec tasks running', async () => {
      const r = await cluster.runningTasks(name);
      return r.length === 3 && r.every((t) => t.spec.image === 'shoal-test/busybox:1') ? r : undefined;
    });
    assert.equal(running.length, 3);
    const failed = (await cluster.tasks(name)).filter((t) => t.spec.image === 'shoal-test/busybox:crash' && t.status.state === 'failed');
    assert.ok(failed.length >= 1, 'the crashing version was tried');
    assert.equal(failed[0]?.status.exitCode, 3);
    await cluster.client.removeService(name);
  });

  test('service rollback returns to the previous spec', async () => {
    const name = uniqueName('manual-rollback');
    await cluster.client.createService({ name, spec: webSpec({ replicas: 2, updateConfig: { parallelism: 0, monitorMs: 200 } }) });
    await waitFor('2 running', async () => (await cluster.runningTasks(name)).length === 2);
    const s = await cluster.client.getService(name);
    await cluster.client.updateService(name, { version: s.version, spec: { ...s.spec, image: 'shoal-test/busybox:2', env: { V: '2' } } });
    await waitFor('update completed', async () => (await cluster.client.getService(name)).updateStatus?.state === 'completed', 60000);
    await cluster.client.rollbackService(name);
    const back = await waitFor('rollback completed', async () => {
      const v = await cluster.client.getService(name);
      return v.updateStatus?.state === 'rollback_completed' ? v : undefined;
    }, 60000);
    assert.equal(back.spec.image, 'shoal-test/busybox:1');
    assert.deepEqual(back.spec.env, {});
    await waitFor('old image running', async () => {
      const r = await cluster.runningTasks(name);
      return r.length === 2 && r.every((t) => t.spec.image === 'shoal-test/busybox:1');
    });
    await cluster.client.removeService(name);
  });
});
