import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollingSteps } from './upgrade-plan.js';

void test('NEW grows by the batch before OLD shrinks by it, until NEW = target and OLD = 0', () => {
  assert.deepEqual(rollingSteps(2, 0, 2, 1), [
    { which: 'new', replicas: 1 },
    { which: 'old', replicas: 1 },
    { which: 'new', replicas: 2 },
    { which: 'old', replicas: 0 },
  ]);
});

void test('uneven counts: OLD keeps shrinking after NEW has reached the target, batches clip', () => {
  assert.deepEqual(rollingSteps(5, 1, 3, 2), [
    { which: 'new', replicas: 3 },
    { which: 'old', replicas: 3 },
    { which: 'old', replicas: 1 },
    { which: 'old', replicas: 0 },
  ]);
});

void test('nothing to do, NEW above the target, and a bad batch', () => {
  assert.deepEqual(rollingSteps(0, 2, 2, 1), []);
  assert.deepEqual(rollingSteps(1, 4, 2, 1), [{ which: 'old', replicas: 0 }, { which: 'new', replicas: 2 }]);
  assert.throws(() => rollingSteps(1, 0, 1, 0), RangeError);
});
