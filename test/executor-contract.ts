import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { LogLine } from '../src/api/agent-protocol.js';
import { taskName, type TaskObject } from '../src/api/objects.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../src/api/service-spec.js';
import { newId } from '../src/lib/ids.js';
import { ExecutorError, NetworkConflictError, shoalLabels, type ContainerHealth, type EngineNetworkSpec, type Executor, type NetworkOwner } from '../src/agent/exec/executor.js';
import { TaskFileStore } from '../src/agent/files/task-file-store.js';

/**
 * One suite for every Executor (Docker, fake): the agent relies on exactly these behaviours.
 * `makeTask(kind)` returns a fresh task whose image, for that implementation, runs until
 * stopped ("run"), exits 3 at once after printing "crashing" ("crash"), or does not exist ("missing").
 */
export type ContractTaskKind = 'run' | 'crash' | 'missing';
export type MakeContractTask = (kind: ContractTaskKind, spec?: Partial<ServiceSpecInput>) => TaskObject;

/** A task as the manager would assign it, with every spec default filled in. */
export function makeTestTask(spec: ServiceSpecInput, fields: Partial<TaskObject> = {}): TaskObject {
  const now = new Date().toISOString();
  const id = newId();
  return {
    id,
    env: 'default',
    version: 1,
    createdAt: now,
    updatedAt: now,
    serviceId: `svc${id.slice(0, 8)}`,
    serviceName: 'contract',
    slot: 1,
    nodeId: 'node1',
    specVersion: 1,
    spec: serviceSpecSchema.parse(spec),
    desiredState: 'running',
    status: { state: 'assigned', message: 'assigned', timestamp: now },
    ...fields,
  };
}

/** A file as the container's processes see it. */
export interface SeenFile {
  content: string;
  /** Permission bits, e.g. 0o440. */
  mode: number;
  uid: number;
  /** Whether a process in the container (root) can write to it. */
  writable: boolean;
}

/**
 * How the suite looks inside a container of this implementation: what it was told to run,
 * and the files it sees. Each implementation answers in its own way (engine inspect and exec,
 * or the fake's test hooks).
 */
export interface ContractProbe {
  commandLine(ex: Executor, containerId: string): Promise<{ entrypoint?: string[]; cmd?: string[] }>;
  file(ex: Executor, containerId: string, path: string): Promise<SeenFile | undefined>;
  /** The network a container joins when its task names none, and that network's IPv4 subnet (CIDR). */
  defaultNetwork(ex: Executor): Promise<{ name: string; subnet: string }>;
  /** Makes a network in the engine as someone else would (another cluster's agent, another program), within this executor's scope. */
  addNetwork(ex: Executor, name: string, subnet: string, labels: Record<string, string>): Promise<void>;
  /** The engine's networks within this executor's scope. */
  networks(ex: Executor): Promise<EngineNetworkSeen[]>;
  /** Removes a network of `addNetwork` (one already gone is no error). */
  removeNetwork(ex: Executor, name: string): Promise<void>;
}

export interface EngineNetworkSeen {
  name: string;
  subnet: string;
  labels: Record<string, string>;
}

/** A network as the agent asks for it, named after `tag` (6 characters). */
export function contractNetwork(tag: string, subnet: string): EngineNetworkSpec {
  const [base = ''] = subnet.split('/');
  const gateway = base.replace(/\d+$/, (last) => String(Number(last) + 1));
  return { name: `shoal-contract-${tag}`, networkId: tag, bridge: `shlc-${tag}`, subnet, gateway };
}

/** Whether `ip` (dotted quad) lies in `cidr` (`a.b.c.d/n`). */
export function inSubnet(ip: string, cidr: string): boolean {
  const toNumber = (text: string): number => {
    const parts = text.split('.').map(Number);
    assert.equal(parts.length, 4, `${text}: not an IPv4 address`);
    assert.ok(parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255), `${text}: not an IPv4 address`);
    return parts.reduce((n, p) => n * 256 + p, 0);
  };
  const [base = '', bits = ''] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

export function executorContract(
  name: string,
  makeExecutor: () => Executor | Promise<Executor>,
  makeTask: MakeContractTask,
  probe: ContractProbe,
): void {
  void describe(`executor contract: ${name}`, () => {
    const node1: NetworkOwner = { nodeId: 'node1', clusterId: 'cluster-a' };
    const created: Array<{ ex: Executor; id: string }> = [];
    const watches = new AbortController();
    const scratch: string[] = [];
    const prepare = async (ex: Executor, task: TaskObject): Promise<string> => {
      const id = await ex.prepare(task, 'node1');
      created.push({ ex, id });
      return id;
    };

    after(async () => {
      watches.abort();
      for (const { ex, id } of created) await ex.remove(id).catch(() => undefined);
      for (const dir of scratch) await rm(dir, { recursive: true, force: true });
    });

    /** Resolves with the first health `want` the watch reports for the container. */
    const healthOf = (ex: Executor, containerId: string, want: ContainerHealth, timeoutMs = 20_000): Promise<ContainerHealth> =>
      new Promise((resolve, reject) => {
        const ac = new AbortController();
        watches.signal.addEventListener('abort', () => ac.abort(), { once: true });
        const timer = setTimeout(() => {
          ac.abort();
          reject(new Error(`no "${want}" for ${containerId} within ${timeoutMs} ms`));
        }, timeoutMs);
        ex.watchHealth(
          (id, health) => {
            if (id !== containerId || health !== want) return;
            clearTimeout(timer);
            ac.abort();
            resolve(health);
          },
          ac.signal,
        );
      });

    void test('prepare, start, inspect running', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const id = await prepare(ex, task);
      const before = await ex.inspect(id);
      assert.equal(before?.running, false);
      assert.equal(before?.startedAt, undefined, 'a created container has not started');
      await ex.start(id);
      const seen = await ex.inspect(id);
      assert.equal(seen?.containerId, id);
      assert.equal(seen?.taskId, task.id);
      assert.equal(seen?.running, true);
      assert.ok(seen?.startedAt);
    });

    void test('a running container reports its address', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      assert.equal((await ex.inspect(id))?.addresses, undefined, 'a created container has no address yet');
      await ex.start(id);
      const { name, subnet } = await probe.defaultNetwork(ex);
      const addresses = (await ex.inspect(id))?.addresses ?? [];
      assert.deepEqual(addresses.map((a) => a.network), [name]);
      const ip = addresses[0]?.ip ?? '';
      assert.ok(inSubnet(ip, subnet), `${ip} is in ${name}'s subnet ${subnet}`);
      assert.ok(!(await ex.list()).some((c) => c.containerId !== id && c.running && c.addresses?.some((a) => a.ip === ip)), 'no other container of ours has it');
      await ex.shutdown(id, 'SIGKILL', 1000);
      assert.equal((await ex.inspect(id))?.addresses, undefined, 'an exited container has none');
    });

    void test('engine networks: a container joins the ones it is given and reports its primary address; unused ones go', async () => {
      const ex = await makeExecutor();
      const third = 16 + Math.floor(Math.random() * 200);
      const tag = newId(6).toLowerCase();
      const net = { name: `shoal-contract-${tag}`, networkId: tag, bridge: `shlc-${tag}`, subnet: `10.246.${third}.0/26`, gateway: `10.246.${third}.1` };
      await ex.syncNetworks([net], node1);
      try {
        const task = makeTask('run', { stopSignal: 'SIGKILL' });
        const id = await ex.prepare(task, 'node1', [], { networks: [{ name: net.name, aliases: [] }] });
        created.push({ ex, id });
        await ex.start(id);
        const addresses = (await ex.inspect(id))?.addresses ?? [];
        assert.deepEqual(addresses.map((a) => a.network), [net.name], 'only the networks it was given');
        await ex.remove(id);
      } finally {
        await ex.syncNetworks([], node1);
      }
    });

    /** A block of 256 addresses no other test of this run uses, for the cases of networks in the way. */
    const scratchBlock = (): string => `10.245.${16 + Math.floor(Math.random() * 200)}`;
    const oldCluster: NetworkOwner = { nodeId: 'oldnode', clusterId: 'cluster-old' };
    const names = async (ex: Executor): Promise<string[]> => (await probe.networks(ex)).map((n) => n.name);

    void test('engine networks: another cluster\'s network in the way is removed when unused; networks in nobody\'s way stay; made ones name their node and cluster', async () => {
      const ex = await makeExecutor();
      const block = scratchBlock();
      const tag = newId(5).toLowerCase();
      const leftover = `shoal-left-${tag}`;
      const elsewhere = `shoal-else-${tag}`;
      await probe.addNetwork(ex, leftover, `${block}.0/26`, { [shoalLabels.network]: `l${tag}`, [shoalLabels.node]: 'oldnode', [shoalLabels.cluster]: 'cluster-old' });
      await probe.addNetwork(ex, elsewhere, `${block}.192/26`, { [shoalLabels.network]: `e${tag}`, [shoalLabels.node]: 'othernode', [shoalLabels.cluster]: 'cluster-other' });
      // Made by this node before networks named their cluster: still its own, kept as it is.
      const before = contractNetwork(`b${tag}`, `${block}.128/26`);
      await probe.addNetwork(ex, before.name, before.subnet, { [shoalLabels.network]: before.networkId, [shoalLabels.node]: node1.nodeId });
      const net = contractNetwork(`n${tag}`, `${block}.0/26`);
      try {
        const result = await ex.syncNetworks([net, before], node1);
        assert.deepEqual(result.leftoversRemoved, [`${leftover} (${block}.0/26)`]);
        const seen = await probe.networks(ex);
        assert.ok(!seen.some((n) => n.name === leftover), 'the leftover in the way is gone');
        assert.ok(seen.some((n) => n.name === elsewhere), 'another cluster\'s network in nobody\'s way stays');
        const made = seen.find((n) => n.name === net.name);
        assert.equal(made?.subnet, net.subnet);
        assert.equal(made?.labels[shoalLabels.node], node1.nodeId);
        assert.equal(made?.labels[shoalLabels.cluster], node1.clusterId);
        assert.equal(made?.labels[shoalLabels.network], net.networkId);
        assert.equal(seen.find((n) => n.name === before.name)?.labels[shoalLabels.cluster], undefined, 'the older own network was kept, not made again');
      } finally {
        await ex.syncNetworks([], node1);
        for (const name of [leftover, elsewhere, before.name]) await probe.removeNetwork(ex, name);
      }
    });

    void test('engine networks: another cluster\'s network in the way that a container uses stays, named with the container; the others are made', async () => {
      const ex = await makeExecutor();
      const block = scratchBlock();
      const tag = newId(5).toLowerCase();
      // Made by the old cluster's agent, with a container of its node on it.
      const leftover = contractNetwork(`l${tag}`, `${block}.0/26`);
      await ex.syncNetworks([leftover], oldCluster);
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const id = await ex.prepare(task, oldCluster.nodeId, [], { networks: [{ name: leftover.name, aliases: [] }] });
      created.push({ ex, id });
      const mine = contractNetwork(`m${tag}`, `${block}.0/27`);
      const other = contractNetwork(`o${tag}`, `${block}.128/26`);
      try {
        await ex.start(id);
        await assert.rejects(ex.syncNetworks([mine, other], node1), (err: unknown) => {
          assert.ok(err instanceof NetworkConflictError, String(err));
          assert.deepEqual(err.conflicts.map((c) => c.name), [mine.name]);
          const message = err.conflicts[0]?.message ?? '';
          assert.ok(message.includes(`${leftover.name} (${leftover.subnet})`), message);
          assert.match(message, /another Shoal cluster \(node oldnode\)/);
          assert.ok(message.includes(taskName(task)), `names the container: ${message}`);
          return true;
        });
        assert.equal((await ex.inspect(id))?.running, true, 'the other cluster\'s container is left alone');
        assert.deepEqual((await names(ex)).filter((n) => [leftover.name, mine.name, other.name].includes(n)).sort(), [leftover.name, other.name].sort());
        // Once its container is gone, the next sync clears it away.
        await ex.remove(id);
        await ex.syncNetworks([mine, other], node1);
        assert.deepEqual((await names(ex)).filter((n) => [leftover.name, mine.name, other.name].includes(n)).sort(), [mine.name, other.name].sort());
      } finally {
        await ex.remove(id);
        await ex.syncNetworks([], node1);
        await ex.syncNetworks([], oldCluster);
      }
    });

    void test('engine networks: a network that is not Shoal\'s in the way is named with its range, and left alone', async () => {
      const ex = await makeExecutor();
      const block = scratchBlock();
      const tag = newId(5).toLowerCase();
      const plain = `plain-${tag}`;
      await probe.addNetwork(ex, plain, `${block}.0/24`, {});
      const net = contractNetwork(`n${tag}`, `${block}.64/26`);
      try {
        await assert.rejects(ex.syncNetworks([net], node1), (err: unknown) => {
          assert.ok(err instanceof NetworkConflictError, String(err));
          assert.ok(err.message.includes(`${plain} (${block}.0/24)`), err.message);
          assert.match(err.message, /not Shoal's.*--cluster-cidr/);
          return true;
        });
        const seen = await names(ex);
        assert.ok(seen.includes(plain) && !seen.includes(net.name));
      } finally {
        await ex.syncNetworks([], node1);
        await probe.removeNetwork(ex, plain);
      }
    });

    void test('wait returns the exit code of a crashing image', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('crash'));
      await ex.start(id);
      const exit = await ex.wait(id);
      assert.equal(exit.exitCode, 3);
      const seen = await ex.inspect(id);
      assert.equal(seen?.running, false);
      assert.equal(seen?.exitCode, 3);
      assert.deepEqual(await ex.wait(id), exit, 'waiting on an exited container answers at once');
    });

    void test('a missing image is rejected', async () => {
      const ex = await makeExecutor();
      const task = makeTask('missing');
      await assert.rejects(ex.prepare(task, 'node1'), (err: unknown) => {
        assert.ok(err instanceof ExecutorError);
        assert.equal(err.kind, 'rejected');
        assert.match(err.message, /No such image/);
        return true;
      });
    });

    void test('shutdown stops within the grace period', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run'));
      await ex.start(id);
      await ex.shutdown(id, 'SIGTERM', 500);
      assert.equal((await ex.inspect(id))?.running, false);
      await ex.shutdown(id, 'SIGTERM', 500);
    });

    void test('an aborted wait rejects and leaves the container running', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(id);
      const ac = new AbortController();
      const waiting = ex.wait(id, { signal: ac.signal });
      ac.abort();
      await assert.rejects(waiting);
      assert.equal((await ex.inspect(id))?.running, true);
    });

    void test('remove is idempotent', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(id);
      await ex.remove(id);
      await ex.remove(id);
      assert.equal(await ex.inspect(id), undefined);
      assert.ok(!(await ex.list()).some((c) => c.containerId === id));
    });

    void test('list includes created containers with their task ids', async () => {
      const ex = await makeExecutor();
      const a = makeTask('run', { stopSignal: 'SIGKILL' });
      const b = makeTask('crash');
      const idA = await prepare(ex, a);
      const idB = await prepare(ex, b);
      await ex.start(idA);
      await ex.start(idB);
      await ex.wait(idB);
      const listed = await ex.list();
      const seenA = listed.find((c) => c.containerId === idA);
      const seenB = listed.find((c) => c.containerId === idB);
      assert.equal(seenA?.taskId, a.id);
      assert.equal(seenA?.running, true);
      assert.equal(seenB?.taskId, b.id);
      assert.equal(seenB?.running, false);
      assert.equal(seenB?.exitCode, 3);
    });

    void test('preparing the same task twice returns its container', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const id = await prepare(ex, task);
      assert.equal(await ex.prepare(task, 'node1'), id);
    });

    void test('logs return lines; a followed stream ends when aborted', { timeout: 30_000 }, async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('crash'));
      await ex.start(id);
      await ex.wait(id);
      const lines: LogLine[] = [];
      for await (const line of ex.logs(id, { follow: false })) lines.push(line);
      const crashing = lines.find((l) => l.text === 'crashing');
      assert.ok(crashing, `lines: ${JSON.stringify(lines)}`);
      assert.ok(!Number.isNaN(Date.parse(crashing.time)));

      const runId = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(runId);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 200);
      // A follow that ignored the abort would never end: the test's timeout catches it.
      for await (const _line of ex.logs(runId, { follow: true, signal: ac.signal })) {
        // whatever the container prints; the point is that the loop ends on abort
      }
      assert.ok(ac.signal.aborted);
    });

    void test('entrypoint replaces the image entrypoint; command and args follow it', async () => {
      const ex = await makeExecutor();
      const plain = await prepare(ex, makeTask('run', { entrypoint: ['/bin/sh', '-c'], args: ['echo hi'] }));
      assert.deepEqual(await probe.commandLine(ex, plain), { entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] });
      const both = await prepare(ex, makeTask('run', { entrypoint: ['/bin/env'], command: ['sh', '-c'], args: ['echo hi'] }));
      assert.deepEqual(await probe.commandLine(ex, both), { entrypoint: ['/bin/env'], cmd: ['sh', '-c', 'echo hi'] });
      const swarmStyle = await prepare(ex, makeTask('run', { command: ['/bin/sh', '-c'], args: ['echo hi'] }));
      assert.deepEqual(await probe.commandLine(ex, swarmStyle), { entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] });
    });

    void test('a passing health check turns healthy; the watch resends it on connect', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', {
        stopSignal: 'SIGKILL',
        healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 500, timeoutMs: 2000, retries: 1 },
      });
      const id = await prepare(ex, task);
      const healthy = healthOf(ex, id, 'healthy');
      await ex.start(id);
      assert.equal((await ex.inspect(id))?.health, 'starting', 'starting until the first check');
      await healthy;
      assert.equal((await ex.inspect(id))?.health, 'healthy');
      assert.equal(await healthOf(ex, id, 'healthy', 5000), 'healthy', 'a new watch reports the current health at once');
      assert.ok((await ex.list()).some((c) => c.containerId === id && c.health === 'healthy'));
    });

    void test('a failing health check turns unhealthy and the container keeps running', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', {
        stopSignal: 'SIGKILL',
        healthcheck: { test: ['CMD-SHELL', 'exit 1'], intervalMs: 500, timeoutMs: 2000, retries: 1 },
      });
      const id = await prepare(ex, task);
      const unhealthy = healthOf(ex, id, 'unhealthy');
      await ex.start(id);
      await unhealthy;
      const seen = await ex.inspect(id);
      assert.equal(seen?.health, 'unhealthy');
      assert.equal(seen?.running, true, 'neither the engine nor the executor restarts or stops it');
    });

    void test('no health check, or ["NONE"], means no health', async () => {
      const ex = await makeExecutor();
      const none = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL', healthcheck: { test: ['NONE'] } }));
      const without = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(none);
      await ex.start(without);
      assert.equal((await ex.inspect(none))?.health, undefined);
      assert.equal((await ex.inspect(without))?.health, undefined);
    });

    void test('secret and config files are mounted read-only with their content and mode', async () => {
      const ex = await makeExecutor();
      const dir = await mkdtemp(join(tmpdir(), 'shoal-contract-files-'));
      scratch.push(dir);
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const files = new TaskFileStore(join(dir, 'tasks'));
      const mounts = await files.write(task.id, [
        { kind: 'secret', name: 'db-password', target: '/run/secrets/db-password', data: Buffer.from('s3cr3t\n'), mode: 0o440, uid: 1000 },
        { kind: 'config', name: 'app', target: '/etc/app.conf', data: Buffer.from('port = 80\n'), mode: 0o444 },
      ]);
      const withFiles = await ex.prepare(task, 'node1', mounts);
      created.push({ ex, id: withFiles });
      await ex.start(withFiles);
      const secret = await probe.file(ex, withFiles, '/run/secrets/db-password');
      assert.deepEqual(secret, { content: 's3cr3t\n', mode: 0o440, uid: 1000, writable: false });
      const config = await probe.file(ex, withFiles, '/etc/app.conf');
      assert.deepEqual(config, { content: 'port = 80\n', mode: 0o444, uid: 0, writable: false });
    });

    void test('a file mount whose source is missing is rejected', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const gone = join(tmpdir(), `shoal-contract-nothing-${task.id}`);
      await assert.rejects(ex.prepare(task, 'node1', [{ hostPath: gone, target: '/run/secrets/x' }]), (err: unknown) => {
        assert.ok(err instanceof ExecutorError);
        assert.equal(err.kind, 'rejected');
        return true;
      });
    });
  });
}
