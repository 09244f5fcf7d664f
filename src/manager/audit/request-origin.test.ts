import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryStore } from '../auth/test-store.test-util.js';
import type { ChangeBatch } from '../store/store.js';
import { runWithOrigin, withRequestOrigin } from './request-origin.js';

const thing = (id: string) => ({ id, env: 'default', version: 0 });

test('commits made while a request is served carry its address; others carry none; an explicit source wins', async () => {
  const store = withRequestOrigin(memoryStore());
  const seen: ChangeBatch[] = [];
  store.watch(0, (b) => seen.push(b));
  await runWithOrigin({ source: '192.0.2.1' }, async () => {
    await Promise.resolve();
    await store.commit([{ op: 'create', kind: 'service', value: thing('a') }], { actor: 'account:ann' });
    await store.commit([{ op: 'create', kind: 'service', value: thing('b') }], { actor: 'account:ann', source: '198.51.100.2' });
  });
  await store.commit([{ op: 'create', kind: 'service', value: thing('c') }], { actor: 'orchestrator' });
  assert.deepEqual(seen.map((b) => b.source), ['192.0.2.1', '198.51.100.2', undefined]);
  await store.close();
});

test('a watcher woken by a request\'s commit works outside the request: its own commits carry no address', async () => {
  const store = withRequestOrigin(memoryStore());
  const sources: (string | undefined)[] = [];
  let reacted: Promise<unknown> = Promise.resolve();
  // A control loop that answers each service change with a commit of its own, a moment later.
  store.watch(0, (b) => {
    sources.push(b.source);
    if (b.changes.some((c) => c.kind === 'service')) {
      reacted = new Promise((resolve) => setTimeout(() => resolve(store.commit([{ op: 'create', kind: 'task', value: thing('t') }], { actor: 'orchestrator' })), 5));
    }
  });
  await runWithOrigin({ source: '192.0.2.1' }, () => store.commit([{ op: 'create', kind: 'service', value: thing('s') }], { actor: 'account:ann' }));
  await reacted;
  assert.deepEqual(sources, ['192.0.2.1', undefined]);
  await store.close();
});
