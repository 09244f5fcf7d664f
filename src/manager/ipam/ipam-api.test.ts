import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { StoredObject } from '../store/store.js';
import { containsAddress, parseCidr, parseIpv4 } from '../../lib/cidr.js';
import { IpamApi } from './ipam-api.js';
import type { IpamConfig } from './ipam-config.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-ipam-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Each behaviour runs on the in-memory store and on a SQLite file. */
const backends: Array<[string, () => SqliteStore]> = [
  ['memory store', memoryStore],
  ['sqlite file', () => new SqliteStore(join(dir, `ipam-${++files}.db`))],
];

/** Small plans so exhaustion is quick to reach: 4 node subnets of /24, 3 ranges of /26 each. */
const tiny: Partial<IpamConfig> = { clusterCidr: '10.9.0.0/22', nodeSubnetPrefix: 24, networkRangePrefix: 26 };
/** Ranges of /29: 5 task addresses each. */
const narrow: Partial<IpamConfig> = { clusterCidr: '10.8.0.0/16', nodeSubnetPrefix: 24, networkRangePrefix: 29 };

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ShoalError, `a ShoalError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

const inRange = (address: string, range: string): boolean => containsAddress(parseCidr(range)!, parseIpv4(address)!);

for (const [backend, open] of backends) {
  describe(`IpamApi on the ${backend}`, () => {
    test('node subnets: one /20 per node from 10.240.0.0/12, the same one when asked again', async () => {
      const store = open();
      const ipam = new IpamApi(store);
      const a = await ipam.allocateNodeSubnet('node-a');
      const b = await ipam.allocateNodeSubnet('node-b');
      assert.deepEqual(a, { nodeId: 'node-a', subnet: '10.240.0.0/20', nodeAddress: '10.240.0.0' });
      assert.deepEqual(b, { nodeId: 'node-b', subnet: '10.240.16.0/20', nodeAddress: '10.240.16.0' });
      assert.deepEqual(await ipam.allocateNodeSubnet('node-a'), a);
      assert.deepEqual(await ipam.nodeSubnet('node-b'), b);
      assert.equal(await ipam.nodeSubnet('node-c'), undefined);
      assert.deepEqual((await ipam.listNodeSubnets()).map((s) => s.subnet).sort(), ['10.240.0.0/20', '10.240.16.0/20']);
      await store.close();
    });

    test('network ranges: a /26 per (network, node) inside the node subnet, skipping the node block', async () => {
      const store = open();
      const ipam = new IpamApi(store);
      const web = await ipam.allocateNetworkRange('net-web', 'node-a');
      assert.deepEqual(web, { networkId: 'net-web', nodeId: 'node-a', range: '10.240.0.64/26', gateway: '10.240.0.65' });
      assert.deepEqual(await ipam.allocateNetworkRange('net-web', 'node-a'), web);
      const db = await ipam.allocateNetworkRange('net-db', 'node-a');
      assert.equal(db.range, '10.240.0.128/26');
      const webOnB = await ipam.allocateNetworkRange('net-web', 'node-b');
      const subnetB = await ipam.nodeSubnet('node-b');
      assert.ok(subnetB, 'the node subnet is allocated with its first range');
      assert.equal(webOnB.range, '10.240.16.64/26');
      assert.deepEqual(await ipam.networkRange('net-db', 'node-a'), db);
      // Network ids with slashes (ENV/STACK_default) do not collide with other pairs.
      const x = await ipam.allocateNetworkRange('a/b', 'c');
      const y = await ipam.allocateNetworkRange('a', 'b/c');
      assert.notEqual(x.range, y.range);
      await store.close();
    });

    test('task addresses: in the range, never its network, gateway or broadcast; the same when asked again', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: narrow });
      const got = [];
      for (let i = 0; i < 5; i++) got.push(await ipam.allocateTaskAddress(`t${i}`, 'net', 'node-a'));
      assert.deepEqual(got.map((a) => a.address), ['10.8.0.10', '10.8.0.11', '10.8.0.12', '10.8.0.13', '10.8.0.14']);
      for (const a of got) {
        assert.equal(a.range, '10.8.0.8/29');
        assert.equal(a.gateway, '10.8.0.9');
        assert.ok(inRange(a.address, a.range));
      }
      assert.deepEqual(await ipam.allocateTaskAddress('t0', 'net', 'node-a'), got[0]);
      assert.deepEqual(await ipam.taskAddresses('t3'), [got[3]]);
      assert.deepEqual(await ipam.taskAddresses('unknown'), []);
      await store.close();
    });

    test('a task on two networks gets one address on each; never on a second node', async () => {
      const store = open();
      const ipam = new IpamApi(store);
      const front = await ipam.allocateTaskAddress('t1', 'front', 'node-a');
      const back = await ipam.allocateTaskAddress('t1', 'back', 'node-a');
      assert.notEqual(front.range, back.range);
      assert.ok(inRange(front.address, front.range) && inRange(back.address, back.range));
      assert.deepEqual((await ipam.taskAddresses('t1')).map((a) => a.networkId).sort(), ['back', 'front']);
      await rejectsWith(ipam.allocateTaskAddress('t1', 'front', 'node-b'), 'failed_precondition', /task t1 holds addresses on node node-a/);
      await store.close();
    });

    test('exhaustion is a resource_exhausted error naming the pool', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      for (const n of ['n1', 'n2', 'n3', 'n4']) await ipam.allocateNodeSubnet(n);
      await rejectsWith(ipam.allocateNodeSubnet('n5'), 'resource_exhausted', /cluster CIDR 10\.9\.0\.0\/22 has no free \/24 subnet left for node n5/);
      for (const net of ['a', 'b', 'c']) await ipam.allocateNetworkRange(net, 'n1');
      await rejectsWith(ipam.allocateNetworkRange('d', 'n1'), 'resource_exhausted', /node subnet 10\.9\.0\.0\/24 of node n1 has no free \/26 range left for network d/);
      for (let i = 0; i < 61; i++) await ipam.allocateTaskAddress(`t${i}`, 'a', 'n1');
      await rejectsWith(ipam.allocateTaskAddress('t61', 'a', 'n1'), 'resource_exhausted', /range 10\.9\.0\.64\/26 of network a on node n1 has no free address left for task t61 \(61 addresses, all held\)/);
      await store.close();
    });

    test('an address is reused only after its task released it', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: narrow });
      const held = [];
      for (let i = 0; i < 5; i++) held.push(await ipam.allocateTaskAddress(`t${i}`, 'net', 'n'));
      await rejectsWith(ipam.allocateTaskAddress('late', 'net', 'n'), 'resource_exhausted', /range 10\.8\.0\.8\/29/);
      assert.deepEqual(await ipam.releaseTaskAddress('t2'), [held[2]]);
      assert.deepEqual(await ipam.releaseTaskAddress('t2'), [], 'a second release is a no-op');
      const late = await ipam.allocateTaskAddress('late', 'net', 'n');
      assert.equal(late.address, held[2]!.address);
      const holders = new Map<string, string>();
      for (const t of ['t0', 't1', 't3', 't4', 'late']) {
        const [a] = await ipam.taskAddresses(t);
        assert.ok(a && !holders.has(a.address), `${t} has an address of its own`);
        holders.set(a.address, t);
      }
      await store.close();
    });

    test('a range is released only once no task holds an address in it', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      const range = await ipam.allocateNetworkRange('net', 'n');
      await ipam.allocateTaskAddress('t1', 'net', 'n');
      await rejectsWith(ipam.releaseNetworkRange('net', 'n'), 'failed_precondition', /range 10\.9\.0\.64\/26 of network net on node n still has 1 address\(es\) in use \(tasks t1\)/);
      await ipam.releaseTaskAddress('t1');
      assert.equal(await ipam.releaseNetworkRange('net', 'n'), true);
      assert.equal(await ipam.releaseNetworkRange('net', 'n'), false);
      assert.equal(await ipam.networkRange('net', 'n'), undefined);
      assert.equal((await ipam.allocateNetworkRange('other', 'n')).range, range.range, 'the released range is free again');
      await store.close();
    });

    test('releasing a removed node frees its subnet, ranges and task addresses', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      const a = await ipam.allocateNodeSubnet('a');
      await ipam.allocateTaskAddress('ta', 'net', 'a');
      const tb = await ipam.allocateTaskAddress('tb', 'net', 'b');
      assert.equal(await ipam.releaseNodeSubnet('a'), true);
      assert.equal(await ipam.releaseNodeSubnet('a'), false);
      assert.equal(await ipam.nodeSubnet('a'), undefined);
      assert.deepEqual(await ipam.taskAddresses('ta'), []);
      assert.deepEqual(await store.list('ipam', { where: { nodeId: 'a' } }), []);
      assert.deepEqual(await ipam.taskAddresses('tb'), [tb], 'other nodes keep theirs');
      assert.equal((await ipam.allocateNodeSubnet('c')).subnet, a.subnet, 'the subnet is free again');
      await store.close();
    });

    test('stale addresses: deleted and terminal tasks are released, running and kept containers are not', async () => {
      const store = open();
      const ipam = new IpamApi(store);
      const task = (id: string, state: string, keepContainer?: boolean): StoredObject =>
        ({ id, env: 'default', version: 0, serviceId: 's', status: { state, message: '', timestamp: '' }, ...(keepContainer ? { keepContainer } : {}) }) as StoredObject;
      await store.commit(
        [task('running', 'running'), task('failed', 'failed'), task('kept', 'shutdown', true), task('assigned', 'assigned')].map((value) => ({ op: 'create' as const, kind: 'task' as const, value })),
        { actor: 'test' },
      );
      for (const id of ['running', 'failed', 'kept', 'assigned', 'deleted']) await ipam.allocateTaskAddress(id, 'net', 'n');
      assert.deepEqual((await ipam.releaseStaleTaskAddresses()).sort(), ['deleted', 'failed']);
      for (const id of ['running', 'kept', 'assigned']) assert.equal((await ipam.taskAddresses(id)).length, 1, id);
      assert.deepEqual(await ipam.releaseStaleTaskAddresses(), []);
      await store.close();
    });

    test('the address plan is fixed once stored; bad plans and ids name the field', async () => {
      const store = open();
      await new IpamApi(store, { config: tiny }).allocateNodeSubnet('n');
      assert.deepEqual(await new IpamApi(store).config(), { clusterCidr: '10.9.0.0/22', nodeSubnetPrefix: 24, networkRangePrefix: 26 });
      await rejectsWith(new IpamApi(store, { config: { clusterCidr: '10.10.0.0/16' } }).allocateNodeSubnet('m'), 'failed_precondition', /ipam\.clusterCidr: the cluster's address plan is fixed at 10\.9\.0\.0\/22/);
      const fresh = memoryStore();
      await rejectsWith(new IpamApi(fresh, { config: { clusterCidr: '10.240.0.1/12' } }).config(), 'invalid_argument', /^ipam\.clusterCidr: /);
      await rejectsWith(new IpamApi(fresh, { config: { clusterCidr: '10.240.0.0/20' } }).config(), 'invalid_argument', /^ipam\.nodeSubnetPrefix: must be longer/);
      await rejectsWith(new IpamApi(fresh, { config: { networkRangePrefix: 20 } }).config(), 'invalid_argument', /^ipam\.networkRangePrefix: must be longer/);
      await rejectsWith(new IpamApi(fresh, { config: { networkRangePrefix: 31 } }).config(), 'invalid_argument', /^ipam\.networkRangePrefix: /);
      const ipam = new IpamApi(fresh);
      await rejectsWith(ipam.allocateNodeSubnet(''), 'invalid_argument', /^nodeId: is required/);
      await rejectsWith(ipam.allocateTaskAddress('t', '', 'n'), 'invalid_argument', /^networkId: is required/);
      await rejectsWith(ipam.releaseTaskAddress(''), 'invalid_argument', /^taskId: is required/);
      await fresh.close();
      await store.close();
    });
  });
}

describe('IpamApi across restarts (SQLite file)', () => {
  test('a new IpamApi on the same file returns the same subnet and does not reuse held addresses', async () => {
    const path = join(dir, 'restart.db');
    const first = new SqliteStore(path);
    const before = new IpamApi(first, { config: narrow });
    const subnet = await before.allocateNodeSubnet('n');
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await before.allocateTaskAddress(`t${i}`, 'net', 'n'));
    await before.releaseTaskAddress('t1');
    await first.close();

    const second = new SqliteStore(path);
    const after = new IpamApi(second);
    assert.deepEqual(await after.config(), { clusterCidr: '10.8.0.0/16', nodeSubnetPrefix: 24, networkRangePrefix: 29 });
    assert.deepEqual(await after.allocateNodeSubnet('n'), subnet);
    assert.deepEqual(await after.allocateTaskAddress('t0', 'net', 'n'), held[0]);
    const fresh = [];
    for (let i = 0; i < 3; i++) fresh.push((await after.allocateTaskAddress(`new${i}`, 'net', 'n')).address);
    assert.equal(fresh[0], held[1]!.address, 'the released address is free again');
    assert.ok(!fresh.includes(held[0]!.address) && !fresh.includes(held[2]!.address), 'held addresses are not handed out again');
    assert.equal(new Set(fresh).size, 3);
    await second.close();
  });
});

describe('IpamApi with two managers on one store', () => {
  /** Counts the conflicts, so the test shows the two really raced. */
  function countingStore(): { store: SqliteStore; conflicts: () => number } {
    const store = memoryStore();
    let conflicts = 0;
    const commit = store.commit.bind(store);
    store.commit = async (ops, options) => {
      try {
        return await commit(ops, options);
      } catch (err) {
        conflicts++;
        throw err;
      }
    };
    return { store, conflicts: () => conflicts };
  }

  test('500 concurrent task allocations never hand out one address twice', async () => {
    const { store, conflicts } = countingStore();
    const one = new IpamApi(store);
    const two = new IpamApi(store);
    const calls = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? one : two).allocateTaskAddress(`t${i}`, `net${i % 4}`, `node${i % 5}`));
    const got = await Promise.all(calls);
    assert.equal(new Set(got.map((a) => a.address)).size, 500);
    for (const a of got) {
      assert.ok(inRange(a.address, a.range));
      assert.equal(a.range, (await one.networkRange(a.networkId, a.nodeId))?.range);
    }
    assert.equal(new Set((await one.listNodeSubnets()).map((s) => s.subnet)).size, 5);
    assert.ok(conflicts() > 0, 'the allocations collided and were retried');
    const claims = await store.list('ipam', { where: { name: 'owner/task' } });
    assert.equal(claims.length, 500);
    await store.close();
  });

  test('both managers allocating subnets for the same nodes agree on one subnet per node', async () => {
    const { store, conflicts } = countingStore();
    const one = new IpamApi(store);
    const two = new IpamApi(store);
    const nodes = Array.from({ length: 100 }, (_, i) => `node${i}`);
    const [a, b] = await Promise.all([Promise.all(nodes.map((n) => one.allocateNodeSubnet(n))), Promise.all(nodes.map((n) => two.allocateNodeSubnet(n)))]);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((s) => s.subnet)).size, 100);
    assert.equal((await store.list('ipam', { where: { name: 'pool/10.240.0.0/12' } })).length, 100, 'no subnet claimed without an owner');
    assert.ok(conflicts() > 0);
    await store.close();
  });
});
