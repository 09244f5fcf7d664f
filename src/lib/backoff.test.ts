import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

void test('backoff doubles from the initial delay up to the cap, with jitter, and resets', () => {
  const top = new Backoff({ initialMs: 200, maxMs: 5000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => top.next()), [200, 400, 800, 1600, 3200, 5000, 5000]);
  const low = new Backoff({ initialMs: 200, maxMs: 5000, random: () => 0 });
  assert.deepEqual([1, 2, 3].map(() => low.next()), [100, 200, 400]);
  low.reset();
  assert.equal(low.next(), 100);
});
