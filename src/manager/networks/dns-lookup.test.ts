import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerNetworkName, type NetworkObject } from '../../api/networks.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { makeService, makeTask } from '../orchestrator/fixtures.test-util.js';
import { DnsLookup } from './dns-lookup.js';
import { defaultNetworkOps } from './network-object.js';

void test('dns lookup answers as the resolvers do, from the asking service\'s stack', async () => {
  const store = memoryStore();
  await store.commit(defaultNetworkOps('default', new Date().toISOString()), { actor: 'test' });
  const [net] = await store.list<NetworkObject>('network');
  assert.ok(net);
  const db = makeService('sdb', { image: 'x' }, { name: 'shop_db', stack: 'shop' });
  const web = makeService('sweb', { image: 'x' }, { name: 'shop_web', stack: 'shop' });
  const loner = makeService('slone', { image: 'x' }, { name: 'loner' });
  const task = makeTask(db, { nodeId: 'n1', slot: 1, status: { addresses: [{ network: dockerNetworkName(net.id), ip: '10.240.16.66' }] } });
  await store.commit([db, web, loner].map((s) => ({ op: 'create' as const, kind: 'service' as const, value: s })), { actor: 'test' });
  await store.commit([{ op: 'create', kind: 'task', value: task }], { actor: 'test' });
  const dns = new DnsLookup(store);
  const ctx = { actor: 'test', env: 'default' };

  assert.deepEqual(await dns.lookup(ctx, 'db', 'shop_web'), { name: 'db', from: { service: 'shop_web', env: 'default', stack: 'shop' }, answer: 'records', addresses: ['10.240.16.66'] });
  assert.deepEqual((await dns.lookup(ctx, 'db.shop', 'loner')).addresses, ['10.240.16.66']);
  assert.equal((await dns.lookup(ctx, 'db', 'loner')).answer, 'forward', 'a bare db is only the stack\'s own');
  assert.equal((await dns.lookup(ctx, 'db.other.default.shoal.internal', 'loner')).answer, 'nxdomain');
  await assert.rejects(dns.lookup(ctx, undefined, 'loner'), /name/);
  await assert.rejects(dns.lookup(ctx, 'db', 'nope'), (err: Error & { code?: string }) => err.code === 'not_found');
});
