import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeartbeatWatch } from './heartbeat-watch.js';

// Period 1 s, grace 3 s, checked every 500 ms (as the dispatcher does).
const watch = (t0: number) => new HeartbeatWatch(3000, 500, t0);

test('a node silent longer than the grace period is late; one heard from is not', () => {
  const w = watch(0);
  w.seen('a', 0);
  w.seen('b', 0);
  for (let t = 500; t <= 3500; t += 500) {
    w.tick(t);
    if (t % 1000 === 0) w.seen('b', t);
  }
  assert.equal(w.isLate('a', 3500), true);
  assert.equal(w.isLate('b', 3500), false);
  assert.equal(w.silentMs('a', 3500), 3500);
});

test('a node never heard from counts from the manager\'s start', () => {
  const w = watch(1000);
  for (let t = 1500; t <= 4000; t += 500) w.tick(t);
  assert.equal(w.isLate('x', 4000), false);
  w.tick(4500);
  assert.equal(w.isLate('x', 4500), true);
});

test('the manager\'s own stall is not held against the nodes, and a gone node is late after it', () => {
  const w = watch(0);
  w.seen('a', 1000);
  w.tick(500);
  w.tick(1000);
  // The event loop stalls 5 s: the next check runs at 6000 instead of 1500, before the
  // heartbeats queued meanwhile are read.
  w.tick(6000);
  assert.equal(w.isLate('a', 6000), false, 'not blamed for the stall');
  assert.equal(w.silentMs('a', 6000), 500);
  // The agent is really gone: checks on time from then on find it late after the grace period.
  let t = 6000;
  while (!w.isLate('a', t)) w.tick((t += 500));
  assert.equal(t, 9000);
});

test('checks a little late are not a stall', () => {
  const w = watch(0);
  w.seen('a', 0);
  for (let t = 900; t <= 3600; t += 900) w.tick(t);
  assert.equal(w.isLate('a', 3600), true);
});
