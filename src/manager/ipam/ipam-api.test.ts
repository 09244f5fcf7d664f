import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { SqliteStore } from '../store/sqlite-store.js';
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

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ShoalError, `a ShoalError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}


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

    test('exhaustion is a resource_exhausted error naming the pool', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      for (const n of ['n1', 'n2', 'n3', 'n4']) await ipam.allocateNodeSubnet(n);
      await rejectsWith(ipam.allocateNodeSubnet('n5'), 'resource_exhausted', /cluster CIDR 10\.9\.0\.0\/22 has no free \/24 subnet left for node n5/);
      for (const net of ['a', 'b', 'c']) await ipam.allocateNetworkRange(net, 'n1');
      await rejectsWith(ipam.allocateNetworkRange('d', 'n1'), 'resource_exhausted', /node subnet 10\.9\.0\.0\/24 of node n1 has no free \/26 range left for network d/);
      await store.close();
    });

    test('a removed network\'s ranges are given back on every node, and are free again', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      const onA = await ipam.allocateNetworkRange('net', 'a');
      await ipam.allocateNetworkRange('net', 'b');
      const other = await ipam.allocateNetworkRange('other', 'a');
      assert.deepEqual((await ipam.releaseNetworkRanges('net')).map((r) => r.nodeId), ['a', 'b']);
      assert.deepEqual(await ipam.releaseNetworkRanges('net'), [], 'a second release is a no-op');
      assert.equal(await ipam.networkRange('net', 'a'), undefined);
      assert.deepEqual(await ipam.networkRange('other', 'a'), other, 'other networks keep theirs');
      assert.equal((await ipam.allocateNetworkRange('third', 'a')).range, onA.range, 'the released range is free again');
      await store.close();
    });

    test('releasing a removed node frees its subnet and ranges', async () => {
      const store = open();
      const ipam = new IpamApi(store, { config: tiny });
      const a = await ipam.allocateNodeSubnet('a');
      await ipam.allocateNetworkRange('net', 'a');
      const onB = await ipam.allocateNetworkRange('net', 'b');
      assert.equal(await ipam.releaseNodeSubnet('a'), true);
      assert.equal(await ipam.releaseNodeSubnet('a'), false);
      assert.equal(await ipam.nodeSubnet('a'), undefined);
      assert.equal(await ipam.networkRange('net', 'a'), undefined);
      assert.deepEqual(await store.list('ipam', { where: { nodeId: 'a' } }), []);
      assert.deepEqual(await ipam.networkRange('net', 'b'), onB, 'other nodes keep theirs');
      assert.equal((await ipam.allocateNodeSubnet('c')).subnet, a.subnet, 'the subnet is free again');
      await store.close();
    });

    test('the address plan is fixed once stored; bad plans and ids name the field', async () => {
      const store = open();
      await new IpamApi(store, { config: tiny }).allocateNodeSubnet('n');
      assert.deepEqual(await new IpamApi(store).config(), { clusterCidr: '10.9.0.0/22', nodeSubnetPrefix: 24, networkRangePrefix: 26 });
      await rejectsWith(new IpamApi(store, { config: { clusterCidr: '10.10.0.0/16' } }).allocateNodeSubnet('m'), 'failed_precondition', /^ipam\.clusterCidr: fixed when the cluster was created: this cluster's is 10\.9\.0\.0\/22, not 10\.10\.0\.0\/16$/);
      const fresh = memoryStore();
      await rejectsWith(new IpamApi(fresh, { config: { clusterCidr: '10.240.0.1/12' } }).config(), 'invalid_argument', /^ipam\.clusterCidr: /);
      await rejectsWith(new IpamApi(fresh, { config: { clusterCidr: '10.240.0.0/20' } }).config(), 'invalid_argument', /^ipam\.nodeSubnetPrefix: must be longer/);
      await rejectsWith(new IpamApi(fresh, { config: { networkRangePrefix: 20 } }).config(), 'invalid_argument', /^ipam\.networkRangePrefix: must be longer/);
      await rejectsWith(new IpamApi(fresh, { config: { networkRangePrefix: 31 } }).config(), 'invalid_argument', /^ipam\.networkRangePrefix: /);
      const ipam = new IpamApi(fresh);
      await rejectsWith(ipam.allocateNodeSubnet(''), 'invalid_argument', /^nodeId: is required/);
      await rejectsWith(ipam.allocateNetworkRange('', 'n'), 'invalid_argument', /^networkId: is required/);
      await rejectsWith(ipam.releaseNetworkRanges(''), 'invalid_argument', /^networkId: is required/);
      await fresh.close();
      await store.close();
    });
  });
}

describe('IpamApi across restarts (SQLite file)', () => {
  test('a new IpamApi on the same file returns the same subnet and ranges, and does not hand out held ones', async () => {
    const path = join(dir, 'restart.db');
    const first = new SqliteStore(path);
    const before = new IpamApi(first, { config: tiny });
    const subnet = await before.allocateNodeSubnet('n');
    const held = [];
    for (const net of ['a', 'b', 'c']) held.push(await before.allocateNetworkRange(net, 'n'));
    await before.releaseNetworkRanges('b');
    await first.close();

    const second = new SqliteStore(path);
    const after = new IpamApi(second);
    assert.deepEqual(await after.config(), { clusterCidr: '10.9.0.0/22', nodeSubnetPrefix: 24, networkRangePrefix: 26 });
    assert.deepEqual(await after.allocateNodeSubnet('n'), subnet);
    assert.deepEqual(await after.allocateNetworkRange('a', 'n'), held[0]);
    const fresh = await after.allocateNetworkRange('new', 'n');
    assert.equal(fresh.range, held[1]!.range, 'the released range is free again');
    await rejectsWith(after.allocateNetworkRange('newer', 'n'), 'resource_exhausted', /no free \/26 range left/);
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

  test('300 concurrent range allocations from two managers never hand out one range twice', async () => {
    const { store, conflicts } = countingStore();
    const one = new IpamApi(store);
    const two = new IpamApi(store);
    const calls = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? one : two).allocateNetworkRange(`net${i % 60}`, `node${i % 5}`));
    const got = await Promise.all(calls);
    const pairs = new Map<string, string>();
    for (const r of got) {
      const key = `${r.networkId}@${r.nodeId}`;
      assert.equal(pairs.get(key) ?? r.range, r.range, `${key} got one range, whoever asked`);
      pairs.set(key, r.range);
      assert.equal(r.range, (await one.networkRange(r.networkId, r.nodeId))?.range);
    }
    assert.equal(new Set(pairs.values()).size, pairs.size, 'no range shared by two (network, node) pairs');
    assert.equal(new Set((await one.listNodeSubnets()).map((s) => s.subnet)).size, 5);
    assert.ok(conflicts() > 0, 'the allocations collided and were retried');
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
