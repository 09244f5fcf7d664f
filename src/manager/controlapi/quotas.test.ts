import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultQuotas, quotaCeilings } from '../../api/quotas.js';
import { AccountApi } from '../auth/accounts.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { EnvironmentApi } from '../environments/environments.js';
import { rejects } from '../secrets/file-api.test-util.js';
import type { RequestContext } from './request-context.js';
import { ServiceApi } from './services.js';

const ctx: RequestContext = { actor: 'account:ann', env: 'default' };
const image = 'shoal-test/busybox:1';

async function setup() {
  const store = memoryStore();
  const envs = new EnvironmentApi(store, new AccountApi(store));
  await envs.ensureDefault();
  return { store, envs, services: new ServiceApi(store) };
}

test('the environment view shows the quotas in force; an administrator changes some and keeps the others', async () => {
  const { envs } = await setup();
  assert.deepEqual((await envs.get('default')).quotas, defaultQuotas);
  const view = await envs.updateQuotas('account:root', 'default', { maxReplicasPerService: 2000 });
  assert.deepEqual(view.quotas, { ...defaultQuotas, maxReplicasPerService: 2000 });
  assert.deepEqual((await envs.updateQuotas('account:root', 'default', { maxTasks: 7 })).quotas, { ...defaultQuotas, maxReplicasPerService: 2000, maxTasks: 7 });
  await rejects(envs.updateQuotas('r', 'default', {}), 'invalid_argument', 'body');
  await rejects(envs.updateQuotas('r', 'default', { maxServices: 0 }), 'invalid_argument', 'maxServices');
  await rejects(envs.updateQuotas('r', 'default', { maxReplicasPerService: quotaCeilings.maxReplicasPerService + 1 }), 'invalid_argument', 'maxReplicasPerService', /hard limit/);
  await rejects(envs.updateQuotas('r', 'default', { maxCpus: 3 }), 'invalid_argument');
  await rejects(envs.updateQuotas('r', 'nope', { maxTasks: 3 }), 'not_found');
});

test('replicas per service: create, update, scale over the quota are refused naming the field and the flag; raising it lets them through', async () => {
  const { envs, services } = await setup();
  const over = defaultQuotas.maxReplicasPerService + 1;
  await rejects(services.create(ctx, { name: 'big', spec: { image, replicas: over } }), 'resource_exhausted', 'spec.replicas', /maxReplicasPerService = 1000 of environment "default".*shoal env update default --max-replicas N/);
  await services.create(ctx, { name: 'web', spec: { image, replicas: 2 } });
  await rejects(services.scale(ctx, 'web', { replicas: over }), 'resource_exhausted', 'replicas');
  await rejects(services.update(ctx, 'web', { spec: { image, replicas: over } }), 'resource_exhausted', 'spec.replicas');
  assert.equal((await services.get(ctx, 'web')).spec.replicas, 2, 'nothing stored');
  await envs.updateQuotas('account:root', 'default', { maxReplicasPerService: over });
  assert.equal((await services.scale(ctx, 'web', { replicas: over })).spec.replicas, over);
});

test('services and tasks per environment; a lowered quota refuses only growth', async () => {
  const { envs, services } = await setup();
  await envs.updateQuotas('account:root', 'default', { maxServices: 2, maxTasks: 10 });
  await services.create(ctx, { name: 'a', spec: { image, replicas: 6 } });
  await services.create(ctx, { name: 'b', spec: { image, replicas: 4 } });
  await rejects(services.create(ctx, { name: 'c', spec: { image, replicas: 0 } }), 'resource_exhausted', 'name', /maxServices = 2/);
  await rejects(services.scale(ctx, 'b', { replicas: 5 }), 'resource_exhausted', 'replicas', /11 replicas in all would exceed the quota maxTasks = 10.*--max-tasks N/);
  // Global services run one task per node: not counted against maxTasks.
  await services.remove(ctx, 'b');
  await services.create(ctx, { name: 'g', spec: { image, mode: 'global' } });
  // Lowered below what is used: shrinking still works, growing does not.
  await envs.updateQuotas('account:root', 'default', { maxTasks: 3, maxReplicasPerService: 3 });
  assert.equal((await services.scale(ctx, 'a', { replicas: 5 })).spec.replicas, 5);
  assert.equal((await services.update(ctx, 'a', { spec: { image: 'shoal-test/busybox:2', replicas: 5 } })).spec.image, 'shoal-test/busybox:2', 'an update that grows nothing passes');
  await rejects(services.scale(ctx, 'a', { replicas: 6 }), 'resource_exhausted', 'replicas');
  await services.remove(ctx, 'a');
  await rejects(services.create(ctx, { name: 'd', spec: { image, replicas: 4 } }), 'resource_exhausted', 'spec.replicas', /maxReplicasPerService = 3/);
  await services.create(ctx, { name: 'd', spec: { image, replicas: 3 } });
});
