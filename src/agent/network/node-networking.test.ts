import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dockerNetworkName, type NodeNetworkPlan } from '../../api/networks.js';
import { createLogger } from '../../lib/logger.js';
import { makeTestTask } from '../../../test/executor-contract.js';
import type { EngineNetworkSpec } from '../exec/executor.js';
import { FakeExecutor } from '../executor/fake/fake-executor.js';
import { CommandFailedError } from '../overlay/command-runner.js';
import { NodeNetworking, type NodeNetworkingOptions } from './node-networking.js';

// No kernel here: every command fails, so the overlay and the packet filter are reported
// unusable and skipped; the engine networks, resolvers (on loopback) and wiring still work.
const noKernel = (cmd: string, args: readonly string[]): Promise<string> => Promise.reject(new CommandFailedError(`${cmd} ${args.join(' ')}`, 'not here', 1));
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function planFor(taskId: string, gateway: string): NodeNetworkPlan {
  return {
    clusterCidr: '10.240.0.0/12',
    nodeSubnet: '10.240.16.0/20',
    nodeAddress: '10.240.16.0',
    underlayIp: '127.0.0.1',
    vni: 1,
    peers: [],
    networks: [
      { id: 'netdefault', name: 'default', env: 'default', range: '10.240.16.64/26', gateway, peerRanges: [] },
      { id: 'netshop', name: 'shop_default', env: 'default', stack: 'shop', range: '10.240.16.128/26', gateway: '127.0.0.1', peerRanges: [] },
    ],
    tasks: { [taskId]: [{ networkId: 'netdefault', aliases: [] }, { networkId: 'netshop', aliases: ['db'] }] },
    dns: { services: [{ name: 'db', stack: 'shop', env: 'default', aliases: [], tasks: [{ id: taskId, name: 'shop_db.1', running: false, healthy: true }] }] },
    ingress: [],
  };
}

async function networking(executor: FakeExecutor, onIngress?: NodeNetworkingOptions['onIngress']): Promise<NodeNetworking> {
  const stateDir = await mkdtemp(join(tmpdir(), 'shoal-nn-'));
  dirs.push(stateDir);
  const n = new NodeNetworking({ executor, run: noKernel, logger: createLogger('test', 'silent'), stateDir, dnsPort: 0, ingressHost: '127.0.0.1', taskWaitMs: 3000, ...(onIngress ? { onIngress } : {}) });
  await n.init({ nodeId: 'node1abcdefgh', clusterId: 'cluster1' });
  return n;
}

void test('a task waits for its plan, then gets its networks (primary first) and a resolv.conf for its stack', async () => {
  const executor = new FakeExecutor();
  const net = await networking(executor);
  try {
    const task = makeTestTask({ image: 'fake/app:1' });
    const wired = net.forTask(task);
    net.apply(planFor(task.id, '127.0.0.3'));
    const w = await wired;
    assert.deepEqual(w.networks, [{ name: dockerNetworkName('netdefault'), aliases: [] }, { name: dockerNetworkName('netshop'), aliases: ['db'] }]);
    assert.equal(await readFile(w.resolvConf ?? '', 'utf8'), '# written by the Shoal agent\nnameserver 127.0.0.3\nsearch shop.default.shoal.internal default.shoal.internal\noptions ndots:1 timeout:2 attempts:2\n');
    assert.deepEqual(executor.networks.get('node1abcdefgh')?.map((n: EngineNetworkSpec) => [n.name, n.subnet, n.gateway]), [
      [dockerNetworkName('netdefault'), '10.240.16.64/26', '127.0.0.3'],
      [dockerNetworkName('netshop'), '10.240.16.128/26', '127.0.0.1'],
    ]);
    await net.forget(task.id);
    await assert.rejects(readFile(w.resolvConf ?? ''), /ENOENT/);
  } finally {
    await net.close();
  }
});

void test('engine networks that cannot be made: the task fails naming why, and the plan is tried again', async () => {
  const executor = new FakeExecutor();
  let failures = 1;
  const sync = executor.syncNetworks.bind(executor);
  executor.syncNetworks = (wanted, owner) => (failures-- > 0 ? Promise.reject(new Error('Pool overlaps with other one on this address space')) : sync(wanted, owner));
  const net = await networking(executor);
  try {
    const task = makeTestTask({ image: 'fake/app:1' });
    net.apply(planFor(task.id, '127.0.0.4'));
    // The retry (2 s) makes the networks; the task waiting meanwhile gets them.
    const w = await net.forTask(task);
    assert.equal(w.networks.length, 2);

    failures = 100;
    const other = makeTestTask({ image: 'fake/app:1' });
    const plan = planFor(other.id, '127.0.0.4');
    plan.networks[0] = { ...plan.networks[0], id: 'netnew', range: '10.240.16.192/26' } as NodeNetworkPlan['networks'][number];
    plan.tasks[other.id] = [{ networkId: 'netnew', aliases: [] }];
    net.apply(plan);
    await assert.rejects(net.forTask(other), /its networks are not ready on this node: Pool overlaps/);
  } finally {
    await net.close();
  }
});

void test('a network another holds: its tasks fail naming it, tasks on the other networks go on, and it is made once freed', async () => {
  const executor = new FakeExecutor();
  executor.addEngineNetwork('someones-lan', '10.240.16.64/27');
  const net = await networking(executor);
  try {
    const task = makeTestTask({ image: 'fake/app:1' });
    const plan = planFor(task.id, '127.0.0.5');
    const shopOnly = makeTestTask({ image: 'fake/app:1' });
    plan.tasks[shopOnly.id] = [{ networkId: 'netshop', aliases: [] }];
    net.apply(plan);
    // Not the 3-s wait's "not ready": the conflict itself, said at the first sync that finds it.
    await assert.rejects(net.forTask(task), /^Error: network shoal-netdefault: this node's range 10\.240\.16\.64\/26 overlaps network someones-lan \(10\.240\.16\.64\/27\), which is not Shoal's: .*--cluster-cidr/);
    assert.deepEqual((await net.forTask(shopOnly)).networks, [{ name: dockerNetworkName('netshop'), aliases: [] }]);
    executor.removeEngineNetwork('someones-lan');
    // The failed sync is tried again on its own (2 s): the network is made and the task wired.
    assert.equal((await net.forTask(task)).networks.length, 2);
  } finally {
    await net.close();
  }
});

void test('after each plan the ingress ports it bound and those it could not are reported', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as AddressInfo).port;
  const freePort = (free.address() as AddressInfo).port;
  await new Promise((resolve) => free.close(resolve));
  const reports: Parameters<NonNullable<NodeNetworkingOptions['onIngress']>>[0][] = [];
  const net = await networking(new FakeExecutor(), (r) => reports.push(r));
  try {
    const rule = (port: number, backends: string[]) => ({ serviceId: 's1', serviceName: 'web', protocol: 'tcp' as const, port, targetPort: 80, backends });
    net.apply({ ...planFor('t1', '127.0.0.3'), ingress: [rule(freePort, ['10.240.16.66']), rule(takenPort, [])] });
    await eventually(() => reports.length === 1, 'the first report');
    assert.deepEqual(reports[0]?.ports, [{ protocol: 'tcp', port: freePort, backends: ['10.240.16.66'] }]);
    assert.equal(reports[0]?.errors.length, 1);
    assert.equal(reports[0]?.errors[0]?.port, takenPort);
    assert.match(reports[0]?.errors[0]?.message ?? '', /cannot bind 127\.0\.0\.1:\d+\/tcp for service web: .*EADDRINUSE/);
    net.apply({ ...planFor('t1', '127.0.0.3'), ingress: [rule(freePort, ['10.240.16.66', '10.240.32.66'])] });
    await eventually(() => reports.length === 2, 'the second report');
    assert.deepEqual(reports[1], { ports: [{ protocol: 'tcp', port: freePort, backends: ['10.240.16.66', '10.240.32.66'] }], errors: [] });
  } finally {
    await net.close();
    await new Promise((resolve) => taken.close(resolve));
  }
});

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}
