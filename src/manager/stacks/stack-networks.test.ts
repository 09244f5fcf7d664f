import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkObject } from '../../api/networks.js';
import type { ServiceObject } from '../../api/objects.js';
import type { StackSpec } from '../../api/stack-spec.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { IpamApi } from '../ipam/ipam-api.js';
import { NetworkApi } from '../networks/networks.js';
import { fileApis, rejects } from '../secrets/file-api.test-util.js';
import type { Store } from '../store/store.js';
import type { StackCompose } from './stack-compose.js';
import { StackApi } from './stacks.js';

const ctx: RequestContext = { actor: 'account:ann', env: 'default' };

/** A stand-in for src/compose: a file's content is the StackSpec as JSON. */
const fakeCompose: StackCompose = {
  render(input) {
    const spec = JSON.parse(input.files[0]?.content ?? '{}') as Partial<StackSpec>;
    return { services: {}, volumes: {}, networks: {}, secrets: {}, configs: {}, warnings: [], ...spec };
  },
  requiredInputs: () => ({ variables: [], files: [] }),
};

const files = (spec: Partial<StackSpec>) => [{ name: 'compose.yaml', content: JSON.stringify(spec) }];

function setup() {
  const { store, pinner, services } = fileApis();
  const ipam = new IpamApi(store);
  const networks = new NetworkApi({ store, ranges: ipam });
  const stacks = new StackApi({ store, compose: fakeCompose, services, pinner, networks });
  return { store, stacks, services, networks, ipam };
}

/** Network name → its stack, for the environment's networks. */
async function networkNames(store: Store): Promise<Record<string, string | undefined>> {
  const entries = (await store.list<NetworkObject>('network', { env: 'default' })).map((n): [string, string | undefined] => [n.name, n.stack]);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}
const specOf = async (store: Store, name: string): Promise<ServiceObject['spec'] | undefined> => (await store.list<ServiceObject>('service', { where: { name } }))[0]?.spec;

/** What src/compose renders for web (front + back, an alias on back), db (back) and worker (no networks: default). */
const shop: Partial<StackSpec> = {
  services: { web: { image: 'web:1' }, db: { image: 'db:1' }, worker: { image: 'w:1' } },
  networks: { front: { external: false, labels: { tier: 'web' } }, back: { external: false }, default: { external: false } },
  serviceNetworks: { web: { front: { aliases: [] }, back: { aliases: ['www'] } }, db: { back: { aliases: [] } }, worker: { default: { aliases: [] } } },
};

test('deploy creates STACK_default and the declared networks in the services\' commit, and attaches each service', async () => {
  const { store, stacks } = setup();
  const before = await store.revision();
  await stacks.deploy(ctx, undefined, { name: 'shop', files: files(shop) });
  assert.equal(await store.revision(), before + 1, 'one commit');
  assert.deepEqual(await networkNames(store), { shop_back: 'shop', shop_default: 'shop', shop_front: 'shop' });
  const front = (await store.list<NetworkObject>('network', { where: { name: 'shop_front' } }))[0];
  assert.deepEqual(front?.labels, { tier: 'web' });
  assert.deepEqual((await specOf(store, 'shop_web'))?.networks, [{ target: 'shop_back', aliases: ['www'] }, { target: 'shop_front', aliases: [] }]);
  assert.deepEqual((await specOf(store, 'shop_db'))?.networks, [{ target: 'shop_back', aliases: [] }]);
  assert.deepEqual((await specOf(store, 'shop_worker'))?.networks, [{ target: 'shop_default', aliases: [] }]);
  // An identical deploy writes nothing.
  const rev = await store.revision();
  const again = await stacks.deploy(ctx, 'shop', { files: files(shop) });
  assert.deepEqual(again.unchanged, ['db', 'web', 'worker']);
  assert.equal(await store.revision(), rev);
});

test('a hand-built spec without serviceNetworks puts every service on STACK_default', async () => {
  const { store, stacks } = setup();
  await stacks.deploy(ctx, undefined, { name: 'app', files: files({ services: { web: { image: 'x' } } }) });
  assert.deepEqual(await networkNames(store), { app_default: 'app' });
  assert.deepEqual((await specOf(store, 'app_web'))?.networks, [{ target: 'app_default', aliases: [] }]);
});

test('external networks must exist under their name; a name taken outside the stack is refused; nothing is written', async () => {
  const { store, stacks, networks } = setup();
  const spec: Partial<StackSpec> = {
    services: { web: { image: 'x' } },
    networks: { shared: { external: true, name: 'corp' } },
    serviceNetworks: { web: { shared: { aliases: [] } } },
  };
  const rev = await store.revision();
  await rejects(stacks.deploy(ctx, undefined, { name: 'shop', files: files(spec) }), 'invalid_argument', 'networks.shared', /external network "corp" does not exist in environment "default"/);
  await networks.create(ctx, { name: 'shop_default' });
  await rejects(stacks.deploy(ctx, undefined, { name: 'shop', files: files({ services: { web: { image: 'x' } } }) }), 'already_exists', 'networks.default', /created outside any stack/);
  assert.equal(await store.revision(), rev + 1, 'only the network made by hand');
  await networks.remove(ctx, 'shop_default');
  await networks.create(ctx, { name: 'corp' });
  await stacks.deploy(ctx, undefined, { name: 'shop', files: files(spec) });
  assert.deepEqual((await specOf(store, 'shop_web'))?.networks, [{ target: 'corp', aliases: [] }]);
  assert.deepEqual(await networkNames(store), { corp: undefined }, 'an external network is not the stack\'s');
  // stack rm leaves an external network alone.
  await stacks.remove(ctx, 'shop');
  assert.deepEqual(await networkNames(store), { corp: undefined });
});

test('a redeploy creates new networks and removes those no service uses any more; kept services keep theirs', async () => {
  const { store, stacks } = setup();
  await stacks.deploy(ctx, undefined, { name: 'shop', files: files(shop) });
  // web leaves front; worker is dropped from the file (kept without prune, still on default).
  const next: Partial<StackSpec> = {
    services: { web: { image: 'web:1' }, db: { image: 'db:1' } },
    networks: { back: { external: false }, cache: { external: false } },
    serviceNetworks: { web: { back: { aliases: ['www'] }, cache: { aliases: [] } }, db: { back: { aliases: [] } } },
  };
  const result = await stacks.deploy(ctx, 'shop', { files: files(next) });
  assert.deepEqual(result.kept, ['worker']);
  assert.ok(result.warnings.some((w) => /network "shop_default" .* kept: services shop_worker/.test(w)), result.warnings.join('\n'));
  assert.deepEqual(await networkNames(store), { shop_back: 'shop', shop_cache: 'shop', shop_default: 'shop' });
  await stacks.deploy(ctx, 'shop', { files: files(next), prune: true });
  assert.deepEqual(await networkNames(store), { shop_back: 'shop', shop_cache: 'shop' });
});

test('stack rm removes the stack\'s networks with its services and gives back their ranges; one used outside stays', async () => {
  const { store, stacks, services, ipam } = setup();
  await stacks.deploy(ctx, undefined, { name: 'shop', files: files(shop) });
  const back = (await store.list<NetworkObject>('network', { where: { name: 'shop_back' } }))[0];
  assert.ok(back);
  await ipam.allocateNetworkRange(back.id, 'node-a');
  await services.create(ctx, { name: 'probe', spec: { image: 'x', networks: [{ target: 'shop_front' }] } });
  const rev = await store.revision();
  const removed = await stacks.remove(ctx, 'shop');
  assert.equal(await store.revision(), rev + 2, 'services, networks and the stack in one commit, then the ranges given back');
  assert.deepEqual(removed.services, ['shop_db', 'shop_web', 'shop_worker']);
  assert.deepEqual(removed.removedNetworks, ['shop_back', 'shop_default']);
  assert.deepEqual(removed.keptNetworks, ['shop_front: used by probe']);
  assert.deepEqual(await networkNames(store), { shop_front: 'shop' });
  assert.deepEqual(await ipam.listNetworkRanges(back.id), []);
});
