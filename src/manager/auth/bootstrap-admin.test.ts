import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccountApi } from './accounts.js';
import { ShoalError } from '../../api/errors.js';
import { bootstrapAdmin, ensureAdminAccount } from './bootstrap-admin.js';
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

test('without permission to create one, a store with no account is refused and one with an admin is served', async () => {
  const store = memoryStore();
  const accounts = new AccountApi(store);
  await assert.rejects(bootstrapAdmin(accounts, false), (err: unknown) => err instanceof ShoalError && err.code === 'failed_precondition' && err.message.includes('--init'));
  assert.equal((await accounts.list()).length, 0, 'nothing created');
  const created = await bootstrapAdmin(accounts, true);
  assert.equal(created?.username, 'admin');
  assert.equal(await bootstrapAdmin(accounts, false), undefined);
  await store.close();
});
