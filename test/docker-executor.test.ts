import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from './harness/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { newId } from '../src/lib/ids.js';
import { shoalLabels } from '../src/agent/exec/executor.js';
import { DockerExecutor } from '../src/agent/executor/docker/docker-executor.js';
import { executorContract, makeTestTask } from './executor-contract.js';

/** Every container and volume of this run carries this label, and only those are cleaned up. */
const runLabel = 'io.shoal.test.run';
const runId = `dx-${newId(10)}`;
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const makeExecutor = (): DockerExecutor => new DockerExecutor(docker, { scopeLabels: { [runLabel]: runId } });
const images = { run: 'shoal-test/busybox:1', crash: 'shoal-test/busybox:crash', missing: 'shoal-test/missing:nope' } as const;
const serviceName = `dx${runId.slice(3)}`;
const nodeN = { nodeId: 'nodeN', clusterId: `cluster-${runId}` };

after(async () => {
  const filters = { label: [`${runLabel}=${runId}`] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes) await docker.getVolume(v.Name).remove().catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await (docker.getNetwork(n.Id).remove() as Promise<unknown>).catch(() => undefined);
});

/** Runs a command in a running container; its stdout (stderr dropped). */
async function execOut(containerId: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (out.push(chunk), done()) });
  const drop = new Writable({ write: (_chunk, _enc, done) => done() });
  docker.modem.demuxStream(stream, sink, drop);
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(out).toString('utf8');
}

executorContract('docker', makeExecutor, (kind, spec) => makeTestTask({ image: images[kind], ...spec }, { serviceName }), {
  commandLine: async (_ex, id) => {
    const { Config } = await docker.getContainer(id).inspect();
    return { ...(Config.Entrypoint ? { entrypoint: [Config.Entrypoint].flat() } : {}), ...(Config.Cmd ? { cmd: Config.Cmd } : {}) };
  },
  file: async (_ex, id, path) => {
    // Mode, owner and writability first, one line; the content after it, as it is.
    const script = `stat -c '%a %u' "$1" || exit 0; if (: >> "$1") 2>/dev/null; then echo writable; else echo read-only; fi; cat "$1"`;
    const out = await execOut(id, ['/bin/sh', '-c', script, 'probe', path]);
    const m = /^(\d+) (\d+)\n(writable|read-only)\n([\s\S]*)$/.exec(out);
    if (!m) return undefined;
    return { content: m[4] ?? '', mode: parseInt(m[1] ?? '', 8), uid: Number(m[2]), writable: m[3] === 'writable' };
  },
  defaultNetwork: async () => {
    const info = (await docker.getNetwork('bridge').inspect()) as { Name: string; IPAM?: { Config?: { Subnet?: string }[] } };
    const subnet = info.IPAM?.Config?.map((c) => c.Subnet).find((s) => s?.includes('.'));
    assert.ok(subnet, 'the default bridge has an IPv4 subnet');
    return { name: info.Name, subnet };
  },
  addNetwork: async (_ex, name, subnet, labels) => {
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] }, Labels: { ...labels, [runLabel]: runId } });
  },
  networks: async () =>
    (await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`] } })).map((n) => ({ name: n.Name, subnet: n.IPAM?.Config?.[0]?.Subnet ?? '', labels: n.Labels ?? {} })),
  removeNetwork: async (_ex, name) => {
    // Only this run's: a name is looked up among the networks carrying the run's label.
    for (const n of await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`], name: [name] } })) {
      if (n.Name === name) await (docker.getNetwork(n.Id).remove() as Promise<unknown>).catch(() => undefined);
    }
  },
});


async function retryFetch(url: string, deadlineMs: number): Promise<string> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return await res.text();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

void describe('docker executor', () => {
  void test('engine networks on given ranges; a container joins its networks, primary first, with the resolver file mounted', async () => {
    const ex = makeExecutor();
    const third = 16 + Math.floor(Math.random() * 200);
    const nets = [
      { name: `shoal-dx-${runId}-a`, networkId: `${runId}a`, bridge: `shldx${runId.slice(3, 9)}a`, subnet: `10.247.${third}.64/26`, gateway: `10.247.${third}.65` },
      { name: `shoal-dx-${runId}-b`, networkId: `${runId}b`, bridge: `shldx${runId.slice(3, 9)}b`, subnet: `10.247.${third}.128/26`, gateway: `10.247.${third}.129` },
    ];
    await ex.syncNetworks(nets, nodeN);
    await ex.syncNetworks(nets, nodeN);
    const made = await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`, `${shoalLabels.node}=nodeN`] } });
    assert.deepEqual(made.map((n) => [n.Name, n.IPAM?.Config?.[0]?.Subnet]).sort(), nets.map((n) => [n.name, n.subnet]), 'made once, on their ranges');
    assert.deepEqual(await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`, `${shoalLabels.node}=another`] } }), []);

    const dir = await mkdtemp(join(tmpdir(), 'shoal-dx-net-'));
    try {
      const resolvConf = join(dir, 'resolv.conf');
      await writeFile(resolvConf, `nameserver ${nets[0]?.gateway}\nsearch shop.default.shoal.internal\n`);
      const task = makeTestTask({ image: images.run, stopSignal: 'SIGKILL', ports: [{ target: 80, published: await freePort() }] }, { serviceName });
      const id = await ex.prepare(task, 'nodeN', [], { networks: [{ name: nets[0]?.name ?? '', aliases: [] }, { name: nets[1]?.name ?? '', aliases: ['db'] }], resolvConf });
      await ex.start(id);
      const seen = await ex.inspect(id);
      const addresses = seen?.addresses ?? [];
      assert.deepEqual(addresses.map((a) => a.network).sort(), nets.map((n) => n.name));
      for (const n of nets) assert.match(addresses.find((a) => a.network === n.name)?.ip ?? '', new RegExp(`^10\\.247\\.${third}\\.`));
      assert.equal(await execOut(id, ['cat', '/etc/resolv.conf']), `nameserver ${nets[0]?.gateway}\nsearch shop.default.shoal.internal\n`);
      const info = await docker.getContainer(id).inspect();
      assert.deepEqual(info.NetworkSettings.Ports['80/tcp'] ?? null, null, 'an ingress port is the agent proxy\'s, not bound by the engine');

      // In use: not removed yet; once the container is gone, the next sync removes it.
      await ex.syncNetworks([], nodeN);
      assert.equal((await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`, `${shoalLabels.node}=nodeN`] } })).length, 2);
      await ex.remove(id);
      await ex.syncNetworks([], nodeN);
      assert.deepEqual(await docker.listNetworks({ filters: { label: [`${runLabel}=${runId}`, `${shoalLabels.node}=nodeN`] } }), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('describe reports the engine', async () => {
    const d = await makeExecutor().describe();
    assert.ok(d.resources.nanoCpus >= 1e9);
    assert.ok(d.resources.memoryBytes > 0);
    assert.equal(d.engine.os, 'linux');
    assert.match(d.engine.version, /^\d+\./);
    assert.ok(d.hostname.length > 0);
  });

  void test('labels, env, published port, memory limit and stop signal reach the engine', async () => {
    const ex = makeExecutor();
    const port = await freePort();
    const task = makeTestTask(
      {
        image: images.run,
        env: { GREETING: 'hi there', EMPTY: '' },
        containerLabels: { 'com.example.team': 'fish' },
        ports: [{ target: 80, published: port }, { target: 8080 }],
        resources: { limits: { memoryBytes: 64 * 2 ** 20, nanoCpus: 5e8 } },
        stopSignal: 'SIGKILL',
        hostname: 'shoal-host',
        init: true,
      },
      { serviceName, slot: 4 },
    );
    const id = await ex.prepare(task, 'nodeX');
    await ex.start(id);
    const info = await docker.getContainer(id).inspect();
    assert.equal(info.Name, `/${serviceName}.4.${task.id}`);
    const labels = info.Config.Labels ?? {};
    assert.equal(labels[shoalLabels.taskId], task.id);
    assert.equal(labels[shoalLabels.serviceId], task.serviceId);
    assert.equal(labels[shoalLabels.serviceName], serviceName);
    assert.equal(labels[shoalLabels.slot], '4');
    assert.equal(labels[shoalLabels.env], 'default');
    assert.equal(labels[shoalLabels.node], 'nodeX');
    assert.equal(labels['com.example.team'], 'fish');
    assert.ok(info.Config.Env.includes('GREETING=hi there'));
    assert.ok(info.Config.Env.includes('EMPTY='));
    assert.equal(info.Config.Hostname, 'shoal-host');
    assert.equal((info.Config as { StopSignal?: string }).StopSignal, 'SIGKILL');
    assert.equal(info.HostConfig.Memory, 64 * 2 ** 20);
    assert.equal(info.HostConfig.NanoCpus, 5e8);
    assert.equal(info.HostConfig.RestartPolicy?.Name, 'no');
    assert.equal(info.HostConfig.Init, true);
    assert.ok('8080/tcp' in (info.Config.ExposedPorts ?? {}));
    const ephemeral = Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    assert.ok(ephemeral > 0 && ephemeral !== port, 'a target-only port gets a host port the engine picks');
    assert.equal(await retryFetch(`http://127.0.0.1:${port}/`, 5000), 'shoal test image v1\n');
    await ex.shutdown(id, 'SIGKILL', 1000);
    await ex.remove(id);
  });

  void test('command, args, workdir, bind mount and named volume', async () => {
    const ex = makeExecutor();
    const dir = await mkdtemp(join(tmpdir(), 'shoal-dx-'));
    try {
      await writeFile(join(dir, 'in.txt'), 'from the host\n');
      const volume = `shoal-dx-${runId}`;
      const task = makeTestTask(
        {
          image: images.run,
          command: ['/bin/sh', '-c'],
          args: ['pwd; cat /data/in.txt; echo kept > /vol/out.txt; cat /vol/out.txt; touch /data/nope || echo read-only'],
          workdir: '/tmp',
          mounts: [
            { type: 'bind', source: dir, target: '/data', readOnly: true },
            { type: 'volume', source: volume, target: '/vol' },
            { type: 'tmpfs', target: '/scratch' },
          ],
        },
        { serviceName },
      );
      const id = await ex.prepare(task, 'node1');
      await ex.start(id);
      assert.equal((await ex.wait(id)).exitCode, 0);
      const texts: string[] = [];
      for await (const line of ex.logs(id, { follow: false })) texts.push(line.text);
      assert.deepEqual(texts.filter((t) => !t.startsWith('touch:')), ['/tmp', 'from the host', 'kept', 'read-only']);
      const vol = await docker.getVolume(volume).inspect();
      assert.equal(vol.Labels?.[runLabel], runId, 'a volume the executor created carries its labels');
      await ex.remove(id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('a missing image is rejected with the engine message after a failed pull', async () => {
    const ex = makeExecutor();
    const task = makeTestTask({ image: 'shoal-test/missing:nope' }, { serviceName });
    await assert.rejects(ex.prepare(task, 'node1'), /No such image: shoal-test\/missing:nope \(pull failed: .+\)/);
  });

  void test('shutdown honours the stop signal with init and kills a process ignoring it', async () => {
    const ex = makeExecutor();
    const withInit = await ex.prepare(makeTestTask({ image: images.run, init: true }, { serviceName }), 'node1');
    const bare = await ex.prepare(makeTestTask({ image: images.run }, { serviceName }), 'node1');
    await ex.start(withInit);
    await ex.start(bare);
    await ex.shutdown(withInit, undefined, 10_000);
    // 143 = ended by SIGTERM, forwarded by docker-init; a kill after the grace would be 137.
    assert.equal((await ex.inspect(withInit))?.exitCode, 143);
    const t0 = Date.now();
    await ex.shutdown(bare, 'SIGTERM', 700);
    const took = Date.now() - t0;
    assert.ok(took >= 600, `PID 1 ignores SIGTERM: killed only after the grace (${took} ms)`);
    assert.equal((await ex.inspect(bare))?.exitCode, 137);
  });
});
