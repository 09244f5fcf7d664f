import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestartPolicy } from '../../api/service-spec.js';
import type { TaskObject } from '../../api/objects.js';
import { iso } from '../../lib/clock.js';
import { schedule } from '../scheduler/schedule.js';
import { applyPlan } from './apply-plan.js';
import { T0, makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';
import type { ClusterView } from './view.js';

const serviceWith = (restartPolicy: Partial<RestartPolicy>, over = {}) =>
  makeService('web', { image: 'nginx', replicas: 1, restartPolicy }, over);

const dead = (svc: ReturnType<typeof serviceWith>, state: TaskObject['status']['state'], at = T0) =>
  makeTask(svc, { slot: 1, nodeId: 'n1', state, at });

void describe('restart', () => {
  void test('condition any restarts a completed task after the delay, with a link to the old one', () => {
    const svc = serviceWith({ condition: 'any', delayMs: 5000 });
    const old = dead(svc, 'complete');
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [old], now: T0 + 1000 }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.id, t.desiredState]), [[old.id, 'shutdown']]);
    const [next] = plan.createTasks;
    assert.equal(next?.slot, 1);
    assert.equal(next?.restartOf, old.id);
    assert.equal(next?.notBefore, iso(T0 + 5000));
    assert.equal(plan.wakeAt, T0 + 5000);
  });

  void test('on-failure restarts failures only', () => {
    const svc = serviceWith({ condition: 'on-failure' });
    const nodes = [makeNode('n1')];
    assert.equal(reconcile(makeView({ services: [svc], nodes, tasks: [dead(svc, 'complete')] })).createTasks.length, 0);
    assert.equal(reconcile(makeView({ services: [svc], nodes, tasks: [dead(svc, 'failed')] })).createTasks.length, 1);
    assert.equal(reconcile(makeView({ services: [svc], nodes, tasks: [dead(svc, 'rejected')] })).createTasks.length, 1);
  });

  void test('none leaves the dead task holding its slot', () => {
    const svc = serviceWith({ condition: 'none' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [dead(svc, 'failed')] }));
    assert.equal(plan.createTasks.length + plan.updateTasks.length, 0);
  });

  void test('no wake-up when the delay has already passed; scheduler skips tasks before notBefore', () => {
    const svc = serviceWith({ delayMs: 5000 });
    const view = makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [dead(svc, 'failed')], now: T0 + 1000 });
    const afterReconcile = applyPlan(view, reconcile(view));
    const early = schedule(afterReconcile);
    assert.equal(early.updateTasks.length, 0);
    assert.equal(early.wakeAt, T0 + 5000);
    const onTime = schedule({ ...afterReconcile, now: T0 + 5000 });
    assert.equal(onTime.updateTasks[0]?.status.state, 'assigned');
    const late = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [dead(svc, 'failed')], now: T0 + 9000 }));
    assert.equal(late.wakeAt, undefined);
  });

  void test('a restart uses the current spec', () => {
    const svc = serviceWith({}, { specVersion: 7 });
    const old = { ...dead(svc, 'failed'), specVersion: 6 };
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [old] }));
    assert.equal(plan.createTasks[0]?.specVersion, 7);
  });

  /** Crashes the slot's task every round and counts the restarts made. */
  function crashLoop(policy: Partial<RestartPolicy>, rounds: number, stepMs: number, historyLimit = 5): number {
    const svc = makeService('web', { image: 'nginx', replicas: 1, restartPolicy: { delayMs: 0, ...policy }, taskHistoryLimit: historyLimit });
    let view: ClusterView = makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [dead(svc, 'failed')] });
    let restarts = 0;
    for (let i = 0; i < rounds; i++) {
      const plan = reconcile(view);
      restarts += plan.createTasks.filter((t) => t.restartOf !== undefined).length;
      view = applyPlan(view, plan);
      // The new task dies at once.
      view = {
        ...view,
        now: view.now + stepMs,
        tasks: view.tasks.map((t) =>
          t.desiredState === 'running' && t.status.state === 'pending'
            ? { ...t, nodeId: 'n1', status: { state: 'failed', message: 'boom', timestamp: iso(view.now) } }
            : t,
        ),
      };
    }
    return restarts;
  }

  void test('max attempts bounds the restarts of a slot, even past the task history limit', () => {
    assert.equal(crashLoop({ maxAttempts: 3 }, 10, 1000), 3);
    assert.equal(crashLoop({ maxAttempts: 8 }, 20, 1000, 1), 8);
    assert.equal(crashLoop({ maxAttempts: 0 }, 10, 1000), 10);
  });

  void test('the window forgets old attempts', () => {
    // One restart per second, at most 2 within any 2.5 s: restarts resume as old ones age out.
    const n = crashLoop({ maxAttempts: 2, windowMs: 2500 }, 12, 1000);
    assert.ok(n > 2 && n < 12, `restarts: ${n}`);
  });

  void test('a dead task next to a live one in its slot steps aside without a restart', () => {
    const svc = serviceWith({});
    const live = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'running' });
    const failed = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [live, failed] }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.id, t.desiredState]), [[failed.id, 'shutdown']]);
    assert.equal(plan.createTasks.length, 0);
  });

  void test('a global task restarts on its node, not on a paused one', () => {
    const svc = makeService('g', { image: 'x', mode: 'global', restartPolicy: { delayMs: 0 } });
    const a = makeTask(svc, { nodeId: 'a', state: 'failed' });
    const b = makeTask(svc, { nodeId: 'b', state: 'failed' });
    const nodes = [makeNode('a'), makeNode('b', { availability: 'pause' })];
    const plan = reconcile(makeView({ services: [svc], nodes, tasks: [a, b] }));
    assert.deepEqual(plan.createTasks.map((t) => [t.nodeId, t.restartOf]), [['a', a.id]]);
  });
});
