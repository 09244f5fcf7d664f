import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

const run = promisify(execFile);
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** The manager's event stream from the start, read for a moment. */
async function eventText(cluster: EmbeddedCluster): Promise<string> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 1500);
  let text = '';
  try {
    const res = await fetch(`${cluster.url}/v1/events?since=0`, { headers: { authorization: cluster.authorization }, signal: ctl.signal });
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += Buffer.from(chunk.value).toString('utf8');
    }
  } catch {
    // aborted: what arrived is enough
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('secrets and configs on a real Docker Engine', () => {
  const cluster = new EmbeddedCluster();
  before(async () => {
    await cluster.start();
  });
  after(async () => {
    await cluster.destroy();
  });

  test('a service naming a secret or config that does not exist is refused naming the reference, and nothing is created', async () => {
    const name = uniqueName('nofile');
    for (const [spec, field] of [
      [webSpec({ secrets: [{ source: `${name}-missing` }] }), 'spec.secrets[0].source'],
      [webSpec({ configs: [{ source: `${name}-missing` }] }), 'spec.configs[0].source'],
    ] as const) {
      const res = await fetch(`${cluster.url}/v1/services`, {
        method: 'POST',
        headers: { authorization: cluster.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ name, spec }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { field: string } }).error.field, field);
    }
    assert.equal((await cluster.client.listServices({ name })).length, 0);
  });

  test('a service reads its secret and config as files; a rotation replaces its task with the new content; the value never leaves the manager otherwise', async () => {
    const name = uniqueName('files');
    const secret = `${name}-pw`;
    const config = `${name}-conf`;
    const first = `first-${Math.random().toString(36).slice(2)}-value`;
    const second = `second-${Math.random().toString(36).slice(2)}-value`;
    const client = cluster.client;
    await client.createSecret({ name: secret, data: b64(first) });
    await client.createConfig({ name: config, data: b64('listen=80\n') });
    await client.createService({
      name,
      spec: webSpec({ secrets: [{ source: secret }], configs: [{ source: config, target: '/etc/app.conf' }], updateConfig: { monitorMs: 500 } }),
    });
    const cat = async (containerId: string, path: string): Promise<string> => (await run('docker', ['exec', containerId, 'cat', path])).stdout;
    try {
      const [task] = await waitFor('a running task', async () => {
        const r = await cluster.runningTasks(name);
        return r.length === 1 ? r : undefined;
      }, 60000);
      assert.ok(task?.status.containerId);
      assert.deepEqual(task.fileVersions, { [`secret/${secret}`]: 1, [`config/${config}`]: 1 });
      assert.equal(await cat(task.status.containerId, `/run/secrets/${secret}`), first);
      assert.equal(await cat(task.status.containerId, '/etc/app.conf'), 'listen=80\n');

      const rotated = await client.rotateSecret(secret, b64(second));
      assert.equal(rotated.currentVersion, 2);
      assert.deepEqual(rotated.usedBy.map((s) => s.name), [name]);
      const service = await client.getService(name);
      assert.match(service.updateStatus?.message ?? '', new RegExp(`secret "${secret}" rotated to version 2`));
      const replacement = await waitFor('a running task with the new version', async () =>
        (await cluster.runningTasks(name)).find((t) => t.id !== task.id && t.fileVersions?.[`secret/${secret}`] === 2), 60000);
      assert.ok(replacement.status.containerId);
      assert.equal(await cat(replacement.status.containerId, `/run/secrets/${secret}`), second);
      assert.equal(await cat(replacement.status.containerId, '/etc/app.conf'), 'listen=80\n');
      await waitFor('the old task to be stopped', async () => (await cluster.tasks(name)).find((t) => t.id === task.id)?.desiredState !== 'running');
      await waitFor('the update to complete', async () => (await client.getService(name)).updateStatus?.state === 'completed', 30000);

      const removeWhileUsed = await client.removeSecret(secret).then(() => 'removed', (err: Error) => err.message);
      assert.match(removeWhileUsed, new RegExp(`used by service ${name}`));

      const answers = JSON.stringify([
        await client.listSecrets(),
        await client.getSecret(secret),
        await client.listServices(),
        await client.getService(name),
        await client.listTasks({ service: name }),
        await client.listAudit({ limit: 10000 }),
        await client.listClusterAudit({ limit: 10000 }),
      ]);
      const events = await eventText(cluster);
      assert.ok(events.includes(name), 'the event stream was read');
      for (const value of [first, second]) {
        for (const form of [value, b64(value)]) {
          assert.ok(!answers.includes(form), `an API answer holds ${form}`);
          assert.ok(!events.includes(form), `the event stream holds ${form}`);
          assert.ok(!cluster.log().includes(form), `the log holds ${form}`);
        }
      }
    } finally {
      await client.removeService(name).catch(() => undefined);
      await waitFor('containers removed', async () => (await cluster.containers(name)).length === 0, 30000).catch(() => undefined);
      await client.removeSecret(secret).catch(() => undefined);
      await client.removeConfig(config).catch(() => undefined);
    }
  });
});
