import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkObject } from '../../api/networks.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { IpamApi } from '../ipam/ipam-api.js';
import { defaultNetworkOps } from '../networks/network-object.js';
import { makeNode, makeService, makeTask } from '../orchestrator/fixtures.test-util.js';
import { NetworkPlans } from './network-plans.js';

void test('plans allocate what tasks need, the same after a restart, and give back what removed nodes and networks held', async () => {
  const store = memoryStore();
  const ipam = new IpamApi(store);
  await store.commit(defaultNetworkOps('default', new Date().toISOString()), { actor: 'test' });
  const [net] = await store.list<NetworkObject>('network');
  assert.ok(net);
  const web = makeService('sweb', { image: 'x' });
  await store.commit([
    { op: 'create', kind: 'node', value: makeNode('n1') },
    { op: 'create', kind: 'node', value: makeNode('n2', { status: { state: 'ready', message: '', address: '10.0.0.2', timestamp: '' } } as never) },
    { op: 'create', kind: 'service', value: web },
    { op: 'create', kind: 'task', value: makeTask(web, { nodeId: 'n1', slot: 1 }) },
  ], { actor: 'test' });

  const plans = await new NetworkPlans(store, ipam).plansFor(['n1', 'n2']);
  const n1 = plans.get('n1');
  assert.ok(n1);
  assert.deepEqual(n1.networks.map((n) => n.id), [net.id], 'the range of the network its task joins');
  assert.equal(plans.get('n2')?.networks.length, 0, 'no task, no network');
  assert.deepEqual(plans.get('n2')?.peers.map((p) => [p.nodeId, p.subnet]), [['n1', n1.nodeSubnet]]);
  const again = await new NetworkPlans(store, new IpamApi(store)).plansFor(['n1', 'n2']);
  assert.deepEqual(again.get('n1'), n1, 'a restarted manager plans the same');

  await store.commit([{ op: 'delete', kind: 'node', id: 'n2' }], { actor: 'test' });
  for (const o of await store.list<NetworkObject>('network')) await store.commit([{ op: 'delete', kind: 'network', id: o.id }], { actor: 'test' });
  const after = await new NetworkPlans(store, ipam).plansFor(['n1']);
  assert.deepEqual(after.get('n1')?.networks, [], 'the removed network is no longer planned');
  assert.deepEqual((await ipam.listNodeSubnets()).map((s) => s.nodeId), ['n1'], 'the removed node\'s subnet is given back');
  assert.deepEqual(await ipam.listNetworkRanges(net.id), [], 'and the removed network\'s ranges');
});
