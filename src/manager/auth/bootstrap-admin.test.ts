import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccountApi } from './accounts.js';
import { ensureAdminAccount } from './bootstrap-admin.js';
import { memoryStore } from './test-store.test-util.js';

test('the first start creates one admin with a random password; later starts create nothing', async () => {
  const store = memoryStore();
  const accounts = new AccountApi(store);
  const first = await ensureAdminAccount(accounts);
  assert.equal(first?.username, 'admin');
  assert.match(first?.password ?? '', /^[a-z2-7]{32}$/);
  assert.equal((await accounts.checkPassword('admin', first?.password ?? ''))?.admin, true);
  assert.equal(await ensureAdminAccount(accounts), undefined);
  const other = await ensureAdminAccount(new AccountApi(memoryStore()));
  assert.notEqual(other?.password, first?.password);
  await store.close();
});
