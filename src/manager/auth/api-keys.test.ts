import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { AccountObject } from './account-object.js';
import { ApiKeyApi, environmentKeyDeletes, personalKeyDeletes } from './api-keys.js';
import { memoryStore } from './test-store.test-util.js';

test('a key is created with its secret shown once; list and the store never show the secret', async () => {
  const store = memoryStore();
  const keys = new ApiKeyApi(store);
  const k = await keys.create('account:alice', 'dev', { name: 'ci', role: 'member' });
  assert.match(k.accessKey, /^AK[0-9A-Z]{20}$/);
  assert.match(k.secret, /^[a-z2-7]{32}$/);
  assert.equal(k.env, 'dev');
  const listed = await keys.list('dev');
  assert.deepEqual(listed.map((x) => x.name), ['ci']);
  assert.ok(!JSON.stringify(listed).includes(k.secret));
  assert.ok(!JSON.stringify(listed).includes('secretHash'));
  assert.ok(!JSON.stringify(await store.list('api-key')).includes(k.secret));
  assert.deepEqual(await keys.list('prod'), []);
  await store.close();
});

test('names are unique per environment, not across; bad input is refused', async () => {
  const store = memoryStore();
  const keys = new ApiKeyApi(store);
  await keys.create('t', 'dev', { name: 'ci', role: 'member' });
  await keys.create('t', 'prod', { name: 'ci', role: 'readonly' });
  await assert.rejects(keys.create('t', 'dev', { name: 'ci', role: 'owner' }), (e: unknown) => e instanceof ShoalError && e.code === 'already_exists');
  await assert.rejects(keys.create('t', 'dev', { name: 'x', role: 'admin' }), (e: unknown) => e instanceof ShoalError && e.code === 'invalid_argument');
  await store.close();
});

test('verify: right secret only; revoke takes effect on the next check; lastUsedAt is recorded', async () => {
  const store = memoryStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const keys = new ApiKeyApi(store, () => now);
  const k = await keys.create('t', 'dev', { name: 'ci', role: 'member' });
  assert.equal((await keys.verify(k.accessKey, k.secret))?.role, 'member');
  assert.equal((await keys.list('dev'))[0]?.lastUsedAt, '2026-01-01T00:00:00.000Z');
  now += 1000;
  await keys.verify(k.accessKey, k.secret);
  assert.equal((await keys.list('dev'))[0]?.lastUsedAt, '2026-01-01T00:00:00.000Z', 'not rewritten within a minute');
  const flipped = `${k.secret.slice(0, -1)}${k.secret.endsWith('a') ? 'b' : 'a'}`;
  assert.equal(await keys.verify(k.accessKey, flipped), undefined);
  assert.equal(await keys.verify(k.accessKey, 'wrong'), undefined);
  assert.equal(await keys.verify('AKNOPE', k.secret), undefined);
  await keys.revoke('t', 'dev', 'ci');
  assert.equal(await keys.verify(k.accessKey, k.secret), undefined);
  await assert.rejects(keys.revoke('t', 'dev', 'ci'), (e: unknown) => e instanceof ShoalError && e.code === 'not_found');
  await keys.create('t', 'dev', { name: 'ci', role: 'member' });
  await store.close();
});

test('personal keys: no role, unique names per account, listed and revoked only by their account', async () => {
  const store = memoryStore();
  const keys = new ApiKeyApi(store);
  const account = (id: string): AccountObject => ({ id, env: '', version: 1, username: id, passwordHash: 'x', admin: false, createdAt: '', updatedAt: '' });
  const mine = await keys.createPersonal('account:alice', account('alice'), 'laptop');
  assert.equal(mine.env, '');
  assert.equal(mine.role, undefined);
  assert.equal((await keys.verify(mine.accessKey, mine.secret))?.accountId, 'alice');
  await keys.createPersonal('account:bob', account('bob'), 'laptop');
  await assert.rejects(keys.createPersonal('t', account('alice'), 'laptop'), (e: unknown) => e instanceof ShoalError && e.code === 'already_exists');
  await assert.rejects(keys.createPersonal('t', account('alice'), '-bad'), (e: unknown) => e instanceof ShoalError && e.code === 'invalid_argument' && e.field === 'name');
  assert.deepEqual((await keys.listPersonal('alice')).map((k) => k.accessKey), [mine.accessKey]);
  assert.ok(!JSON.stringify(await keys.listPersonal('alice')).includes(mine.secret));
  assert.deepEqual(await keys.list('default'), [], 'personal keys are no environment\'s keys');
  await assert.rejects(keys.revoke('t', 'default', mine.accessKey), (e: unknown) => e instanceof ShoalError && e.code === 'not_found');
  await assert.rejects(keys.revokePersonal('t', 'bob', mine.accessKey), (e: unknown) => e instanceof ShoalError && e.code === 'not_found', 'another account\'s key is not found');
  await keys.revokePersonal('t', 'alice', 'laptop');
  assert.equal(await keys.verify(mine.accessKey, mine.secret), undefined);
  assert.equal((await keys.listPersonal('bob')).length, 1);
  await store.close();
});

test('environmentKeyDeletes and personalKeyDeletes cover exactly the keys of one environment or account', async () => {
  const store = memoryStore();
  const keys = new ApiKeyApi(store);
  const dev = await keys.create('t', 'dev', { name: 'ci', role: 'member' });
  const prod = await keys.create('t', 'prod', { name: 'ci', role: 'member' });
  await store.commit(await environmentKeyDeletes(store, 'dev'), { actor: 't' });
  assert.equal(await keys.verify(dev.accessKey, dev.secret), undefined);
  assert.ok(await keys.verify(prod.accessKey, prod.secret));
  await keys.create('t', 'dev', { name: 'ci', role: 'owner' });
  assert.deepEqual(await personalKeyDeletes(store, 'nobody'), []);
  await store.close();
});
