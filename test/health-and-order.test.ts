import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TaskObject } from '../src/api/objects.js';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

describe('health checks and depends_on on a real Docker Engine', () => {
  const cluster = new EmbeddedCluster();
  const services: string[] = [];
  before(async () => {
    await cluster.start();
  });
  after(async () => {
    for (const name of services) await cluster.client.removeService(name).catch(() => undefined);
    await cluster.destroy();
  });

  test('web depending on db healthy starts only after db turns healthy', async () => {
    const db = uniqueName('db');
    const web = uniqueName('web');
    services.push(db, web);
    // Healthy only once /tmp/ready exists, which the command creates 2 s after start.
    await cluster.client.createService({
      name: db,
      spec: webSpec({
        command: ['/bin/sh', '-c', 'sleep 2; touch /tmp/ready; exec sleep 3600'],
        // The start period keeps the early failed probes from counting: healthy, not unhealthy, after 2 s.
        healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ready'], intervalMs: 500, timeoutMs: 2000, retries: 3, startPeriodMs: 10000 },
      }),
    });
    await cluster.client.createService({ name: web, spec: webSpec({ dependsOn: [{ service: db, condition: 'healthy' }] }) });

    let sawWaiting: TaskObject | undefined;
    const [webTask] = await waitFor('web to run', async () => {
      const tasks = (await cluster.tasks(web)).filter((t) => t.desiredState === 'running');
      const pending = tasks.find((t) => t.status.state === 'pending' && t.status.pendingReason);
      if (pending) sawWaiting ??= pending;
      return tasks.some((t) => t.status.state === 'running') ? tasks : undefined;
    }, 60000, 100);
    const [dbTask] = (await cluster.tasks(db)).filter((t) => t.desiredState === 'running');
    assert.ok(dbTask && webTask);

    assert.equal(sawWaiting?.status.pendingReason, `waiting for ${db} to be healthy`);
    assert.equal(dbTask.status.health, 'healthy');
    // The healthy report is the db task's last status change, so its timestamp is when it turned healthy.
    const healthyAt = ms(dbTask.status.timestamp);
    assert.ok(healthyAt - ms(dbTask.status.runningSince) >= 1500, 'db took its 2 s to become healthy');
    assert.ok(ms(webTask.createdAt) < healthyAt, 'the web task was made at once and waited');
    assert.ok(ms(webTask.status.runningSince) >= healthyAt, `web ran at ${webTask.status.runningSince}, db healthy at ${dbTask.status.timestamp}`);
  });

  test('an always-unhealthy service is replaced per its restart policy', async () => {
    const name = uniqueName('sick');
    services.push(name);
    await cluster.client.createService({
      name,
      spec: webSpec({
        healthcheck: { test: ['CMD-SHELL', 'false'], intervalMs: 300, timeoutMs: 1000, retries: 1 },
        restartPolicy: { condition: 'any', delayMs: 300 },
      }),
    });
    const { sick, replacement } = await waitFor('an unhealthy task to be replaced', async () => {
      const tasks = await cluster.tasks(name);
      const stopped = tasks.find((t) => t.stoppedUnhealthyAt !== undefined);
      const next = stopped && tasks.find((t) => t.restartOf === stopped.id);
      return stopped && next ? { sick: stopped, replacement: next } : undefined;
    }, 60000).catch(async (err: unknown) => {
      console.log(JSON.stringify(await cluster.tasks(name), null, 1), cluster.log().slice(-3000));
      throw err;
    });
    assert.equal(sick.desiredState, 'shutdown');
    assert.equal(sick.status.health, 'unhealthy');
    assert.equal(replacement.slot, sick.slot);
    // The replacement waits for the sick container to stop, then runs.
    const ended = await waitFor('the unhealthy task to end', async () => {
      const t = (await cluster.tasks(name)).find((x) => x.id === sick.id);
      return t && ['shutdown', 'failed', 'complete'].includes(t.status.state) ? t : undefined;
    }, 30000);
    const running = await waitFor('the replacement to run', async () => {
      const t = (await cluster.tasks(name)).find((x) => x.id === replacement.id);
      return t?.status.runningSince ? t : undefined;
    }, 30000);
    assert.ok(ms(running.status.runningSince) >= ms(ended.status.timestamp), 'the replacement started after the old one ended');
  });
});
