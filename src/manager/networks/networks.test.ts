import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkObject } from '../../api/networks.js';
import type { ServiceObject } from '../../api/objects.js';
import { AccountApi } from '../auth/accounts.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { ServiceApi } from '../controlapi/services.js';
import { EnvironmentApi } from '../environments/environments.js';
import { IpamApi } from '../ipam/ipam-api.js';
import { rejects } from '../secrets/file-api.test-util.js';
import { networkDeleteOps } from './network-object.js';
import { NetworkApi } from './networks.js';

const ctx: RequestContext = { actor: 'account:ann', env: 'default' };
const dev: RequestContext = { ...ctx, env: 'dev' };

async function setup() {
  const store = memoryStore();
  const ipam = new IpamApi(store);
  const networks = new NetworkApi({ store, ranges: ipam, now: () => Date.parse('2026-01-01T00:00:00Z') });
  const environments = new EnvironmentApi(store, new AccountApi(store));
  await environments.ensureDefault();
  await environments.create('t', { name: 'dev' });
  const services = new ServiceApi(store);
  return { store, ipam, networks, environments, services };
}

test('create, list, get by name or id; names unique per environment; bad names and unknown refs refused', async () => {
  const { networks } = await setup();
  const front = await networks.create(ctx, { name: 'front', labels: { tier: 'web' } });
  assert.equal(front.name, 'front');
  assert.equal(front.env, 'default');
  assert.deepEqual(front.labels, { tier: 'web' });
  assert.deepEqual(front.services, []);
  assert.equal(front.builtIn, undefined);
  await rejects(networks.create(ctx, { name: 'front' }), 'already_exists', 'name', /network named "front" already exists/);
  await rejects(networks.create(ctx, { name: 'bad name!' }), 'invalid_argument', 'name');
  await rejects(networks.create(ctx, {}), 'invalid_argument', 'name');
  await rejects(networks.create(ctx, { name: 'x', driver: 'bridge' }), 'invalid_argument');
  // Another environment has its own names, and does not see this one's networks.
  await networks.create(dev, { name: 'front' });
  assert.deepEqual((await networks.list(ctx)).map((n) => n.name), ['default', 'front']);
  assert.deepEqual((await networks.list(dev)).map((n) => n.name), ['default', 'front']);
  assert.equal((await networks.get(ctx, 'front')).id, front.id);
  assert.equal((await networks.get(ctx, front.id)).name, 'front');
  assert.deepEqual((await networks.get(ctx, 'front')).ranges, []);
  await rejects(networks.get(dev, front.id), 'not_found', undefined, /network ".*" not found in environment "dev"/);
  await rejects(networks.get(ctx, 'nope'), 'not_found');
  await rejects(networks.remove(ctx, 'nope'), 'not_found');
});

test('every environment has its built-in default network, which cannot be removed', async () => {
  const { store, networks, environments } = await setup();
  const [builtIn] = (await networks.list(ctx)).filter((n) => n.name === 'default');
  assert.equal(builtIn?.builtIn, true);
  await environments.create('t', { name: 'prod' });
  const prod = await store.list<NetworkObject>('network', { env: 'prod' });
  assert.deepEqual(prod.map((n) => [n.name, n.builtIn]), [['default', true]]);
  await rejects(networks.remove(ctx, 'default'), 'failed_precondition', undefined, /network "default" is the environment's built-in network/);
  // Removing the environment takes its networks and their names: a namesake starts clean.
  await environments.remove('t', 'prod');
  assert.deepEqual(await store.list('network', { env: 'prod' }), []);
  await environments.create('t', { name: 'prod' });
  assert.equal((await store.list('network', { env: 'prod' })).length, 1);
});

test('ensureDefaultNetworks gives environments made before networks their default, once', async () => {
  const { store, networks } = await setup();
  for (const n of await store.list<NetworkObject>('network', { env: 'dev' })) await store.commit(networkDeleteOps(n), { actor: 't' });
  assert.deepEqual(await networks.ensureDefaultNetworks(), ['dev']);
  assert.deepEqual(await networks.ensureDefaultNetworks(), []);
  const [again] = await store.list<NetworkObject>('network', { env: 'dev' });
  assert.equal(again?.name, 'default');
  assert.equal(again.builtIn, true);
});

test('a service may attach only to networks of its environment; nothing is stored otherwise', async () => {
  const { store, networks, services } = await setup();
  await networks.create(dev, { name: 'back' });
  await rejects(
    services.create(ctx, { name: 'web', spec: { image: 'x', networks: [{ target: 'back' }] } }),
    'invalid_argument',
    'spec.networks[0].target',
    /network "back" does not exist in environment "default"/,
  );
  await rejects(services.create(ctx, { name: 'web', spec: { image: 'x', networks: [{ target: 'default' }, { target: 'default' }] } }), 'invalid_argument', 'spec.networks[1].target', /listed twice/);
  await rejects(services.create(ctx, { name: 'web', spec: { image: 'x', networks: [{ target: 'default', aliases: ['bad alias'] }] } }), 'invalid_argument', 'spec.networks[0].aliases[0]');
  assert.deepEqual(await store.list<ServiceObject>('service'), []);
  assert.deepEqual(await store.list('name-claim', { env: 'default' }).then((c) => c.filter((x) => x.id.startsWith('service/'))), []);
  const api = await services.create(dev, { name: 'api', spec: { image: 'x', networks: [{ target: 'back', aliases: ['api.internal'] }] } });
  assert.deepEqual(api.spec.networks, [{ target: 'back', aliases: ['api.internal'] }]);
  await rejects(services.update(dev, 'api', { spec: { image: 'x', networks: [{ target: 'gone' }] } }), 'invalid_argument', 'spec.networks[0].target');
  assert.deepEqual((await services.get(dev, 'api')).spec.networks, [{ target: 'back', aliases: ['api.internal'] }]);
});

test('removal is refused while a service lists the network, naming the services; then its ranges are given back', async () => {
  const { store, ipam, networks, services } = await setup();
  const back = await networks.create(ctx, { name: 'back' });
  await networks.create(ctx, { name: 'other' });
  await services.create(ctx, { name: 'db', spec: { image: 'x', networks: [{ target: 'back' }] } });
  await services.create(ctx, { name: 'api', spec: { image: 'x', networks: [{ target: 'back' }, { target: 'other' }] } });
  await services.create(ctx, { name: 'lone', spec: { image: 'x' } });
  assert.deepEqual((await networks.get(ctx, 'back')).services, ['api', 'db']);
  assert.deepEqual((await networks.get(ctx, 'default')).services, ['api', 'db', 'lone'], 'every task joins the built-in network');
  await rejects(networks.remove(ctx, 'back'), 'failed_precondition', undefined, /network "back" is used by services api, db/);
  await services.remove(ctx, 'db');
  await rejects(networks.remove(ctx, 'back'), 'failed_precondition', undefined, /used by service api;/);
  await services.update(ctx, 'api', { spec: { image: 'x', networks: [{ target: 'other' }] } });

  // Ranges on two nodes, and the other network's on one of them.
  await ipam.allocateNetworkRange(back.id, 'node-a');
  await ipam.allocateNetworkRange(back.id, 'node-b');
  const otherId = (await networks.get(ctx, 'other')).id;
  await ipam.allocateNetworkRange(otherId, 'node-b');
  const ranges = (await networks.get(ctx, 'back')).ranges ?? [];
  assert.deepEqual(ranges.map((r) => r.nodeId), ['node-a', 'node-b']);
  assert.ok(ranges.every((r) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(r.range) && r.gateway.length > 0));

  assert.deepEqual(await networks.remove(ctx, 'back'), { id: back.id, name: 'back' });
  assert.deepEqual(await ipam.listNetworkRanges(back.id), []);
  assert.equal(await ipam.networkRange(back.id, 'node-b'), undefined);
  // The other network keeps its range on the same node.
  assert.equal((await ipam.listNetworkRanges(otherId)).length, 1);
  await rejects(networks.get(ctx, 'back'), 'not_found');
  // The name is free again.
  await networks.create(ctx, { name: 'back' });
  assert.ok((await store.list('ipam')).length > 0);
});

test('another environment\'s network is not found by id, name or prefix, for reads and removal alike', async () => {
  const { networks } = await setup();
  const back = await networks.create(ctx, { name: 'back' });
  for (const ref of [back.id, 'back', back.id.slice(0, 5)]) {
    await rejects(networks.get(dev, ref), 'not_found');
    await rejects(networks.remove(dev, ref), 'not_found');
  }
  assert.equal((await networks.get(ctx, back.id.slice(0, 5))).id, back.id, 'a unique id prefix resolves in its own environment');
});
