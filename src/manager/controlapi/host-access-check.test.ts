import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../auth/role-permissions.js';
import { AccountApi } from '../auth/accounts.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { EnvironmentApi } from '../environments/environments.js';
import { rejects } from '../secrets/file-api.test-util.js';
import type { RequestContext } from './request-context.js';
import { ServiceApi } from './services.js';

const as = (role: Role): RequestContext => ({ actor: `account:${role}`, env: 'default', caller: { type: 'account', id: role, name: role, admin: false, role } });
const admin: RequestContext = { actor: 'account:root', env: 'default', caller: { type: 'account', id: 'root', name: 'root', admin: true } };
const sock = { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock' };

async function setup() {
  const store = memoryStore();
  const envs = new EnvironmentApi(store, new AccountApi(store));
  await envs.ensureDefault();
  return { store, envs, services: new ServiceApi(store) };
}

test('a bind of a host path is refused to member and restricted callers, allowed to owners, administrators and the open mode; nothing stored', async () => {
  const { store, services } = await setup();
  for (const role of ['member', 'restricted'] as const) {
    const revision = await store.revision();
    await rejects(services.create(as(role), { name: 'root', spec: { image: 'x', mounts: [{ type: 'tmpfs', target: '/t' }, sock] } }), 'permission_denied', 'spec.mounts[1].source', new RegExp(`host path "/var/run/docker.sock" needs permission host:mount, which role ${role} does not grant in environment "default" \\(it allows no host paths`));
    assert.equal(await store.revision(), revision, `${role}: nothing stored`);
  }
  await services.create(as('owner'), { name: 'by-owner', spec: { image: 'x', mounts: [sock] } });
  await services.create(admin, { name: 'by-admin', spec: { image: 'x', mounts: [{ type: 'bind', source: '/' , target: '/host' }] } });
  await services.create({ actor: 'local', env: 'default' }, { name: 'open', spec: { image: 'x', mounts: [sock] } });
  // Volumes and tmpfs are not host access.
  await services.create(as('restricted'), { name: 'vol', spec: { image: 'x', mounts: [{ type: 'volume', source: 'data', target: '/d' }, { type: 'tmpfs', target: '/t' }] } });
  await store.close();
});

test('under an owner\'s bind, other roles may scale and change update settings, not change what runs; rollbacks to a bind are checked', async () => {
  const { store, services } = await setup();
  await services.create(as('owner'), { name: 'agent', spec: { image: 'agent:1', mounts: [sock] } });
  const member = as('member');
  assert.equal((await services.scale(member, 'agent', { replicas: 3 })).spec.replicas, 3);
  assert.equal((await services.update(member, 'agent', { spec: { image: 'agent:1', replicas: 3, mounts: [sock], updateConfig: { parallelism: 2 } } })).spec.updateConfig.parallelism, 2);
  await rejects(services.update(member, 'agent', { spec: { image: 'evil:1', replicas: 3, mounts: [sock] } }), 'permission_denied', 'spec.mounts[0].source');
  await rejects(services.upgrade(member, 'agent', { spec: { image: 'evil:1', mounts: [sock] } }), 'permission_denied', 'spec.mounts[0].source');
  // The owner drops the bind; going back to the spec with it is a change of what runs.
  await services.update(as('owner'), 'agent', { spec: { image: 'agent:2', replicas: 3 } });
  await rejects(services.rollback(member, 'agent'), 'permission_denied', 'previousSpec.mounts[0].source');
  assert.equal((await services.get(member, 'agent')).spec.image, 'agent:2');
  assert.deepEqual((await services.rollback(as('owner'), 'agent')).spec.mounts, [{ ...sock, readOnly: false }]);
  await store.close();
});

test('rolling back an in-service upgrade to a spec with a bind is checked too', async () => {
  const { store, services } = await setup();
  await services.create(as('owner'), { name: 'agent', spec: { image: 'agent:1', mounts: [sock] } });
  await services.upgrade(as('owner'), 'agent', { spec: { image: 'agent:2' } });
  await rejects(services.rollbackUpgrade(as('restricted'), 'agent'), 'permission_denied', 'previousSpec.mounts[0].source');
  assert.equal((await services.get(admin, 'agent')).upgrade?.state, 'upgrading', 'nothing changed');
  assert.equal((await services.confirmUpgrade(as('restricted'), 'agent')).upgrade?.state, 'confirming', 'confirming runs nothing new');
  await store.close();
});

test('with allowed host paths, other roles bind below them only, matched on whole segments', async () => {
  const { store, envs, services } = await setup();
  await envs.setHostPaths('account:root', 'default', { paths: ['/srv/data'] });
  const member = as('restricted');
  await services.create(member, { name: 'pg', spec: { image: 'pg', mounts: [{ type: 'bind', source: '/srv/data/pg', target: '/var/lib/postgresql' }] } });
  await services.create(member, { name: 'whole', spec: { image: 'x', mounts: [{ type: 'bind', source: '/srv/data', target: '/d', readOnly: true }] } });
  // (A source with ".." is refused as invalid before this check; host-access.test.ts shows the rule would not cover it either.)
  for (const source of ['/srv/database', '/srv', '/var/run/docker.sock']) {
    await rejects(services.create(member, { name: 'x', spec: { image: 'x', mounts: [{ type: 'bind', source, target: '/d' }] } }), 'permission_denied', 'spec.mounts[0].source', /it allows binds under \/srv\/data only/);
  }
  // Taking the path away keeps what runs, and refuses the next change of it.
  await envs.setHostPaths('account:root', 'default', { paths: [] });
  assert.equal((await services.get(member, 'pg')).spec.mounts[0]?.source, '/srv/data/pg');
  assert.equal((await services.scale(member, 'pg', { replicas: 2 })).spec.replicas, 2);
  await rejects(services.update(member, 'pg', { spec: { image: 'pg:2', mounts: [{ type: 'bind', source: '/srv/data/pg', target: '/var/lib/postgresql' }] } }), 'permission_denied');
  await store.close();
});
