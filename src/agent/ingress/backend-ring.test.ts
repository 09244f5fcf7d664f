import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendRing } from './backend-ring.js';

test('each call starts one further on and lists every backend once', () => {
  const ring = new BackendRing(['a', 'b', 'c'], () => 0);
  assert.deepEqual(ring.order(), ['a', 'b', 'c']);
  assert.deepEqual(ring.order(), ['b', 'c', 'a']);
  assert.deepEqual(ring.order(), ['c', 'a', 'b']);
  assert.deepEqual(ring.order(), ['a', 'b', 'c']);
});

test('the start depends on the random source, so nodes do not all begin with the first', () => {
  const starts = new Set([0, 0.34, 0.67, 0.99].map((r) => new BackendRing(['a', 'b', 'c'], () => r).order()[0]));
  assert.ok(starts.size > 1);
});

test('new backends keep the rotation going; duplicates count once; empty gives nothing', () => {
  const ring = new BackendRing(['a', 'a', 'b'], () => 0);
  assert.equal(ring.size, 2);
  assert.deepEqual(ring.order(), ['a', 'b']);
  ring.set(['x', 'y', 'z']);
  assert.deepEqual(ring.order(), ['y', 'z', 'x']);
  assert.ok(ring.has('z'));
  ring.set([]);
  assert.deepEqual(ring.order(), []);
  assert.equal(ring.has('z'), false);
});
