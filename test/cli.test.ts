import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { runShoal, type CliRun } from './harness/run-cli.js';
import { uniqueName } from './harness/service-specs.js';

describe('the shoal CLI against a real cluster', () => {
  const cluster = new EmbeddedCluster();
  const shoal = (...args: string[]): Promise<CliRun> => runShoal(cluster, args);

  before(async () => {
    await cluster.start();
  });
  after(async () => {
    await cluster.destroy();
  });

  test('create waits and shows replicas converging; ls, ps, scale, update and rm work', async () => {
    const name = uniqueName('cli');
    const created = await shoal('service', 'create', '--name', name, '--replicas', '2', '--stop-signal', 'KILL', '-e', 'A=1', '--update-parallelism', '2', '--update-monitor', '500ms', 'shoal-test/busybox:1');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /2\/2 running/);

    const ls = await shoal('service', 'ls', '--format', 'json');
    assert.equal(ls.code, 0, ls.stderr);
    const listed = (JSON.parse(ls.stdout) as { name: string; replicas: { running: number } }[]).find((s) => s.name === name);
    assert.equal(listed?.replicas.running, 2);

    const ps = await shoal('service', 'ps', name);
    assert.equal(ps.code, 0, ps.stderr);
    assert.equal(ps.stdout.split('\n').filter((l) => l.includes(`${name}.`) && /Running/.test(l)).length, 2);

    const scaled = await shoal('service', 'scale', `${name}=3`);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal((await cluster.runningTasks(name)).length, 3);

    const updated = await shoal('service', 'update', '--image', 'shoal-test/busybox:2', name);
    assert.equal(updated.code, 0, updated.stderr);
    const service = await cluster.client.getService(name);
    assert.equal(service.updateStatus?.state, 'completed');
    assert.ok((await cluster.runningTasks(name)).every((t) => t.spec.image === 'shoal-test/busybox:2'));

    const inspect = await shoal('service', 'inspect', name);
    assert.equal((JSON.parse(inspect.stdout) as { spec: { env: Record<string, string> } }[])[0]?.spec.env.A, '1');
    const table = await shoal('service', 'inspect', '--format', 'table', name);
    assert.equal(table.code, 0, table.stderr);
    for (const t of await cluster.runningTasks(name)) {
      const ip = t.status.addresses?.[0]?.ip;
      assert.ok(ip, 'a running task has an address');
      // Every task is on its environment's network, shown by its Shoal name.
      assert.match(table.stdout, new RegExp(`^ +${name}\\.${t.slot} .*Running.* default=${ip.replaceAll('.', '\\.')}$`, 'm'));
    }

    const rm = await shoal('service', 'rm', name);
    assert.equal(rm.code, 0, rm.stderr);
    await assert.rejects(cluster.client.getService(name), /not found/);
  });

  test('bad flags and unknown services: exit 1 with one line naming the problem, nothing created', async () => {
    const before = (await cluster.client.listServices()).length;
    const cases: [string[], RegExp][] = [
      [['service', 'create', '--replicas', '-1', 'shoal-test/busybox:1'], /--replicas/],
      [['service', 'create', '-p', '80:abc', 'shoal-test/busybox:1'], /--publish.*abc/],
      [['service', 'create', '--constraint', 'node.labels.zone=a', 'shoal-test/busybox:1'], /constraint/],
      [['service', 'create', '--restart-delay', 'soon', 'shoal-test/busybox:1'], /--restart-delay/],
      [['service', 'inspect', 'no-such-service'], /not found/],
      [['node', 'update', '--availability', 'sleep', 'no-such-node'], /availability|not found/],
    ];
    for (const [args, message] of cases) {
      const r = await shoal(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0] ?? '', /^shoal: /);
      assert.match(lines[0] ?? '', message);
    }
    assert.equal((await cluster.client.listServices()).length, before);
  });

  test('node ls shows the local node as ready', async () => {
    const r = await shoal('node', 'ls');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${cluster.nodeId}.*Ready.*Active`));
  });
});
