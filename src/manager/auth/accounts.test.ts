import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { SessionObject } from './account-object.js';
import { AccountApi } from './accounts.js';
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
  await api.create('t', { username: 'bob', password: pw, defaultRole: 'member' });
  assert.equal(await code(() => api.create('t', { username: 'alice', password: pw })), 'already_exists');
  const listed = await api.list();
  assert.deepEqual(listed.map((a) => a.username), ['alice', 'bob']);
  assert.equal(listed[1]?.defaultRole, 'member');
  const passwd = await api.passwd('t', 'bob', { password: 'another long password' });
  for (const answer of [alice, listed, passwd]) assert.ok(!/scrypt|passwordHash/.test(JSON.stringify(answer)));
  assert.equal((await api.checkPassword('bob', pw))?.username, undefined, 'the old password no longer works');
  assert.equal((await api.checkPassword('bob', 'another long password'))?.username, 'bob');
  assert.equal(await api.checkPassword('nobody', pw), undefined);
  await store.close();
});

test('input is validated: short passwords, bad usernames, unknown fields, unknown roles', async () => {
  const store = memoryStore();
  const api = new AccountApi(store);
  for (const body of [{ username: 'x', password: 'short' }, { username: '-bad', password: pw }, { username: 'x', password: pw, extra: 1 }, { username: 'x', password: pw, defaultRole: 'god' }]) {
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
