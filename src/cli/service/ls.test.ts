import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaCount } from './ls.js';

test('replica count shows completed one-shot tasks rather than a short count', () => {
  assert.equal(replicaCount({ running: 2, desired: 3 }), '2/3');
  assert.equal(replicaCount({ running: 0, desired: 1, completed: 1 }), '0/1 (1 completed)');
  assert.equal(replicaCount({ running: 1, desired: 3, completed: 0 }), '1/3');
});
