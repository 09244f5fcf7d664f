import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { NodeObject } from '../../api/objects.js';
import { defaultQuotas } from '../../api/quotas.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { ServiceApi } from '../controlapi/services.js';
import type { EnvironmentObject } from './environment-object.js';
import { EnvironmentApi } from './environments.js';

const pw = 'a long enough password';

const failure = (fn: () => Promise<unknown>): Promise<{ code: string; message: string; field?: string }> =>
  fn().then(
    () => ({ code: 'ok', message: '' }),
    (err: unknown) => (err instanceof ShoalError ? { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } : { code: 'not a ShoalError', message: String(err) }),
  );

function setup() {
  const store = memoryStore();
  const accounts = new AccountApi(store);
  const envs = new EnvironmentApi(store, accounts, { now: () => Date.parse('2026-01-01T00:00:00Z') });
  return { store, accounts, envs };
}

const node = (id: string, env: string, hostname: string): NodeObject => ({
  id, env, version: 0, createdAt: '', updatedAt: '', hostname, role: 'worker', availability: 'active', labels: {},
  status: { state: 'down', message: '', address: '', timestamp: '' }, resources: { nanoCpus: 1e9, memoryBytes: 1e9 }, engine: { version: '', os: '', arch: '' },
});

test('create, list, get; names are unique and validated; unknown names are 404', async () => {
  const { store, envs } = setup();
  const dev = await envs.create('account:root', { name: 'dev', description: 'for trying things' });
  assert.deepEqual(dev, { name: 'dev', description: 'for trying things', version: dev.version, createdBy: 'account:root', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', quotas: defaultQuotas });
  await envs.create('t', { name: 'prod' });
  assert.deepEqual((await envs.list()).map((e) => e.name), ['dev', 'prod']);
  assert.equal((await store.get('environment', 'dev'))?.env, '', 'stored in the cluster scope, id = name');
  assert.deepEqual(await failure(() => envs.create('t', { name: 'dev' })), { code: 'already_exists', message: 'name: an environment named "dev" already exists', field: 'name' });
  for (const body of [{ name: '-x' }, { name: '' }, {}, { name: 'ok', extra: 1 }, { name: 'ok', description: 7 }, undefined]) {
    assert.equal((await failure(() => envs.create('t', body))).code, 'invalid_argument', JSON.stringify(body));
  }
  assert.deepEqual(await failure(() => envs.get('nope')), { code: 'not_found', message: 'environment "nope" not found' });
  assert.equal(await envs.find('../etc'), undefined);
  await store.close();
});

test('ensureDefault creates default once, also when several managers start at the same time', async () => {
  const { store, accounts, envs } = setup();
  const other = new EnvironmentApi(store, accounts);
  await Promise.all([envs.ensureDefault(), other.ensureDefault(), envs.ensureDefault()]);
  await envs.ensureDefault();
  assert.deepEqual((await envs.list()).map((e) => e.name), ['default']);
  await store.close();
});

test('remove is refused while services or nodes are left, naming them; default is never removed', async () => {
  const { store, envs } = setup();
  await envs.ensureDefault();
  await envs.create('t', { name: 'dev' });
  const services = new ServiceApi(store);
  const ctx = { actor: 't', env: 'dev' };
  await services.create(ctx, { name: 'web', spec: { image: 'nginx' } });
  await services.create(ctx, { name: 'db', spec: { image: 'postgres' } });
  await store.commit([{ op: 'create', kind: 'node', value: node('n1', 'dev', 'host-a') }], { actor: 't' });
  await services.create({ actor: 't', env: 'prod' }, { name: 'api', spec: { image: 'x' } });
  assert.deepEqual(await failure(() => envs.remove('t', 'dev')), {
    code: 'failed_precondition',
    message: 'environment "dev" still has 2 services (db, web) and 1 node (host-a); remove them first',
  });
  await services.remove(ctx, 'web');
  await services.remove(ctx, 'db');
  assert.match((await failure(() => envs.remove('t', 'dev'))).message, /still has 1 node \(host-a\); remove them first/);
  await store.commit([{ op: 'delete', kind: 'node', id: 'n1' }], { actor: 't' });
  assert.deepEqual(await envs.remove('t', 'dev'), { name: 'dev' });
  assert.equal((await failure(() => envs.remove('t', 'dev'))).code, 'not_found');
  const refusal = await failure(() => envs.remove('t', 'default'));
  assert.equal(refusal.code, 'failed_precondition');
  assert.match(refusal.message, /"default" cannot be removed/);
  assert.ok(await envs.find('default'));
  await store.close();
});

test('removing an environment deletes its API keys in the same commit; the name can be created again, empty', async () => {
  const { store, accounts, envs } = setup();
  const keys = new ApiKeyApi(store);
  await envs.create('t', { name: 'dev' });
  await envs.create('t', { name: 'prod' });
  const bob = await accounts.create('t', { username: 'bob', password: pw });
  await envs.setMember('t', 'dev', 'bob', { role: 'owner' });
  const devKey = await keys.create('t', 'dev', { name: 'ci', role: 'owner' });
  const prodKey = await keys.create('t', 'prod', { name: 'ci', role: 'owner' });
  const before = await store.revision();
  await envs.remove('t', 'dev');
  assert.equal(await store.revision(), before + 1, 'one commit');
  assert.equal(await keys.verify(devKey.accessKey, devKey.secret), undefined);
  assert.ok(await keys.verify(prodKey.accessKey, prodKey.secret));
  await envs.create('t', { name: 'dev' });
  assert.deepEqual(await envs.members('dev'), [], 'no member carries over to a namesake');
  assert.deepEqual(await keys.list('dev'), []);
  assert.deepEqual(await envs.rolesOf({ id: bob.id }), []);
  await keys.create('t', 'dev', { name: 'ci', role: 'member' });
  await store.close();
});

test('members: set, replace, list with usernames, remove; by id or username; bad input named', async () => {
  const { store, accounts, envs } = setup();
  await envs.create('t', { name: 'dev' });
  await envs.create('t', { name: 'prod' });
  const alice = await accounts.create('t', { username: 'alice', password: pw });
  await accounts.create('t', { username: 'bob', password: pw });
  assert.deepEqual(await envs.setMember('t', 'dev', 'alice', { role: 'member' }), { accountId: alice.id, username: 'alice', role: 'member' });
  await envs.setMember('t', 'dev', alice.id, { role: 'owner' });
  await envs.setMember('t', 'dev', 'bob', { role: 'readonly' });
  await envs.setMember('t', 'prod', 'bob', { role: 'restricted' });
  assert.deepEqual((await envs.members('dev')).map((m) => `${m.username}=${m.role}`), ['alice=owner', 'bob=readonly']);
  assert.deepEqual(await envs.rolesOf({ id: alice.id }), [{ name: 'dev', role: 'owner' }]);
  assert.deepEqual((await envs.listFor({ type: 'account', id: alice.id, name: 'alice', admin: false })).map((e) => `${e.name}:${e.role ?? ''}`), ['dev:owner']);
  assert.equal((await failure(() => envs.getFor({ type: 'account', id: alice.id, name: 'alice', admin: false }, 'prod'))).code, 'not_found', 'non-members do not learn the name');
  assert.deepEqual((await envs.listFor({ type: 'apikey', id: 'AK', name: 'ci', admin: false, envKey: { env: 'prod', role: 'member' } })).map((e) => `${e.name}:${e.role ?? ''}`), ['prod:member']);
  assert.deepEqual((await envs.listFor({ type: 'account', id: 'x', name: 'root', admin: true })).map((e) => e.name), ['dev', 'prod']);
  assert.deepEqual(await failure(() => envs.setMember('t', 'dev', 'alice', { role: 'admin' })), { code: 'invalid_argument', message: 'role: Invalid option: expected one of "owner"|"member"|"restricted"|"readonly"', field: 'role' });
  assert.equal((await failure(() => envs.setMember('t', 'dev', 'ghost', { role: 'member' }))).code, 'not_found');
  assert.equal((await failure(() => envs.setMember('t', 'ghost', 'alice', { role: 'member' }))).code, 'not_found');
  assert.deepEqual(await envs.removeMember('t', 'dev', 'alice'), { accountId: alice.id, username: 'alice' });
  assert.deepEqual(await failure(() => envs.removeMember('t', 'dev', 'alice')), { code: 'not_found', message: 'account "alice" is not a member of environment "dev"' });
  assert.deepEqual((await envs.members('dev')).map((m) => m.username), ['bob']);
  assert.equal((await failure(() => envs.members('ghost'))).code, 'not_found');
  await store.close();
});

test('concurrent member changes both land: each write retries on the other\'s commit', async () => {
  const { store, accounts, envs } = setup();
  await envs.create('t', { name: 'dev' });
  const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
  for (const n of names) await accounts.create('t', { username: n, password: pw });
  await Promise.all(names.map((n) => envs.setMember('t', 'dev', n, { role: 'member' })));
  assert.deepEqual((await envs.members('dev')).map((m) => m.username), names);
  await store.close();
});

test('allowed host paths: set normalized, sorted and once each, shown, cleared; bad input named; members kept', async () => {
  const { store, accounts, envs } = setup();
  await envs.create('t', { name: 'dev' });
  await accounts.create('t', { username: 'alice', password: pw });
  await envs.setMember('t', 'dev', 'alice', { role: 'member' });
  const set = await envs.setHostPaths('account:root', 'dev', { paths: ['/srv/data/', '/opt//shared', '/srv/data'] });
  assert.deepEqual(set.allowedHostPaths, ['/opt/shared', '/srv/data']);
  assert.deepEqual((await envs.get('dev')).allowedHostPaths, ['/opt/shared', '/srv/data']);
  assert.deepEqual((await envs.members('dev')).map((m) => m.username), ['alice'], 'the member list is untouched');
  assert.deepEqual((await envs.list()).find((e) => e.name === 'dev')?.allowedHostPaths, ['/opt/shared', '/srv/data'], 'listed too');
  for (const [paths, field, message] of [
    [['srv/data'], 'paths[0]', /absolute/],
    [['/srv', '/srv/../etc'], 'paths[1]', /"\.\."/],
    [['/'], 'paths[0]', /every host path/],
    [['//'], 'paths[0]', /every host path/],
    [['/srv/a\nb'], 'paths[0]', /control characters/],
    [[7], 'paths[0]', /./],
  ] as const) {
    const f = await failure(() => envs.setHostPaths('t', 'dev', { paths }));
    assert.equal(f.code, 'invalid_argument', JSON.stringify(paths));
    assert.equal(f.field, field);
    assert.match(f.message, message);
  }
  assert.equal((await failure(() => envs.setHostPaths('t', 'dev', {}))).field, 'paths');
  assert.equal((await failure(() => envs.setHostPaths('t', 'dev', { paths: [], extra: 1 }))).code, 'invalid_argument');
  assert.equal((await failure(() => envs.setHostPaths('t', 'dev', { paths: Array.from({ length: 65 }, (_, i) => `/p${i}`) }))).field, 'paths');
  assert.equal((await failure(() => envs.setHostPaths('t', 'ghost', { paths: [] }))).code, 'not_found');
  const stale = await failure(() => envs.setHostPaths('t', 'dev', { paths: [], version: set.version - 1 }));
  assert.deepEqual([stale.code, stale.field], ['conflict', 'version']);
  assert.deepEqual((await envs.get('dev')).allowedHostPaths, ['/opt/shared', '/srv/data'], 'refusals changed nothing');
  const cleared = await envs.setHostPaths('t', 'dev', { paths: [], version: set.version });
  assert.equal(cleared.allowedHostPaths, undefined);
  assert.equal((await store.get<EnvironmentObject>('environment', 'dev'))?.allowedHostPaths, undefined, 'an empty list is not stored');
  await store.close();
});
