import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { SessionObject } from './account-object.js';
import { EnvironmentApi } from '../environments/environments.js';
import { AccountApi } from './accounts.js';
import { ApiKeyApi } from './api-keys.js';
import { memoryStore } from './test-store.test-util.js';

const pw = 'a long enough password';

const code = (fn: () => Promise<unknown>): Promise<string> =>
  fn().then(
    () => 'ok',
    (err: unknown) => (err instanceof ShoalError ? err.code : 'not a ShoalError'),
  );

test('create, list and passwd never return a hash; usernames are unique', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  const alice = await api.create('t', { username: 'alice', password: pw, admin: true });
  assert.equal(alice.admin, true);
  await api.create('t', { username: 'bob', password: pw });
  assert.equal(await code(() => api.create('t', { username: 'alice', password: pw })), 'already_exists');
  const listed = await api.list();
  assert.deepEqual(listed.map((a) => a.username), ['alice', 'bob']);
  assert.equal(listed[1]?.admin, false);
  const passwd = await api.passwd('t', 'bob', { password: 'another long password' });
  for (const answer of [alice, listed, passwd]) assert.ok(!/scrypt|passwordHash/.test(JSON.stringify(answer)));
  assert.equal((await api.checkPassword('bob', pw))?.username, undefined, 'the old password no longer works');
  assert.equal((await api.checkPassword('bob', 'another long password'))?.username, 'bob');
  assert.equal(await api.checkPassword('nobody', pw), undefined);
  await store.close();
});

test('input is validated: short passwords, bad usernames, unknown fields (a role on the account is one now: roles live in environments)', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  for (const body of [{ username: 'x', password: 'short' }, { username: '-bad', password: pw }, { username: 'x', password: pw, extra: 1 }, { username: 'x', password: pw, defaultRole: 'member' }, { username: 'x', password: pw, admin: 'yes' }]) {
    assert.equal(await code(() => api.create('t', body)), 'invalid_argument', JSON.stringify(body));
  }
  assert.equal(await code(() => api.passwd('t', 'ghost', { password: pw })), 'not_found');
  await store.close();
});

test('remove frees the username and its sessions; the last admin cannot be removed', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  const admin = await api.create('t', { username: 'root', password: pw, admin: true });
  await api.create('t', { username: 'carol', password: pw });
  const session: SessionObject = { id: 'h', env: '', version: 0, accountId: admin.id, createdAt: '', expiresAt: '' };
  await store.commit([{ op: 'create', kind: 'session', value: session }], { actor: 't' });
  assert.equal(await code(() => api.remove('t', 'root')), 'failed_precondition');
  await api.create('t', { username: 'root2', password: pw, admin: true });
  await api.remove('t', 'root');
  assert.equal(await store.get('session', 'h'), undefined, 'the removed account\'s sessions end');
  await api.remove('t', 'carol');
  await api.create('t', { username: 'carol', password: pw });
  assert.deepEqual((await api.list()).map((a) => a.username), ['carol', 'root2']);
  await store.close();
});

test('remove takes the account out of every member list and deletes its personal keys, in one commit', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  const envs = new EnvironmentApi(store, api);
  const keys = new ApiKeyApi(store);
  await api.create('t', { username: 'root', password: pw, admin: true });
  const dave = await api.create('t', { username: 'dave', password: pw });
  await envs.create('t', { name: 'dev' });
  await envs.create('t', { name: 'prod' });
  await envs.setMember('t', 'dev', 'dave', { role: 'owner' });
  await envs.setMember('t', 'prod', 'dave', { role: 'readonly' });
  await envs.setMember('t', 'prod', 'root', { role: 'member' });
  const account = await api.byId(dave.id);
  assert.ok(account);
  const key = await keys.createPersonal('t', account, 'laptop');
  const before = await store.revision();
  await api.remove('t', 'dave');
  assert.equal(await store.revision(), before + 1, 'one commit');
  assert.deepEqual(await envs.members('dev'), []);
  assert.deepEqual((await envs.members('prod')).map((m) => m.username), ['root']);
  assert.equal(await store.get('api-key', key.accessKey), undefined);
  assert.equal(await keys.verify(key.accessKey, key.secret), undefined);
  // The key's name is free again for a new account of the same name.
  const again = await api.byId((await api.create('t', { username: 'dave', password: pw })).id);
  assert.ok(again);
  assert.equal((await keys.createPersonal('t', again, 'laptop')).name, 'laptop');
  assert.deepEqual(await envs.rolesOf(again), [], 'a new account of the same name inherits no role');
  await store.close();
});

test('changing one\'s own password needs the current one and ends the other sessions only', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  const erin = await api.create('t', { username: 'erin', password: pw });
  const session = (id: string): SessionObject => ({ id, env: '', version: 0, accountId: erin.id, createdAt: '', expiresAt: '' });
  await store.commit([{ op: 'create', kind: 'session', value: session('mine') }, { op: 'create', kind: 'session', value: session('other') }], { actor: 't' });
  assert.equal(await code(() => api.changeOwnPassword('t', erin.id, { currentPassword: 'not the password', password: 'a new long password' })), 'unauthenticated');
  assert.equal(await code(() => api.changeOwnPassword('t', erin.id, { currentPassword: pw, password: 'short' })), 'invalid_argument');
  assert.equal(await code(() => api.changeOwnPassword('t', erin.id, { password: 'a new long password' })), 'invalid_argument');
  assert.ok(await api.checkPassword('erin', pw), 'refusals change nothing');
  assert.ok(await store.get('session', 'other'));
  const changed = await api.changeOwnPassword('t', erin.id, { currentPassword: pw, password: 'a new long password' }, 'mine');
  assert.ok(!JSON.stringify(changed).includes('scrypt'));
  assert.equal(await api.checkPassword('erin', pw), undefined);
  assert.ok(await api.checkPassword('erin', 'a new long password'));
  assert.ok(await store.get('session', 'mine'), 'the asking session stays');
  assert.equal(await store.get('session', 'other'), undefined, 'other sessions end');
  await store.close();
});
