import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventsOf } from '../events/event-mapping.js';
import { AccountApi } from './accounts.js';
import { ApiKeyApi } from './api-keys.js';
import { SessionApi } from './sessions.js';
import type { ChangeBatch } from '../store/store.js';
import { memoryStore } from './test-store.test-util.js';

test('account, session and API key changes produce no events, so no hash reaches the event stream', async () => {
  const store = memoryStore();
  const batches: ChangeBatch[] = [];
  const watch = store.watch(0, (b) => batches.push(b));
  const accounts = new AccountApi(store);
  await accounts.create('t', { username: 'alice', password: 'a long enough password' });
  await new SessionApi(store, accounts).login('alice', 'a long enough password');
  const key = await new ApiKeyApi(store).create('t', 'default', { name: 'ci', role: 'member' });
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(batches.length >= 3);
  assert.deepEqual(batches.flatMap(eventsOf), []);
  assert.ok(!JSON.stringify(batches).includes(key.secret));
  watch.close();
  await store.close();
});
